"""Hand-annotation workflow for the fine-grained gold (stand-off, no page text committed).

    python -m benchmarks.annotate select --data data/            # fixed-seed page choice -> fixtures/annotations/selection.json
    python -m benchmarks.annotate select2 --data data/           # the 200 more pages (round 2), same file
    python -m benchmarks.annotate select3 --data data/           # 48 more news/article pages (round 3)
    python -m benchmarks.annotate select4 --data data/           # 48 more, disjoint from rounds 1-3 (round 4)
    python -m benchmarks.annotate select5 --data data/           # 56 more, disjoint from rounds 1-4 (round 5)
    python -m benchmarks.annotate select6 --data data/           # 49 WCXB articles with ad markup (round 6)
    python -m benchmarks.annotate select7 --data data/           # 42 WCXB articles with ad or appeal markup (round 7)
    python -m benchmarks.annotate select8 --data data/           # 36 WCXB articles with ad or affiliate links (round 8)
    python -m benchmarks.annotate select9 --data data/           # the 24 such pages round 8 left (round 9)
    python -m benchmarks.annotate export --data data/ --out DIR [--no-suggestions] [--pages ID,...]
    python -m benchmarks.annotate import --data data/ --labels DIR --annotator NAME --out FILE.jsonl

``export`` writes one ``<page>.tsv`` per page (line index, alignment suggestion, text) for an
annotator to read; the annotator writes ``<page>.labels`` (``index<TAB>label`` for every line, or
``first-last<TAB>label`` for a run of consecutive lines read and given the same label).
``import`` checks those files line by line against the rendered pages and writes stand-off
records (page id, line index, line hash, label). No detector or pattern is run over the text:
the only suggestion shown is the alignment's body/headline/other, which the annotator overrides.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from boilerplate.document import Document
from boilerplate.eval.dataset import read_jsonl, to_standoff, write_standoff
from boilerplate.labels import LABELS

ROOT = Path(__file__).resolve().parents[1]
SELECTION = ROOT / "fixtures" / "annotations" / "selection.json"
SEED = 20261123
N_SCRAPINGHUB, N_WCXB_ARTICLE = 25, 15
SECOND_PASS = 8
#: Round 2 (issue 13): 200 more pages, none overlapping round 1, at most one page per site overall.
SEED_2 = 20261201
N_2 = {"scrapinghub": 50, "wcxb": 90, "postlight": 60}
WCXB_TYPES_MIN = 8  # WCXB: at least this many pages of each non-article page type; the rest articles
POSTLIGHT_NON_ENGLISH = 26  # non-English postlight pages taken first (the pool's other languages)
SECOND_PASS_2, SECOND_PASS_2_NON_ENGLISH = 26, 6
MAX_LINES = 600
#: A page "has ad markup" when at least AD_MARKUP_MIN_LINES of its lines sit in a block whose
#: class/id words (runs of ASCII letters) include one of AD_MARKUP_WORDS. Markup only: the text is
#: not looked at, and the labels are still read by hand.
AD_MARKUP_WORDS = frozenset({"ad", "ads", "advert", "adverts", "advertisement", "advertising", "sponsor",
                             "sponsored", "promo", "promoted", "outbrain", "taboola", "dfp", "adslot",
                             "adunit", "affiliate", "partner"})
AD_MARKUP_MIN_LINES = 3
#: Round 7's appeal markup words (with AD_MARKUP_WORDS).
APPEAL_MARKUP_WORDS = frozenset({"newsletter", "newsletters", "subscribe", "subscription", "subscriptions",
                                 "signup", "donate", "donation", "donations", "membership", "paywall",
                                 "follow", "social", "socials", "app", "apps", "register", "contribute"})
#: A page "has ad links" when at least AD_LINK_MIN_LINES of its lines link to a target (``href``
#: cue, lower-cased) that contains one of AD_LINK_WORDS, or carry ``rel="sponsored"``.
AD_LINK_WORDS = ("doubleclick", "googlesyndication", "adsrvr", "adnxs", "amazon-adsystem", "taboola",
                 "outbrain", "criteo", "revcontent", "mgid", "zergnet", "amzn.to", "tag=", "skimlinks",
                 "redirectingat", "linksynergy", "awin1", "shareasale", "howl.me", "shop-links", "prf.hn",
                 "anrdoezrs", "jdoqocy", "kqzyfj", "tkqlhce", "dpbolvw", "avantlink", "sjv.io", "pntra",
                 "affiliate", "sponsor")
AD_LINK_MIN_LINES = 2
SOURCES = ("scrapinghub", "wcxb", "postlight")


def language(doc: Document) -> str:
    """The page's declared language (``<html lang>``, two letters), ``""`` when undeclared."""
    return str(doc.meta.get("lang") or "")[:2]


