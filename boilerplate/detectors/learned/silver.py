"""Silver kinds from markup: one documented mapping from a line's markup evidence to a kind.

A rendered HTML line (``boilerplate.html.render``) carries two cues about where it sits: the
``classid`` tokens of its block and nearest ancestors, and the ``landmark`` regions around it
(sectioning tags, ARIA ``role`` and ``itemprop`` values), both nearest first. :func:`silver_kinds`
reads them and gives each line a *silver* kind, or ``None`` where the markup says nothing.

The mapping (:data:`ROLE_KINDS`, :data:`TAG_KINDS`, :data:`ITEMPROP_KINDS`, :data:`WORD_KINDS`,
:data:`PHRASE_KINDS`):

1. **class/id words of the block and its ancestors**, nearest element first. Tokens are split
   into words at ``-``, ``_`` and case changes (``relatedPosts`` -> ``related``, ``posts``); a word
   (or a two-word phrase such as ``more stories``) in the tables gives the kind, e.g. ``ad``,
   ``advert``, ``sponsor``, ``promo`` -> ``ad``; ``newsletter``, ``subscribe``, ``paywall``,
   ``donate``, ``signup`` -> ``appeal``; ``related``, ``recommended``, ``trending``, ``promo`` ->
   ``teaser``; ``byline``, ``author``, ``date``, ``timestamp``, ``tags`` -> ``metadata``;
   ``breadcrumb``, ``menu``, ``share``, ``cookie``, ``comment`` -> ``chrome``.
2. **ARIA roles and itemprop values**, nearest first: ``navigation``, ``contentinfo``,
   ``search``, ``menu`` -> ``chrome``; ``complementary`` -> ``teaser``; itemprop
   ``datePublished``, ``keywords`` ... -> ``metadata``, ``breadcrumb`` -> ``chrome``.

Pruned once by measurement: a first list also mapped ``newsletter``, ``membership``,
``register`` (appeal), ``promo``, ``commercial``, ``advertising`` (ad), ``meta``, ``tag``,
``time``, ``category``, ``dateline``, ``kicker`` (metadata), ``widget``, ``sidebar``, ``cookies``
(chrome), role ``banner`` and ``dialog``, itemprop ``author`` and ``headline``. On the hand-read
pages each of these was right on fewer than half of its lines (``promo`` and ``kicker`` mark
teasers), so they were dropped or moved. The pruning looked at the same hand pages that the
cross-validation later scores, which the datasheet says.
3. **Sectioning tags**, nearest first: ``nav``, ``footer``, ``search`` -> ``chrome``; ``aside`` ->
   ``teaser``; ``header`` -> ``chrome`` unless it lies inside an ``article`` or ``main`` (then it is
   the article's own header: title and byline, no kind from the tag).

The first step that finds evidence decides. Body is never a silver kind: silver labels say which
*kind* a non-body line is, for training the kind model (weighted), never for evaluation. Their
precision and coverage per kind against the hand gold are measured by ``benchmarks.silver``.
Words are English class names, which is what markup is written in on pages of every language.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ...document import Document

#: class/id words -> kind.
WORD_KINDS: dict[str, str] = {
    **dict.fromkeys(("ad", "ads", "advert", "adverts", "advertisement", "sponsor", "sponsored", "sponsors",
                     "dfp", "adsense", "adslot", "adunit", "affiliate"), "ad"),
    **dict.fromkeys(("subscribe", "subscription", "subscriptions", "paywall", "donate", "donation",
                     "donations", "signup", "optin", "cta", "regwall", "upsell"), "appeal"),
    **dict.fromkeys(("related", "recommended", "recommendations", "recirc", "trending", "popular",
                     "mostread", "teaser", "teasers", "suggested", "upnext", "latest", "promo", "kicker",
                     "taboola", "outbrain"), "teaser"),
    **dict.fromkeys(("byline", "author", "authors", "date", "timestamp", "published", "tags", "credit",
                     "credits", "posted"), "metadata"),
    **dict.fromkeys(("breadcrumb", "breadcrumbs", "menu", "nav", "navbar", "navigation", "share", "sharing",
                     "social", "cookie", "consent", "gdpr", "comment", "comments", "footer", "masthead",
                     "toolbar", "pagination", "pager", "login", "search", "skip", "copyright", "disqus"),
                    "chrome"),
}
#: Two-word class/id phrases -> kind (checked before single words).
PHRASE_KINDS: dict[tuple[str, str], str] = {
    ("more", "stories"): "teaser", ("read", "next"): "teaser", ("most", "read"): "teaser",
    ("you", "may"): "teaser", ("sign", "up"): "appeal", ("site", "header"): "chrome",
    ("site", "footer"): "chrome",
}
#: ARIA roles -> kind.
ROLE_KINDS: dict[str, str] = {"navigation": "chrome", "contentinfo": "chrome", "search": "chrome",
                              "menu": "chrome", "menubar": "chrome", "complementary": "teaser",
                              "alertdialog": "chrome"}
#: itemprop values (lowercased) -> kind.
ITEMPROP_KINDS: dict[str, str] = {"datepublished": "metadata", "datemodified": "metadata",
                                  "datecreated": "metadata", "keywords": "metadata", "breadcrumb": "chrome"}
#: Sectioning tags -> kind (``header`` only outside ``article``/``main``).
TAG_KINDS: dict[str, str] = {"nav": "chrome", "footer": "chrome", "search": "chrome", "aside": "teaser",
                             "header": "chrome"}

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SPLIT = re.compile(r"[-_:.\s\d]+")


def _words(token: str) -> list[str]:
    return [w for w in _SPLIT.split(_CAMEL.sub(" ", token).lower()) if w]


def _from_classid(classid: str) -> str | None:
    for token in classid.split():
        words = _words(token)
        for pair in zip(words, words[1:]):
            if pair in PHRASE_KINDS:
                return PHRASE_KINDS[pair]
        for w in words:
            if w in WORD_KINDS:
                return WORD_KINDS[w]
        joined = "".join(words)  # "signup", "mostread", "upnext" written as one token
        if joined in WORD_KINDS:
            return WORD_KINDS[joined]
    return None


def _from_landmark(landmark: str) -> str | None:
    tokens = landmark.split()
    for t in tokens:  # roles and itemprops, nearest first
        key, _, value = t.partition("=")
        if key == "role" and value in ROLE_KINDS:
            return ROLE_KINDS[value]
        if key == "itemprop" and value in ITEMPROP_KINDS:
            return ITEMPROP_KINDS[value]
    for i, t in enumerate(tokens):  # sectioning tags, nearest first
        if t in TAG_KINDS:
            if t == "header" and any(u in ("article", "main") for u in tokens[i + 1:]):
                continue
            return TAG_KINDS[t]
    return None


def silver_kind(classid: str, landmark: str) -> str | None:
    """The silver kind of one line's evidence (module docstring), or ``None``."""
    return _from_classid(classid) or _from_landmark(landmark)


def silver_kinds(doc: Document) -> list[str | None]:
    """One silver kind or ``None`` per line of a rendered HTML document (``None`` on blank lines).

    Each distinct (classid, landmark) pair is looked up once. Text documents (no cues) get
    ``None`` everywhere.

    >>> from boilerplate.html import render
    >>> silver_kinds(render(b"<nav><p>Home</p></nav><div class='related-posts'><p>Other</p></div>"))
    ['chrome', 'teaser']
    """
    if doc.cues is None:
        return [None] * len(doc.lines)
    seen: dict[tuple[str, str], str | None] = {}
    out: list[str | None] = []
    classids: Sequence[str] = doc.cues["classid"]
    landmarks: Sequence[str] = doc.cues["landmark"]
    for line, c, m in zip(doc.lines, classids, landmarks):
        key = (c, m)
        if key not in seen:
            seen[key] = silver_kind(c, m)
        out.append(seen[key] if line.strip() else None)
    return out