def select(data: Path) -> dict:
    """25 Scrapinghub pages and 15 WCXB article pages, at most one per site, seed SEED."""
    rng = random.Random(SEED)
    chosen, sites = [], set()
    for source, n, ptype in (("scrapinghub", N_SCRAPINGHUB, None), ("wcxb", N_WCXB_ARTICLE, "article")):
        docs = [d for d in read_jsonl(data / f"{source}.jsonl")
                if (ptype is None or d.meta["page_type"] == ptype) and len(d.lines) > 0]
        docs.sort(key=lambda d: d.id)
        rng.shuffle(docs)
        picked = 0
        for d in docs:
            if picked == n:
                break
            if d.meta["site"] in sites or len(d.lines) > 600:  # very long pages are left out (said in the datasheet)
                continue
            sites.add(d.meta["site"])
            chosen.append(d.id)
            picked += 1
    second = sorted(random.Random(SEED + 1).sample(sorted(chosen), SECOND_PASS))
    return {"seed": SEED, "pages": chosen, "second_pass": second,
            "rule": "random order with the seed; at most one page per site; pages over 600 lines skipped"}


def select_round2(data: Path, first: dict) -> dict:
    """Round 2: N_2 pages per source with seed SEED_2, disjoint from round 1 by page and by site.

    Every source's pages are shuffled with the seed. Pages whose declared language is not English
    come first (all of them in Scrapinghub and WCXB, up to POSTLIGHT_NON_ENGLISH in postlight), so the
    round reaches the languages the pool has; WCXB takes WCXB_TYPES_MIN pages of each non-article
    type, then articles. Pages over MAX_LINES lines or under 5 are left out. The second pass takes
    SECOND_PASS_2 of the new pages with seed SEED_2 + 1, SECOND_PASS_2_NON_ENGLISH of them not English.
    """
    rng = random.Random(SEED_2)
    taken = set(first["pages"])
    docs_by_source = {s: [d for d in read_jsonl(data / f"{s}.jsonl") if 5 <= len(d.lines) <= MAX_LINES]
                      for s in SOURCES}
    sites = {d.meta["site"] for ds in docs_by_source.values() for d in ds if d.id in taken}
    chosen: list[str] = []
    lang_of: dict[str, str] = {}

    def take(pool: list[Document], n: int) -> int:
        got = 0
        for d in pool:
            if got == n:
                break
            if d.id in taken or d.meta["site"] in sites:
                continue
            taken.add(d.id)
            sites.add(d.meta["site"])
            chosen.append(d.id)
            lang_of[d.id] = language(d)
            got += 1
        return got

    for source in SOURCES:
        docs = sorted(docs_by_source[source], key=lambda d: d.id)
        rng.shuffle(docs)
        foreign = [d for d in docs if language(d) not in ("", "en")]
        english = [d for d in docs if language(d) in ("", "en")]
        if source == "wcxb":
            types = sorted({d.meta["page_type"] for d in docs} - {"article"})
            left = N_2[source]
            for ptype in types:
                left -= take([d for d in foreign + english if d.meta["page_type"] == ptype], WCXB_TYPES_MIN)
            take([d for d in foreign + english if d.meta["page_type"] == "article"], left)
        elif source == "postlight":
            got = take(foreign, POSTLIGHT_NON_ENGLISH)
            take(english, N_2[source] - got)
        else:
            got = take(foreign, N_2[source])
            take(english, N_2[source] - got)
    rng2 = random.Random(SEED_2 + 1)
    new_foreign = sorted(i for i in chosen if lang_of[i] not in ("", "en"))
    new_english = sorted(i for i in chosen if lang_of[i] in ("", "en"))
    second = rng2.sample(new_foreign, SECOND_PASS_2_NON_ENGLISH)
    second += rng2.sample(new_english, SECOND_PASS_2 - SECOND_PASS_2_NON_ENGLISH)
    return {"seed_2": SEED_2, "pages_2": chosen, "second_pass_2": sorted(second),
            "languages_2": {i: lang_of[i] or "undeclared" for i in chosen},
            "rule_2": select_round2.__doc__.split("\n\n")[0] + " " + " ".join(
                select_round2.__doc__.split("\n\n")[1].split())}


def has_markup_words(doc: Document, words: frozenset[str]) -> bool:
    """At least :data:`AD_MARKUP_MIN_LINES` lines in blocks whose class/id words (runs of ASCII
    letters) include one of ``words``."""
    if doc.cues is None:
        return False
    return sum(1 for c in doc.cues["classid"]
               if not words.isdisjoint(re.findall(r"[a-z]+", c.lower()))) >= AD_MARKUP_MIN_LINES


def has_ad_markup(doc: Document) -> bool:
    """:func:`has_markup_words` with :data:`AD_MARKUP_WORDS` (round 6)."""
    return has_markup_words(doc, AD_MARKUP_WORDS)


def has_ad_or_appeal_markup(doc: Document) -> bool:
    """:func:`has_ad_markup`, or :func:`has_markup_words` with :data:`APPEAL_MARKUP_WORDS` (round 7)."""
    return has_ad_markup(doc) or has_markup_words(doc, APPEAL_MARKUP_WORDS)


def has_ad_links(doc: Document) -> bool:
    """At least :data:`AD_LINK_MIN_LINES` lines whose link target contains one of
    :data:`AD_LINK_WORDS` or whose link is ``rel="sponsored"`` (round 8)."""
    if doc.cues is None:
        return False
    return sum(1 for href, rel in zip(doc.cues["href"], doc.cues["link_rel"])
               if "sponsored" in (rel or "").split() or any(w in (href or "").lower() for w in AD_LINK_WORDS)
               ) >= AD_LINK_MIN_LINES


def select_news_round(data: Path, selection: dict, seed: int, n: dict[str, int], n_second: int,
                      suffix: str, eligible: Callable[[Document], bool] | None = None,
                      page_types: tuple[str, ...] = ("article",), new_sites: bool | None = True,
                      lines: tuple[int, int] = (5, MAX_LINES), one_per_site: bool = True) -> dict:
    """A round of news/article pages: ``n[source]`` pages per source with ``seed``, disjoint from
    every earlier round by page, and (with ``new_sites=True``) by site from the earlier rounds' pages within ``lines`` (a
    site read only through a page outside the bounds can come again: rounds 24 and 30, the
    long-page rounds, hold 4 and 20 such pages); WCXB pages of ``page_types`` only (article pages
    unless a round says otherwise). With ``new_sites=False`` the round takes pages of sites an
    earlier round read (and only those), still at most one page per site in the round, so it adds
    pages, not sites: the site-grouped cross-validation keeps a site's pages in one fold. Every
    source's pages are shuffled with the seed and taken in that order; pages outside ``lines``
    (least, most; by default 5 to MAX_LINES) are left out, and so are pages ``eligible`` (when
    given) rejects. ``one_per_site=False`` lifts the one-page-per-site bound within the round and
    counts a site as read whatever the length of its read pages (round 36 takes what is left).
    ``new_sites=None`` takes pages of read and unread sites alike (round 37, the last pages).
    The second pass takes ``n_second`` of the new pages with ``seed + 1``.
    """
    rng = random.Random(seed)
    taken = {p for key, pages in selection.items() if key.startswith("pages") for p in pages}
    docs_by_source = {s: [d for d in read_jsonl(data / f"{s}.jsonl") if lines[0] <= len(d.lines) <= lines[1]]
                      for s in SOURCES}
    sites = {d.meta["site"] for ds in docs_by_source.values() for d in ds if d.id in taken}
    if not one_per_site:  # every read site, whatever the length of the page it was read through
        sites = {d.meta["site"] for s in SOURCES for d in read_jsonl(data / f"{s}.jsonl") if d.id in taken}
    read_sites, sites = (sites, sites) if new_sites else (sites, set())
    chosen: list[str] = []
    lang_of: dict[str, str] = {}
    for source in SOURCES:
        docs = sorted(docs_by_source[source], key=lambda d: d.id)
        rng.shuffle(docs)
        got = 0
        for d in docs:
            if got == n[source]:
                break
            if d.id in taken or d.meta["site"] in sites or (source == "wcxb" and d.meta["page_type"] not in page_types):
                continue
            if new_sites is False and d.meta["site"] not in read_sites:
                continue
            if eligible is not None and not eligible(d):
                continue
            taken.add(d.id)
            if one_per_site:
                sites.add(d.meta["site"])
            chosen.append(d.id)
            lang_of[d.id] = language(d) or "undeclared"
            got += 1
    second = sorted(random.Random(seed + 1).sample(sorted(chosen), n_second))
    return {f"seed_{suffix}": seed, f"pages_{suffix}": chosen, f"second_pass_{suffix}": second,
            f"languages_{suffix}": lang_of, f"rule_{suffix}": " ".join(select_news_round.__doc__.split())}


def _rounds_before(selection: dict, n: int) -> dict:
    """The pages of rounds 1 to ``n - 1`` in ``selection`` (keys ``pages``, ``pages_2`` ...), named
    explicitly: a rerun of round ``n`` must not exclude its own or later rounds' pages."""
    keys = {"pages", *(f"pages_{k}" for k in range(2, n))}
    return {k: v for k, v in selection.items() if k in keys}


class NewsRound(NamedTuple):
    """One round of :func:`select_news_round`: its seed, pages per source, second-pass pages, page
    filter (or None), what the filter takes, in words, the WCXB page types it draws from, and
    whether it draws from unread sites (``new_sites`` True), read ones (False) or both (None), and
    the pages' least and most lines."""

    seed: int
    pages: dict[str, int]
    second_pass: int
    eligible: Callable[[Document], bool] | None
    takes: str
    page_types: tuple[str, ...] = ("article",)
    new_sites: bool | None = True
    lines: tuple[int, int] = (5, MAX_LINES)
    one_per_site: bool = True


#: The WCXB page types other than article, and the words of the rounds that draw from them.
OTHER_TYPES = ("forum", "product", "collection", "listing", "documentation", "service")
OTHER_TYPES_TAKE = "WCXB pages of the six types other than article, no page filter"
#: The words of the rounds that take a further page of read sites (``new_sites=False``).
READ_SITES_TAKE = "news and article pages of sites an earlier round read, one more page per site"

#: Rounds 3 and later (issue 15), each a :func:`select_news_round` after the rounds before it, none
#: overlapping them, at most one page per site overall.
NEWS_ROUNDS: dict[int, NewsRound] = {
    # 3-5: news and article pages (where the appeals, ads and teasers are)
    3: NewsRound(20261203, {"scrapinghub": 20, "wcxb": 12, "postlight": 16}, 8, None, "news and article pages"),
    4: NewsRound(20261205, {"scrapinghub": 16, "wcxb": 12, "postlight": 20}, 6, None, "news and article pages"),
    5: NewsRound(20261207, {"scrapinghub": 16, "wcxb": 16, "postlight": 24}, 6, None, "news and article pages"),
    # 6: WCXB article pages (the only source with unread sites left) whose markup names ads: ``ad``
    # is the rarest label (1,068 lines in rounds 1-5)
    6: NewsRound(20261209, {"scrapinghub": 0, "wcxb": 49, "postlight": 0}, 6, has_ad_markup,
                 "pages with ad markup only (:func:`has_ad_markup`)"),
    # 7: markup naming ads or appeals: the two labels under F1 0.60 with the most lines to gain (F1
    # 0.40 and 0.59 after round 6); appeal's errors are mostly menu and footer entries
    7: NewsRound(20261211, {"scrapinghub": 0, "wcxb": 42, "postlight": 0}, 5, has_ad_or_appeal_markup,
                 "pages with ad or appeal markup only (:func:`has_ad_or_appeal_markup`)"),
    # 8: links to ad servers, ad networks or affiliate programmes: round 7's markup rule found only
    # 22 ad lines in 9,014 (ad slots render empty). Links only: the text is not looked at
    8: NewsRound(20261213, {"scrapinghub": 0, "wcxb": 36, "postlight": 0}, 5, has_ad_links,
                 "pages whose links go to ad servers or affiliate programmes only (:func:`has_ad_links`)"),
    # 9: the pages with ad links that round 8 left (at most 25; 24 qualify)
    9: NewsRound(20261215, {"scrapinghub": 0, "wcxb": 25, "postlight": 0}, 4, has_ad_links,
                 "pages whose links go to ad servers or affiliate programmes only (:func:`has_ad_links`)"),
    # 10-20: more supervision for every label, not one, once round 9 used up the sites with ad
    # links: 42 WCXB article pages each, with no page filter (rounds 10-12 moved HTML fine
    # macro-F1 by about 0.005 each, rounds 13-16 by about 0.003); only the seed differs
    **{n: NewsRound(seed, {"scrapinghub": 0, "wcxb": 42, "postlight": 0}, 5, None,
                    "news and article pages, no page filter")
       for n, seed in ((10, 20261217), (11, 20261219), (12, 20261221), (13, 20261223), (14, 20261225),
                       (15, 20261227), (16, 20261229), (17, 20261231), (18, 20270102),
                       (19, 20270104), (20, 20270106))},
    # 21: round 20 took the last WCXB article pages of unread sites (the sites of Scrapinghub and
    # postlight pages are all read, but for two pages over MAX_LINES): WCXB's other page types
    21: NewsRound(20270108, {"scrapinghub": 0, "wcxb": 42, "postlight": 0}, 5, None,
                  OTHER_TYPES_TAKE, OTHER_TYPES),
    # 22: a second page of sites already read, news and article pages of all three sources: the
    # unread sites' article pages are used up, and the fine labels live on news pages
    22: NewsRound(20270110, {"scrapinghub": 20, "wcxb": 16, "postlight": 12}, 5, None,
                  READ_SITES_TAKE, new_sites=False),
    # 23: the same rule after round 22, up to the pool's size (a site's third page is in a later round)
    23: NewsRound(20270112, {"scrapinghub": 35, "wcxb": 30, "postlight": 6}, 5, None,
                  READ_SITES_TAKE, new_sites=False),
    # 24: the article pages of unread sites that every round left out for length (601 to 1,500
    # lines): new sites, where the fine labels live
    24: NewsRound(20270114, {"scrapinghub": 10, "wcxb": 50, "postlight": 10}, 5, None,
                  "news and article pages of unread sites with 601 to 1,500 lines",
                  lines=(MAX_LINES + 1, 1500)),
    # 25: more WCXB pages of the six other types on unread sites (round 21's rule): hand labels
    # for the page types where WCXB's binary score is lowest
    25: NewsRound(20270116, {"scrapinghub": 0, "wcxb": 60, "postlight": 0}, 5, None,
                  OTHER_TYPES_TAKE, OTHER_TYPES),
    # 26: a third page of read sites (round 22's rule after rounds 22-25)
    26: NewsRound(20270118, {"scrapinghub": 5, "wcxb": 25, "postlight": 25}, 5, None,
                  READ_SITES_TAKE, new_sites=False),
    # 27: more WCXB non-article pages of unread sites (round 21's rule), with the option-list rule
    27: NewsRound(20270120, {"scrapinghub": 0, "wcxb": 80, "postlight": 0}, 6, None,
                  OTHER_TYPES_TAKE, OTHER_TYPES),
    # 28: the same after round 27, 100 pages
    28: NewsRound(20270122, {"scrapinghub": 0, "wcxb": 100, "postlight": 0}, 6, None,
                  OTHER_TYPES_TAKE, OTHER_TYPES),
    # 29: the rest of that pool (pages of at most MAX_LINES lines on unread sites)
    29: NewsRound(20270124, {"scrapinghub": 0, "wcxb": 200, "postlight": 0}, 6, None,
                  OTHER_TYPES_TAKE, OTHER_TYPES),
    # 30: the non-article pages of unread sites that round 21's rule left out for length (601 to
    # 1,500 lines; round 24's bound): the page types with the weakest fine scores
    30: NewsRound(20270126, {"scrapinghub": 0, "wcxb": 40, "postlight": 0}, 5, None,
                  "WCXB pages of the six types other than article with 601 to 1,500 lines, no page filter",
                  OTHER_TYPES, lines=(MAX_LINES + 1, 1500)),
    # 31: a further page of read sites (round 22's rule) from WCXB's six other types: the unread
    # sites' pages of those types are used up to 1,500 lines, and they score lowest
    31: NewsRound(20270128, {"scrapinghub": 0, "wcxb": 140, "postlight": 0}, 6, None,
                  "WCXB pages of the six types other than article on sites an earlier round read, "
                  "one more page per site", OTHER_TYPES, new_sites=False),
    # 32: the same for the long pages (601 to 1,500 lines) of read sites, every WCXB page type
    32: NewsRound(20270130, {"scrapinghub": 0, "wcxb": 60, "postlight": 0}, 5, None,
                  "WCXB pages of every type with 601 to 1,500 lines on sites an earlier round read, "
                  "one more page per site", ("article", *OTHER_TYPES), new_sites=False,
                  lines=(MAX_LINES + 1, 1500)),
    # 33: what is left of WCXB and postlight on read sites, up to 3,000 lines (round 32's rule
    # with the longer bound, postlight too): one more page per site
    33: NewsRound(20270132, {"scrapinghub": 0, "wcxb": 60, "postlight": 10}, 5, None,
                  "pages of every type with 5 to 3,000 lines on sites an earlier round read, "
                  "one more page per site", ("article", *OTHER_TYPES), new_sites=False,
                  lines=(5, 3000)),
    # 34: round 33's rule again: a further page of each read site that still has unread pages
    34: NewsRound(20270134, {"scrapinghub": 0, "wcxb": 60, "postlight": 10}, 5, None,
                  "pages of every type with 5 to 3,000 lines on sites an earlier round read, "
                  "one more page per site", ("article", *OTHER_TYPES), new_sites=False,
                  lines=(5, 3000)),
    # 35: the same again (the read sites with unread pages of 5 to 3,000 lines are fewer each round)
    35: NewsRound(20270136, {"scrapinghub": 0, "wcxb": 60, "postlight": 10}, 5, None,
                  "pages of every type with 5 to 3,000 lines on sites an earlier round read, "
                  "one more page per site", ("article", *OTHER_TYPES), new_sites=False,
                  lines=(5, 3000)),
    # 36: every page of read sites left up to 1,000 lines, several per site (the rule of one page per
    # site per round left 46 pages of 5 to 3,000 lines on 18 sites after round 35; the longer ones
    # are mostly 1,500-line shop grids of REI and Steam)
    36: NewsRound(20270138, {"scrapinghub": 0, "wcxb": 100, "postlight": 20}, 6, None,
                  "every page with 5 to 1,000 lines on sites an earlier round read, several per site",
                  ("article", *OTHER_TYPES), new_sites=False, lines=(5, 1000), one_per_site=False),
    # 37: the last 22 pages with text: 19 of 1,105 to 2,641 lines (13 on read sites: REI grids,
    # Reddit threads, MDN; 6 on unread ones: Zappos, AP News, Goodreads ...) and 3 of 668 to 744
    # lines on sites no round read
    37: NewsRound(20270140, {"scrapinghub": 0, "wcxb": 100, "postlight": 20}, 2, None,
                  "every page with 5 to 3,000 lines left, on any site, several per site",
                  ("article", *OTHER_TYPES), new_sites=None, lines=(5, 3000), one_per_site=False),
}


def select_round(data: Path, selection: dict, n: int) -> dict:
    """Round ``n`` >= 3 (issue 15): :func:`select_news_round` with the seed, counts and page filter
    of :data:`NEWS_ROUNDS`, after rounds 1 to ``n - 1``."""
    seed, counts, n_second, eligible, takes, page_types, new_sites, lines, one_per_site = NEWS_ROUNDS[n]
    out = select_news_round(data, _rounds_before(selection, n), seed, counts, n_second, str(n), eligible=eligible,
                            page_types=page_types, new_sites=new_sites, lines=lines, one_per_site=one_per_site)
    out[f"rule_{n}"] += f" Round {n} (issue 15): after rounds 1-{n - 1}, {takes}."
    return out


def _docs(data: Path, ids: set[str]) -> dict[str, Document]:
    out = {}
    for source in SOURCES:
        if not (data / f"{source}.jsonl").exists():
            continue
        for d in read_jsonl(data / f"{source}.jsonl"):
            if d.id in ids:
                out[d.id] = d
    return out


def export(data: Path, out: Path, ids: list[str], suggestions: bool) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for pid, doc in _docs(data, set(ids)).items():
        with open(out / (pid.replace("/", "_") + ".tsv"), "w", encoding="utf-8") as fh:
            fh.write(f"# page {pid}  url {doc.meta.get('url')}\n")
            for i, line in enumerate(doc.lines):
                hint = (doc.labels[i] or "") if suggestions and doc.labels is not None else ""
                fh.write(f"{i}\t{hint}\t{line}\n")


def import_labels(data: Path, labels_dir: Path, annotator: str, out: Path, ids: list[str]) -> int:
    docs = _docs(data, set(ids))
    records = []
    for pid in ids:
        path = labels_dir / (pid.replace("/", "_") + ".labels")
        if not path.exists():
            print(f"missing: {path}", file=sys.stderr)
            continue
        doc = docs[pid]
        labels: list[str | None] = [None] * len(doc.lines)
        for lineno, row in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not row.strip() or row.startswith("#"):
                continue
            index, label = row.split("\t")[:2]
            label = label.strip()
            if label not in LABELS:
                raise SystemExit(f"{path}:{lineno}: unknown label {label!r}")
            first_i, _, last_i = index.strip().partition("-")
            lo, hi = int(first_i), int(last_i or first_i)
            if not 0 <= lo <= hi < len(doc.lines):
                raise SystemExit(f"{path}:{lineno}: line index {index!r} outside 0-{len(doc.lines) - 1}")
            for i in range(lo, hi + 1):
                if doc.lines[i].strip():
                    labels[i] = label
        missing = [i for i, lab in enumerate(labels) if lab is None and doc.lines[i].strip()]
        if missing:
            raise SystemExit(f"{path}: {len(missing)} lines unlabeled, first {missing[:5]}")
        records.append(to_standoff(Document(lines=doc.lines, id=pid, labels=labels), annotator))
    write_standoff(records, out)
    return len(records)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("select", "select2", *(f"select{n}" for n in NEWS_ROUNDS), "export",
                                            "import"))
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--labels", type=Path)
    parser.add_argument("--annotator", default="")
    parser.add_argument("--pages", default="", help="comma-separated ids (default: the selection)")
    parser.add_argument("--no-suggestions", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "select":
        SELECTION.write_text(json.dumps(select(args.data), indent=1) + "\n")
        print(SELECTION.read_text())
        return 0
    if args.command == "select2":
        selection = json.loads(SELECTION.read_text())
        selection.update(select_round2(args.data, selection))
        SELECTION.write_text(json.dumps(selection, indent=1) + "\n")
        print(len(selection["pages_2"]), "pages,", len(selection["second_pass_2"]), "for the second pass")
        return 0
    if args.command in {f"select{n}" for n in NEWS_ROUNDS}:
        n = args.command.removeprefix("select")
        selection = json.loads(SELECTION.read_text())
        selection.update(select_round(args.data, selection, int(n)))
        SELECTION.write_text(json.dumps(selection, indent=1) + "\n")
        print(len(selection[f"pages_{n}"]), "pages,", len(selection[f"second_pass_{n}"]), "for the second pass")
        return 0
    ids = args.pages.split(",") if args.pages else json.loads(SELECTION.read_text())["pages"]
    if args.command == "export":
        export(args.data, args.out, ids, not args.no_suggestions)
    else:
        print(import_labels(args.data, args.labels, args.annotator, args.out, ids), "pages imported")
    return 0


if __name__ == "__main__":
    sys.exit(main())
