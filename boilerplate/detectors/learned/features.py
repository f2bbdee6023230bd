"""Feature extraction for the learned detectors, written once and vectorised per document.

``dense_features(doc)`` gives one row per line: shape statistics, lexicon hits, position,
document statistics, a window of neighbour features, and (when the document came from HTML and
``html=True``) markup cues. ``hashed_text(doc)`` gives hashed word uni- and bigrams of each line
(its first :data:`HASH_MAX_CHARS` characters). Everything is numpy over all lines of a document.
"""

from __future__ import annotations

import operator
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import chain, repeat
from typing import Any

import numpy as np
import scipy.sparse as sp

from ...compiled import compiled
from ...document import Document
from ..lexicons import LEXICONS, lexicon_matcher, line_heads_matching, lowered_heads, lowered_text
from ..linestats import LineStats, line_stats
from .hashing import hash_char_ngrams, hash_text_lines, murmur_columns

HASH_FEATURES = 2**18
HASH_MAX_CHARS = 120  # boilerplate cues sit at the start of a line; prose needs no more to be seen as prose
NEIGHBOUR_OFFSETS = (-3, -2, -1, 1, 2, 3)  # in non-blank lines
WINDOW = 5  # half-width of the smoothing window (non-blank lines)
HTML_TAGS = ("p", "div", "li", "td", "h1", "h2", "h3", "h4", "span", "a", "blockquote", "pre", "dd",
             "dt", "figcaption", "option", "body", "article", "section", "header", "footer", "nav",
             "aside", "form", "button", "label", "time", "th", "ul", "table")
_TAG_COLUMN = {tag: i for i, tag in enumerate(HTML_TAGS)}
CLASSID_WORDS = ("nav", "menu", "footer", "header", "comment", "share", "social", "related", "recommend",
                 "promo", "ad", "sponsor", "newsletter", "subscribe", "cookie", "breadcrumb", "sidebar",
                 "widget", "article", "content", "body", "post", "entry", "story", "main", "text",
                 "caption", "byline", "author", "date", "time", "meta", "tag", "title", "headline",
                 "teaser", "card", "list", "more", "popular", "trending", "banner", "modal", "login",
                 "search", "copyright", "legal", "paywall", "donate", "support", "signup", "form")
SHAPE_COLUMNS = ("log_words", "stop_ratio", "ends_terminal", "prose", "title_ratio", "log_chars",
                 "digit_ratio", "ends_ellipsis", "all_caps", "position", "rank", "rank_from_end",
                 "relative_words", "log_prose_distance", "prose_before", "log_repeats", "dateline",
                 "prefix_repeat")
DOCUMENT_COLUMNS = ("doc_log_lines", "doc_prose_share", "doc_log_max_words")
#: The shape columns repeated for each neighbour offset and the window mean.
CONTEXT_SOURCES = SHAPE_COLUMNS[:6]
#: Columns whose density around a line marks a run: a list of teasers, each opening with a
#: dateline or repeating a headline's words, each cut short; a shop box, its prices around
#: labels too short to say what they are ("Product", "Check price"); a follow-us list, its network
#: names around its heading and its "Email" entry; an appeal block, its paragraphs written as prose
#: but its calls ("your support", "subscribe") around them.
RUN_SOURCES = ("dateline", "prefix_repeat", "ends_ellipsis", "lexicon_price", "lexicon_social",
               "lexicon_appeal_phrase")
RUN_WINDOW = 3
#: A line opening with a dateline, in cased scripts ("ISTANBUL/PARIS:", "SAN FRANCISCO, California:",
#: "Washington, DC [US], July 4 (ANI):", "LONDON, UK -", "BERLIN (dpa) —") or with a bracketed
#: one ("【北京=共同】", "[Reuters]"). The case of the place is the cue, not a word list.
_UPPER = "A-ZÀ-ÖØ-ÞĀ-ŽА-ЯЁΑ-Ω"
DATELINE = re.compile(
    rf"^[^\S\n]*(?:[【［\[][^】］\]\n]{{1,24}}[】］\]]"
    rf"|(?:[{_UPPER}][{_UPPER}.'’/ -]{{1,40}}?"
    rf"|[{_UPPER}][^\W\d_]+(?:[ -][{_UPPER}][^\W\d_]+)*,[^\n:—–]{{1,40}}?)"
    rf"[^\S\n]*(?:\([^)\n]{{1,24}}\)[^\S\n]*)?(?::|—|–|-)[^\S\n]+\S)", re.MULTILINE)
#: Lines of at least this many characters that open with the same characters as an earlier line
#: (a teaser repeating a headline, a headline repeated in a list) get ``prefix_repeat``.
PREFIX_CHARS = 40
HTML_OWN_COLUMNS = ("link_ratio", "relative_depth", "group_prose", "log_group_size", "group_link",
                    "log_group_rank", "group_fill", "log_group_words", "title_share", "title_cover",
                    "away_link", "group_away", "group_price")
HTML_CONTEXT_SOURCES = ("link_ratio", "group_prose", "away_link")
HTML_CONTEXT_OFFSETS = (-1, 1)
HTML_CONTEXT_WINDOW = 3


def _window_names(sources: tuple[str, ...], offsets: tuple[int, ...], window: int) -> tuple[str, ...]:
    # the column order of context_windows(): each offset's block of sources, then the mean block
    return tuple(f"{c}@{o:+d}" for o in offsets for c in sources) + tuple(f"{c}@mean{window}" for c in sources)


@dataclass(frozen=True)
class FeatureLayout:
    """The dense feature columns: named blocks in order, each a tuple of column names.

    Saved in every model file and checked on load, so a model never meets columns it was not
    trained on. Code finds a column by name (:meth:`index`), never by a hand-counted position.
    """

    blocks: tuple[tuple[str, tuple[str, ...]], ...]

    @cached_property
    def names(self) -> tuple[str, ...]:
        return tuple(name for _, cols in self.blocks for name in cols)

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.names)}

    def __len__(self) -> int:
        return sum(len(cols) for _, cols in self.blocks)

    def index(self, column: str) -> int:
        try:
            return self._positions[column]
        except KeyError:
            raise ValueError(f"{column!r} is not a dense feature column") from None

    def mask(self, *blocks: str) -> np.ndarray:
        """Boolean column mask of the named blocks."""
        return np.concatenate([np.full(len(cols), name in blocks, dtype=bool) for name, cols in self.blocks])


@lru_cache(maxsize=2)
def feature_layout(html: bool) -> FeatureLayout:
    """The layout of :func:`dense_features` (``html`` adds the markup blocks)."""
    blocks = [("shape", SHAPE_COLUMNS), ("lexicons", tuple(f"lexicon_{k}" for k in LEXICONS)),
              ("document", DOCUMENT_COLUMNS),
              ("context", _window_names(CONTEXT_SOURCES, NEIGHBOUR_OFFSETS, WINDOW)),
              ("runs", _window_names(RUN_SOURCES, (), RUN_WINDOW))]
    if html:
        blocks += [("markup", HTML_OWN_COLUMNS + tuple(f"tag_{t}" for t in HTML_TAGS)
                    + tuple(f"classid_{w}" for w in CLASSID_WORDS)),
                   ("markup_context", _window_names(HTML_CONTEXT_SOURCES, HTML_CONTEXT_OFFSETS,
                                                    HTML_CONTEXT_WINDOW))]
    return FeatureLayout(tuple(blocks))


def hashed_text(doc: Document) -> sp.csr_matrix:
    """Hashed word uni/bigrams (and punctuation marks, and each ideograph or kana character) of
    each line's first :data:`HASH_MAX_CHARS` characters, lower-cased, counted, rows of unit length:
    :func:`boilerplate.detectors.learned.hashing.hash_text_lines`, one compiled pass per document."""
    return hash_text_lines(*lowered_text(doc.lines, HASH_MAX_CHARS), HASH_FEATURES)


#: Character n-grams (:func:`char_ngram_rows`): of each line's first this many characters, of these
#: sizes, each row worth this much beside the line's words (whose row has unit length).
CHAR_NGRAM_CHARS = 32
CHAR_NGRAM_SIZES = (3, 5)
CHAR_NGRAM_VALUE = 0.5


def char_ngram_rows(doc: Document) -> sp.csr_matrix:
    """The character n-grams of each line's first :data:`CHAR_NGRAM_CHARS` characters, lower-cased
    (:func:`~boilerplate.detectors.learned.hashing.hash_char_ngrams`, sizes
    :data:`CHAR_NGRAM_SIZES`), rows of length :data:`CHAR_NGRAM_VALUE`, in the columns of
    :func:`hashed_text`: added to a line's words, they let a model weigh word parts ("subscri",
    "€69", "-anmeld") where a whole word was never seen in training. The opening characters only:
    that is where a line says what it is, and the cost stays bounded on long lines."""
    heads = lowered_heads(doc.lines, CHAR_NGRAM_CHARS)[1]
    # cut before lower-casing, which may lengthen a character ("İ"): the kernel cuts nothing more
    rows = hash_char_ngrams(heads, HASH_FEATURES, max(map(len, heads), default=0), CHAR_NGRAM_SIZES)
    rows.data *= CHAR_NGRAM_VALUE
    return rows


#: Class/id words that reach the hashed features: runs of 3-15 ASCII letters (a hash-like class name
#: yields few or none, a long compound name its parts: "newsletter-signup" -> newsletter, signup).
_CLASSID_WORD = re.compile(r"[a-z]{3,15}")


#: A link target that opens no other page: a fragment, or any scheme but http(s) (``mailto:``,
#: ``tel:``, ``javascript:``, ``whatsapp:`` ...); its scheme's words become ``hs:`` words.
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
_PAGE_SCHEMES = ("http", "https")
#: The authority of an absolute or scheme-relative target: ``//`` at the start or right after the
#: scheme (a relative path with ``//`` later, ``/a//b``, has none).
_AUTHORITY = re.compile(rf"(?:(?:{'|'.join(_PAGE_SCHEMES)}):)?//([^/?#\\]*)")
#: Path words of a link target: the first path segment's words (a site's section or a service,
#: "/newsletters", "/subscribe", "/shop"); an article slug's words would be site-specific.
_LINK_PATH_WORDS = 2
#: A path segment with this many ``-``/``_`` separators is a slug: the link opens an article.
_SLUG_SEPARATORS = 3
_DIGIT_RUN = re.compile(r"\d{4}")


#: Distinct markup-word sets kept between documents (pages of a site share their menus and links).
CUE_CACHE_SIZE = 1 << 16


@lru_cache(maxsize=CUE_CACHE_SIZE)  # page_host, away_links and the link words all split each target
def _split_target(href: str) -> tuple[str, str]:
    """``(host, rest)`` of a lowercased http(s) or scheme-relative link target: the host without
    user, port, ``www.`` and trailing dot (an IPv6 host keeps its brackets), ``""`` for a relative
    target; ``rest`` is what follows the authority (path, query, fragment)."""
    m = _AUTHORITY.match(href)
    if m is None:  # relative, or "https:/x" with a broken authority (its scheme is no path)
        scheme = _SCHEME.match(href)
        return "", href[scheme.end():] if scheme else href
    host = m.group(1).rsplit("@", 1)[-1]
    host = host[:host.index("]") + 1] if host.startswith("[") and "]" in host else host.split(":", 1)[0]
    host = host.rstrip(".")
    return (host[4:] if host.startswith("www.") else host), href[m.end():]


def _host(href: str) -> str:
    """The lowercased host of an absolute or scheme-relative http(s) link (``""`` for a relative
    one or another scheme), without ``www.``, port or trailing dot."""
    return _split_target(href.lower())[0]


def page_host(hrefs: list[str]) -> str:
    """The host most of the lines' link targets (the ``href`` cue) point to, each distinct target
    counted once: the page's own host on almost every page; ``""`` when none is absolute."""
    counts: dict[str, int] = {}
    for host in map(_host, dict.fromkeys(hrefs)):  # each distinct target counts once
        if host:
            counts[host] = counts.get(host, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else ""


def _same_site(host: str, home: str) -> bool:
    """Whether a link's ``host`` (``""``: relative) is the page's own ``home`` host, or a subdomain
    or parent domain of it."""
    return not host or host == home or host.endswith("." + home) or bool(home and home.endswith("." + host))


def away_links(hrefs: list[str]) -> np.ndarray:
    """Boolean array over lines: the line's link target (the ``href`` cue) opens a page on another
    site than the page's own (:func:`page_host`), by :func:`_link_target`'s rule, the link words'
    ``h:away``; each distinct target is read once."""
    home = page_host(hrefs)
    away = {h: bool(h) and _link_target(h.lower(), home)[0] == "away" for h in dict.fromkeys(hrefs)}
    return np.fromiter(map(away.__getitem__, hrefs), dtype=bool, count=len(hrefs))


def _link_target(low: str, home: str) -> tuple[str, str, str]:
    """Where a lowercased, non-empty link target goes: ``("none", scheme, "")`` for a fragment
    (scheme ``""``) or a scheme other than http(s); ``("site", host, rest)`` for a relative target
    or one to the page's own host ``home`` (:func:`_same_site`); ``("away", host, rest)`` else
    (:func:`_split_target`'s host and rest)."""
    if low.startswith("#"):
        return "none", "", ""
    scheme = _SCHEME.match(low)
    if scheme is not None and scheme.group(1) not in _PAGE_SCHEMES:
        return "none", scheme.group(1), ""
    host, rest = _split_target(low)
    return ("site" if _same_site(host, home) else "away"), host, rest


def _link_words(href: str, home: str) -> list[str]:
    """Markup words of a line's link target, language-independent by construction: where it goes
    (``h:page``, ``h:none`` for a fragment or a non-http scheme with the scheme's words ``hs:``,
    ``h:site`` relative or to the page's own host ``home``, ``h:away`` elsewhere, with the other
    host's name words ``hh:``), the words of the first path segment (``hp:``), the query's key
    words (``hq:``, affiliate and tracking tags), and shapes: an article slug (``h:slug``), a
    4-digit run in the path (``h:digits``), a query (``h:query``)."""
    if not href:
        return []
    kind, host, rest = _link_target(href.lower(), home)
    if kind == "none":  # host is the scheme here ("" for a fragment: no words)
        return ["h:none", *(f"hs:{w}" for w in _CLASSID_WORD.findall(host)[:_LINK_PATH_WORDS])]
    same_site = kind == "site"
    words = ["h:page", "h:site"] if same_site else \
        ["h:page", "h:away", *(f"hh:{w}" for w in _CLASSID_WORD.findall(host.rsplit(".", 1)[0]))]
    path, _, query = rest.split("#", 1)[0].partition("?")
    segments = [seg for seg in path.split("/") if seg]
    if segments:
        if same_site:  # elsewhere the first segment is mostly an account or item name
            words += [f"hp:{w}" for w in _CLASSID_WORD.findall(segments[0])[:_LINK_PATH_WORDS]]
        if any(seg.count("-") + seg.count("_") >= _SLUG_SEPARATORS for seg in segments):
            words.append("h:slug")
        if _DIGIT_RUN.search(path):
            words.append("h:digits")
    if query:
        words.append("h:query")  # share buttons carry the page in a query; follow-us links do not
        words += [f"hq:{w}" for w in dict.fromkeys(_CLASSID_WORD.findall(
            " ".join(part.split("=", 1)[0] for part in query.split("&"))))][:3]
    return words




def _block_words(classid: str, landmark: str, tag: str) -> list[str]:
    return [*(f"c:{w}" for w in dict.fromkeys(_CLASSID_WORD.findall(classid.lower()))),
            *(f"l:{w}" for w in landmark.split()), f"t:{tag}"]


def _link_cue_words(href: str, rel: str, home: str) -> list[str]:
    return [*_link_words(href, home), *(f"hr:{w}" for w in dict.fromkeys(_CLASSID_WORD.findall(rel)))]


#: The hashed columns of each block's (classid, landmark, tag) and each link's (href, rel, home)
#: words, kept for the next pages; each is emptied when it would pass CUE_CACHE_SIZE entries.
_BLOCK_COLUMNS: dict[tuple[str, str, str], tuple[int, ...]] = {}
_LINK_COLUMNS: dict[tuple[str, str, str], tuple[int, ...]] = {}


def _cached_columns(cache: dict, keys: list, words_of) -> list[tuple[int, ...]]:
    """The columns of the words of each of ``keys`` (``words_of(*key)``), in order: from
    ``cache``, and for the keys not in it, from one :func:`murmur_columns` pass over all their
    words (a call per key would cost more than the hashing itself)."""
    values: list = list(map(cache.get, keys))
    missing = [i for i, v in enumerate(values) if v is None]
    if missing:
        new = list(dict.fromkeys(keys[i] for i in missing))
        words = [words_of(*key) for key in new]
        flat = murmur_columns(list(chain.from_iterable(words)), HASH_FEATURES)
        if len(cache) + len(new) > CUE_CACHE_SIZE:
            cache.clear()
        at = 0
        for key, group in zip(new, words):
            cache[key] = tuple(flat[at:at + len(group)])
            at += len(group)
        for i in missing:
            values[i] = cache[keys[i]]
    return values


def hashed_cues(doc: Document) -> sp.csr_matrix:
    """Hashed markup words of each line (HTML documents): the words of its block's class/id
    (``c:``), its landmark tokens (``l:``), its tag (``t:``), its link target
    (:func:`_link_words`: same site or away, the other host's name, the section, a slug) and the
    link's ``rel`` words (``hr:``; ``rel="sponsored"`` is how paid links are declared), in the
    same hashed space as :func:`hashed_text`, rows of unit length; all zero rows for a document
    without cues.

    Class names say what a block is for in words shared across sites ("related", "newsletter",
    "byline", "sponsored"), where the fixed :data:`CLASSID_WORDS` can only match a list; a link's
    target says it again where the class names do not ("Facebook" in a follow-us list goes to
    facebook.com, a sponsored item away from the page's host, a teaser to an article slug). Each
    distinct block's and link's words are made once (and kept for the next pages, up to
    :data:`CUE_CACHE_SIZE`), each distinct (block, link) pair is hashed once and the rows indexed.
    """
    n = len(doc.lines)
    if not n or doc.cues is None:
        return sp.csr_matrix((n, HASH_FEATURES))
    cues = doc.cues
    hrefs = cues["href"]
    home = page_host(hrefs)
    keys = list(zip(zip(cues["classid"], cues["landmark"], cues["tag"]), zip(hrefs, cues["link_rel"])))
    index = {key: i for i, key in enumerate(dict.fromkeys(keys))}
    blocks = _cached_columns(_BLOCK_COLUMNS, [block for block, _ in index], _block_words)
    targets = _cached_columns(_LINK_COLUMNS, [(*link, home) for _, link in index], _link_cue_words)
    columns = list(map(operator.add, blocks, targets))
    lengths = np.fromiter(map(len, columns), np.int64, len(columns))
    rows = sp.csr_matrix((np.ones(int(lengths.sum())), np.fromiter(chain.from_iterable(columns), np.int64),
                          np.concatenate(([0], np.cumsum(lengths)))), shape=(len(columns), HASH_FEATURES))
    rows.sum_duplicates()  # a word twice, or two words on one column, add up (as FeatureHasher does)
    row = np.repeat(np.arange(rows.shape[0]), np.diff(rows.indptr))
    norms = np.sqrt(np.bincount(row, weights=rows.data ** 2, minlength=rows.shape[0]))
    rows.data /= norms[row]  # every key has at least its tag word
    return rows[np.fromiter(map(index.__getitem__, keys), np.int64, n)]


def context_windows(values: np.ndarray, blank: np.ndarray, offsets=NEIGHBOUR_OFFSETS,
                    window: int = WINDOW) -> np.ndarray:
    """Neighbour values at each offset plus the window mean, over non-blank lines only.

    ``values`` is (n_lines, k); returns float64 (n_lines, k * (len(offsets) + 1)): for each offset the
    values of the non-blank line that many non-blank lines away (0 past the ends), then the mean
    over the ``window`` non-blank lines on each side and the line itself; blank lines get zeros.
    One compiled pass (:func:`_windows`; a sum of prefix sums, as numpy's ``cumsum`` adds them, so
    the same floats), or, without numba, slices of the non-blank rows scattered back once.
    """
    n, k = values.shape
    if window < 0:
        raise ValueError(f"window must be >= 0, got {window}")
    order = np.flatnonzero(~blank)
    m = len(order)
    out = np.zeros((n, k * (len(offsets) + 1)))
    if not m:
        return out
    walk = _compiled_windows()
    if walk is not None:  # a window past the page is the page: the same means, no overflow
        walk(np.ascontiguousarray(values, dtype=np.float64), order, np.asarray(offsets, dtype=np.int64),
             min(int(window), m), out)
        return out
    dense = values[order]
    packed = np.zeros((m, out.shape[1]))
    for j, off in enumerate(offsets):
        if off == 0:
            packed[:, j * k:(j + 1) * k] = dense
        elif 0 < off < m:
            packed[:m - off, j * k:(j + 1) * k] = dense[off:]
        elif 0 < -off < m:
            packed[-off:, j * k:(j + 1) * k] = dense[:m + off]
    csum = np.zeros((m + 1, k))
    np.cumsum(dense, axis=0, out=csum[1:])
    pos = np.arange(m)
    lo = np.maximum(pos - window, 0)
    hi = np.minimum(pos + window + 1, m)
    packed[:, len(offsets) * k:] = (csum[hi] - csum[lo]) / (hi - lo)[:, None]
    out[order] = packed
    return out


def _windows(values, order, offsets, window, out):  # pragma: no cover - compiled
    # :func:`context_windows` over the non-blank rows ``order``: the prefix sums first (added in
    # row order, as numpy's cumsum adds them), then each row's neighbours and window mean.
    m = order.shape[0]
    k = values.shape[1]
    n_off = offsets.shape[0]
    csum = np.zeros((m + 1, k))
    for c in range(k):  # the first sum is the first value itself, as in cumsum (-0.0 stays -0.0)
        csum[1, c] = values[order[0], c]
    for i in range(1, m):
        r = order[i]
        for c in range(k):
            csum[i + 1, c] = csum[i, c] + values[r, c]
    for i in range(m):
        r = order[i]
        for j in range(n_off):
            src = i + offsets[j]
            if 0 <= src < m:
                s = order[src]
                for c in range(k):
                    out[r, j * k + c] = values[s, c]
        lo = max(i - window, 0)
        hi = min(i + window + 1, m)
        for c in range(k):
            out[r, n_off * k + c] = (csum[hi, c] - csum[lo, c]) / (hi - lo)


def _compiled_windows():
    """:func:`_windows` compiled by numba, or None without numba (then the numpy path)."""
    return compiled(_windows)


def _lexicon_hits(doc: Document) -> np.ndarray:
    match = lexicon_matcher(doc.lines)
    return np.column_stack([match(pattern) for pattern in LEXICONS.values()])


def base_features(doc: Document, st: LineStats | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per-line text features (n_lines, k) and the blank mask."""
    n = len(doc.lines)
    st = line_stats(doc.lines) if st is None else st
    words = st.n_words
    prose = st.running_prose
    nonblank = ~st.blank
    order = np.flatnonzero(nonblank)
    rank = np.zeros(n)
    rank[order] = np.arange(len(order)) / max(len(order), 1)
    # distance (in non-blank lines) to the nearest prose line
    prose_rank = np.flatnonzero(prose[order])
    dist = np.full(n, 50.0)
    if len(prose_rank) and len(order):
        pos = np.arange(len(order))
        j = np.clip(np.searchsorted(prose_rank, pos), 0, len(prose_rank) - 1)
        jm = np.clip(j - 1, 0, len(prose_rank) - 1)
        dist[order] = np.minimum(np.abs(prose_rank[j] - pos), np.abs(prose_rank[jm] - pos))
    prose_words = words * prose
    total_prose = max(prose_words.sum(), 1.0)
    before = (np.cumsum(prose_words) - prose_words) / total_prose
    # how often the same line text occurs in the document (menus repeated, teasers repeating the lead)
    repeats = np.fromiter(map(Counter(doc.lines).__getitem__, doc.lines), dtype=np.float64, count=n) - 1
    dateline = line_heads_matching(DATELINE, doc.lines, 80)
    prefix_repeat = _prefix_repeats(doc.lines)
    doc_stats = np.array([np.log1p(len(order)), prose[order].mean() if len(order) else 0.0,
                          np.log1p(words.max() if n else 0)])
    cols = [
        np.log1p(words), st.stop_ratio, st.ends_terminal, prose, st.title_ratio, np.log1p(st.n_chars),
        st.n_digit_words / np.maximum(words, 1), st.ends_ellipsis, st.all_caps,
        np.arange(n) / max(n, 1), rank, 1 - rank, words / max(words.max() if n else 1, 1),
        np.log1p(np.minimum(dist, 50)), before, np.log1p(repeats), dateline, prefix_repeat,
    ]
    base = np.column_stack(cols + [_lexicon_hits(doc)]).astype(np.float64) if n else np.zeros((0, len(cols) + len(LEXICONS)))
    doc_cols = np.broadcast_to(doc_stats, (n, len(doc_stats)))
    return np.hstack([base, doc_cols]), st.blank


def _prefix_repeats(lines: list[str]) -> np.ndarray:
    """1 where a line of at least :data:`PREFIX_CHARS` characters opens (case folded) with the same
    :data:`PREFIX_CHARS` characters as an earlier line, else 0."""
    n = len(lines)
    if not n:
        return np.zeros(0)
    heads = lowered_heads(lines, PREFIX_CHARS)[1]
    first_of = dict(zip(reversed(heads), range(n - 1, -1, -1)))  # the earliest index of each head wins
    first = np.fromiter(map(first_of.__getitem__, heads), dtype=np.int64, count=n)
    long = np.fromiter(map(len, lines), dtype=np.int64, count=n) >= PREFIX_CHARS
    return (long & (first < np.arange(n))).astype(np.float64)


def html_features(doc: Document, st: LineStats, prose_words: np.ndarray, price: np.ndarray) -> np.ndarray:
    """Markup cues: link ratio, depth, tag, class/id keywords, the block group's text density and
    layout, overlap with the page title, and links away from the site: the line's own and the share
    of its block group's lines with one, and with a ``price``, a shop box's signs."""
    blank = st.blank
    cues: dict[str, Any] = doc.cues or {}
    n = len(doc.lines)
    link = np.asarray(cues["link_ratio"], dtype=np.float64)
    away = away_links(cues["href"]).astype(np.float64)
    depth = np.asarray(cues["depth"], dtype=np.float64)
    # one-hot over HTML_TAGS (a column per tag; other tags: none): one dict lookup per line
    tag_of = np.fromiter(map(_TAG_COLUMN.get, cues["tag"], repeat(len(HTML_TAGS))), np.int64, len(cues["tag"]))
    tag_cols = np.eye(len(HTML_TAGS) + 1, len(HTML_TAGS), dtype=bool)[tag_of]
    kw: np.ndarray
    if n:
        # Lines of one block group share their class/id string: search each distinct one once.
        index = {c: i for i, c in enumerate(dict.fromkeys(cues["classid"]))}
        of_line = np.fromiter(map(index.__getitem__, cues["classid"]), dtype=np.int64, count=n)
        kw = np.array(list(map(_classid_keywords, index)), dtype=bool).reshape(-1, len(CLASSID_WORDS))[of_line]
    else:
        kw = np.zeros((0, len(CLASSID_WORDS)))
    # Group lines by (DOM path, class/id context): article paragraphs share one, and the group
    # holding most of the page's prose is the article's container.
    group_prose: np.ndarray
    group_size: np.ndarray
    group_link: np.ndarray
    group_rank: np.ndarray
    group_fill: np.ndarray
    group_words: np.ndarray
    if n:
        inv = block_groups(cues)
        prose_by_group = np.bincount(inv, weights=prose_words)
        group_prose = prose_by_group[inv] / max(prose_words.sum(), 1.0)
        group_size = np.bincount(inv)[inv].astype(np.float64)
        group_link = np.bincount(inv, weights=link)[inv] / group_size
        # 0 for the group with most prose, 1 for the next...: the article is one group, not one of many
        group_rank = np.argsort(np.argsort(-prose_by_group, kind="stable"), kind="stable")[inv]
        # Article paragraphs sit together; teaser summaries of the same group alternate with their
        # headlines and datelines: the share of the group's span (in lines) its members fill.
        idx = np.arange(n)
        first = np.full(inv.max() + 1, n)
        np.minimum.at(first, inv, idx)
        last = np.zeros(inv.max() + 1, dtype=np.int64)
        np.maximum.at(last, inv, idx)
        span = (last - first + 1)[inv]
        group_fill = group_size / np.maximum(span - blank_between(blank, first, last)[inv], 1)
        group_words = np.bincount(inv, weights=st.n_words)[inv] / group_size
        group_away = np.bincount(inv, weights=away)[inv] / group_size
        group_price = np.bincount(inv, weights=price)[inv] / group_size
    else:
        group_prose = group_size = group_link = group_rank = group_fill = group_words = np.zeros(0)
        group_away = group_price = np.zeros(0)
    title_share = st.n_in_title / np.maximum(st.n_words, 1)
    title_cover = st.n_in_title / max(len(doc.meta.get("title", "").split()), 1)
    max_depth = max(depth.max() if n else 1, 1)
    ctx = context_windows(np.column_stack([link, group_prose, away]) if n else np.zeros((0, 3)), blank,
                          offsets=HTML_CONTEXT_OFFSETS, window=HTML_CONTEXT_WINDOW)
    own = np.column_stack([link, depth / max_depth, group_prose, np.log1p(group_size), group_link,
                           np.log1p(np.minimum(group_rank, 20)), group_fill, np.log1p(group_words),
                           title_share, np.minimum(title_cover, 1.0), away, group_away, group_price]) \
        if n else np.zeros((0, len(HTML_OWN_COLUMNS)))
    return np.hstack([own, tag_cols, kw, ctx]).astype(np.float64)


def block_groups(cues: dict[str, Any]) -> np.ndarray:
    """Each line's block group (an index): lines sharing their DOM path and class/id context."""
    # numbered in the sorted order of their keys, as np.unique numbers them (html_features breaks
    # ties between groups by this number), sorting only the distinct keys
    keys = list(map("|".join, zip(cues["path"], cues["classid"])))
    number = {key: i for i, key in enumerate(sorted(dict.fromkeys(keys)))}
    return np.fromiter(map(number.__getitem__, keys), np.int64, len(keys))


@lru_cache(maxsize=1 << 16)
def _classid_keywords(classid: str) -> tuple[bool, ...]:
    """Which :data:`CLASSID_WORDS` occur in one class/id string (sites repeat their strings)."""
    return tuple(map(classid.__contains__, CLASSID_WORDS))


def blank_between(blank: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Number of blank lines between ``first`` and ``last`` (inclusive), per pair."""
    csum = np.concatenate(([0], np.cumsum(blank)))
    return csum[last + 1] - csum[first]


def feature_groups(html: bool) -> dict[str, np.ndarray]:
    """Column masks of the dense features by group, for ablations: lexicons, context (neighbour
    windows), markup (all HTML cues), runs (the dateline and prefix-repeat columns and their run
    densities)."""
    layout = feature_layout(html)
    runs = layout.mask("runs")
    runs[[layout.index("dateline"), layout.index("prefix_repeat")]] = True
    return {"lexicons": layout.mask("lexicons"), "context": layout.mask("context", "markup_context"),
            "markup": layout.mask("markup", "markup_context"), "runs": runs}


def dense_features(doc: Document, html: bool = False) -> np.ndarray:
    """All dense features of a document's lines: (n_lines, n_features)."""
    return dense_features_and_stats(doc, html)[0]


def dense_features_and_stats(doc: Document, html: bool = False) -> tuple[np.ndarray, LineStats]:
    """:func:`dense_features` and the :class:`~boilerplate.detectors.linestats.LineStats` they
    were computed from (its tokens serve :func:`lexical_cohesion`)."""
    if html and doc.cues is None:
        raise ValueError("an HTML-aware detector needs a document rendered from HTML (with cues)")
    layout = feature_layout(html)
    st = line_stats(doc.lines, title=doc.meta.get("title", "") if html else "")
    base, blank = base_features(doc, st)
    ctx = context_windows(base[:, [layout.index(c) for c in CONTEXT_SOURCES]], blank)
    runs = context_windows(base[:, [layout.index(c) for c in RUN_SOURCES]], blank, offsets=(), window=RUN_WINDOW)
    parts = [base, ctx, runs]
    if html:
        prose_words = np.expm1(base[:, layout.index("log_words")]) * base[:, layout.index("prose")]
        parts.append(html_features(doc, st, prose_words, base[:, layout.index("lexicon_price")]))
    dense = np.hstack(parts)
    assert dense.shape[1] == len(layout), "dense_features and feature_layout disagree"
    return dense, st


#: Word-count buckets of the shape words (1, 2-3, 4-6, 7-12, 13-25, 26+ words).
SHAPE_WORD_BINS = (2, 4, 7, 13, 26)
#: Title-case share buckets (the share of a line's words that open with a capital): under a third,
#: under two thirds, more.
SHAPE_TITLE_BINS = (1 / 3, 2 / 3)
#: Digit-word share buckets: none, up to a third, more.
SHAPE_DIGIT_BINS = (1e-9, 1 / 3)
#: Five places on the page, by the line's rank among the non-blank lines.
SHAPE_PLACES = 5
#: The value of each shape word in a line's hashed row (its words' row has unit length).
SHAPE_WORD_VALUE = 0.5
#: The shape words of a line, each a product of buckets (the number of values of each factor):
#: ``own`` = words x ends with a stop x ends with an ellipsis x title case x digits;
#: ``place`` = words x prose x prose before it (none, some, all) x place on the page;
#: ``run`` = the words bucket of the non-blank line before, of the line, of the line after (a 7th
#: value: none) x prose before it.
SHAPE_WORD_FACTORS = {"own": (6, 2, 2, 3, 3), "place": (6, 2, 3, SHAPE_PLACES), "run": (7, 6, 7, 3)}


@lru_cache(maxsize=1)
def _shape_word_columns() -> dict[str, np.ndarray]:
    """The hashed column of every value of each shape word (``"shape:<name>:<code>"``)."""
    return {name: np.array(murmur_columns([f"shape:{name}:{code}" for code in range(int(np.prod(factors)))],
                                          HASH_FEATURES), dtype=np.int32)
            for name, factors in SHAPE_WORD_FACTORS.items()}


_WORD_BINS = np.array(SHAPE_WORD_BINS, dtype=np.float64)
_TITLE_BINS = np.array(SHAPE_TITLE_BINS)
_DIGIT_BINS = np.array(SHAPE_DIGIT_BINS)


def nonblank_rows(dense: np.ndarray, layout: FeatureLayout) -> np.ndarray:
    """The indices of the non-blank lines of :func:`dense_features`' rows (a line with characters):
    the lines that get shape and edge words."""
    return np.flatnonzero(dense[:, layout.index("log_chars")] != 0)


def shape_word_columns(dense: np.ndarray, layout: FeatureLayout) -> tuple[np.ndarray, np.ndarray]:
    """The shape words of each non-blank line (see :func:`shape_words`) as index arrays: the
    lines (``m``, :func:`nonblank_rows`) and each one's hashed columns, (m, 3); cleaning adds their
    weights by indexing, without building a sparse matrix."""
    col = layout.index
    order = nonblank_rows(dense, layout)
    table = _shape_word_columns()
    columns = np.empty((len(order), len(SHAPE_WORD_FACTORS)), dtype=np.int32)
    if not len(order):
        return order, columns
    d = dense[order]
    # np.digitize(x, bins) for increasing bins, without its checks: searchsorted(bins, x, "right")
    words = _WORD_BINS.searchsorted(np.rint(np.expm1(d[:, col("log_words")])), "right")
    terminal = (d[:, col("ends_terminal")] > 0).astype(np.int64)
    ellipsis = (d[:, col("ends_ellipsis")] > 0).astype(np.int64)
    title = _TITLE_BINS.searchsorted(d[:, col("title_ratio")], "right")
    digits = _DIGIT_BINS.searchsorted(d[:, col("digit_ratio")], "right")
    prose = (d[:, col("prose")] > 0).astype(np.int64)
    before = d[:, col("prose_before")]
    prose_before = (before > 0).astype(np.int64) + (before >= 1 - 1e-9)  # none, some, all of the prose before it
    place = np.minimum((d[:, col("rank")] * SHAPE_PLACES).astype(np.int64), SHAPE_PLACES - 1)
    none = SHAPE_WORD_FACTORS["run"][0] - 1
    prev = np.concatenate(([none], words[:-1]))
    nxt = np.concatenate((words[1:], [none]))
    # each word's code: the mixed-radix number of its buckets (numpy's ravel_multi_index)
    code = np.ravel_multi_index
    columns[:, 0] = table["own"][code((words, terminal, ellipsis, title, digits), SHAPE_WORD_FACTORS["own"])]
    columns[:, 1] = table["place"][code((words, prose, prose_before, place), SHAPE_WORD_FACTORS["place"])]
    columns[:, 2] = table["run"][code((prev, words, nxt, prose_before), SHAPE_WORD_FACTORS["run"])]
    return order, columns


def shape_word_matrix(lines: np.ndarray, columns: np.ndarray, n: int) -> sp.csr_matrix:
    """The (n, HASH_FEATURES) rows of :func:`shape_word_columns`' output (with
    :func:`edge_word_columns`' as more columns of the same lines), each word worth
    :data:`SHAPE_WORD_VALUE` (two on one column add up)."""
    out = sp.csr_matrix((np.full(columns.size, SHAPE_WORD_VALUE),
                         (np.repeat(lines, columns.shape[1]), columns.ravel())), shape=(n, HASH_FEATURES))
    out.sum_duplicates()
    return out


def _edge_words(word: str) -> list[str]:
    # no word holds a "\n" or a lone surrogate (the tokenizer keeps them out)
    low = word.lower()
    return [f"^{low}", f"${low}"]


#: The hashed columns of each word's two edge words, packed as ``head << 32 | tail``, kept for the
#: next pages (emptied past CUE_CACHE_SIZE entries); a line without a word has the bare markers' columns.
_EDGE_COLUMNS: dict[str, int] = {}
_EDGE_NONE = tuple(murmur_columns(["^", "$"], HASH_FEATURES))


def _packed_edge_columns(words: list[str]) -> np.ndarray:
    """:data:`_EDGE_COLUMNS`' packed value of each of the distinct ``words``: one C-level lookup per
    word, and one :func:`murmur_columns` pass over the edge words of the words not kept yet."""
    packed = np.fromiter(map(_EDGE_COLUMNS.get, words, repeat(-1)), dtype=np.int64, count=len(words))
    missing = np.flatnonzero(packed < 0)
    if len(missing):
        new = [words[i] for i in missing.tolist()]
        cols = np.array(murmur_columns(list(chain.from_iterable(map(_edge_words, new))), HASH_FEATURES),
                        dtype=np.int64).reshape(-1, 2)
        values = (cols[:, 0] << 32) | cols[:, 1]
        if len(_EDGE_COLUMNS) + len(new) > CUE_CACHE_SIZE:
            _EDGE_COLUMNS.clear()
        _EDGE_COLUMNS.update(zip(new, values.tolist()))
        packed[missing] = values
    return packed


def edge_word_columns(order: np.ndarray, tokens: tuple) -> np.ndarray:
    """The *edge words* of the lines ``order`` (line indices): each line's first and
    last word, lower-cased, as words of their own (``"^shop"``, ``"$more"``; ``"^"`` and ``"$"``
    for a line without a word), hashed into the space of :func:`hashed_text`: (len(order), 2) int32
    columns, added to the line's words as :func:`shape_word_columns`' are (each worth
    :data:`SHAPE_WORD_VALUE`).

    A bag of words cannot say where a word stands; a line that *opens* with "shop", "subscribe",
    "by" or "advertisement", or *ends* with "more" or a count, is a call, a byline or a teaser in
    any site's words. Words, not a word list: the same in any script (in Chinese and Japanese a
    word is one character, as in :func:`~boilerplate.lines.line_token_ids`). ``tokens`` are the
    lines' tokens as :class:`~boilerplate.detectors.linestats.LineStats` keeps them.

    Examples
    --------
    >>> from boilerplate.detectors.linestats import line_stats
    >>> lines = ["Shop the sale now", "", "Read more", "—"]
    >>> cols = edge_word_columns(np.array([0, 2, 3]), line_stats(lines).tokens)
    >>> cols.shape, bool(cols[0, 0] != cols[1, 0]), bool(cols[1, 1] != cols[2, 1])
    ((3, 2), True, True)
    """
    vocab, word_id, word_line = tokens[0], tokens[1], tokens[2]
    order = np.asarray(order, dtype=np.int64)
    lo = np.searchsorted(word_line, order, "left")  # a line's tokens are a run of word_line
    hi = np.searchsorted(word_line, order, "right")
    has = hi > lo
    first = np.where(has, word_id.take(lo, mode="clip") if len(word_id) else 0, -1)
    last = np.where(has, word_id.take(hi - 1, mode="clip") if len(word_id) else 0, -1)
    used = np.unique(np.concatenate([first[has], last[has]]))
    # each distinct word's two columns, kept for the next pages (most edge words recur: "read", "by")
    packed = np.zeros(len(vocab), dtype=np.int64)
    packed[used] = _packed_edge_columns(list(map(vocab.__getitem__, used.tolist())))
    out = np.empty((len(order), 2), dtype=np.int32)
    out[:, 0] = np.where(has, packed[np.maximum(first, 0)] >> 32, _EDGE_NONE[0]) if len(vocab) else _EDGE_NONE[0]
    out[:, 1] = np.where(has, packed[np.maximum(last, 0)] & 0xFFFFFFFF, _EDGE_NONE[1]) if len(vocab) else _EDGE_NONE[1]
    return out


def shape_words(dense: np.ndarray, layout: FeatureLayout) -> sp.csr_matrix:
    """Hashed *shape words* of each non-blank line, from its dense features (:data:`SHAPE_WORD_FACTORS`):
    products of coarse buckets of its length, ending, case, digits, place on the page and the
    lengths of the lines around it, as words in the space of :func:`hashed_text`, each worth
    :data:`SHAPE_WORD_VALUE`; blank lines get none.

    A linear model over words and dense columns cannot say "a short title-cased line with no prose
    before it" (a headline) or "a one-word line between one-word lines" (a menu): these words are
    such conjunctions, and the kind model's run words (``kind_window``) carry the neighbours' in
    turn. Language-independent: counts, case and punctuation only.
    """
    return shape_word_matrix(*shape_word_columns(dense, layout), len(dense))


#: Columns that every line of one HTML block group shares (they are its group's values): where
#: they change from one non-blank line to the next, a new segment starts.
SEGMENT_HTML_COLUMNS = ("relative_depth", "group_prose", "log_group_size", "group_link", "log_group_rank",
                        "group_fill", "log_group_words")
#: Non-blank lines on each side of a segment whose evidence :func:`segment_context` averages.
SEGMENT_CONTEXT = 3


def segment_ids(dense: np.ndarray, blank: np.ndarray, layout: FeatureLayout) -> np.ndarray:
    """Each non-blank line's segment: a run of consecutive non-blank lines of one block group (HTML
    layouts: the same :data:`SEGMENT_HTML_COLUMNS`) or of one shape (text: prose or not, and the
    word bucket of :func:`run_features`), numbered from 0 down the page; -1 on blank lines."""
    order = np.flatnonzero(~blank)
    out = np.full(len(dense), -1, dtype=np.int64)
    if not len(order):
        return out
    if "group_prose" in layout.names:
        key = dense[np.ix_(order, np.array([layout.index(c) for c in SEGMENT_HTML_COLUMNS]))]
    else:
        words = np.rint(np.expm1(dense[order, layout.index("log_words")]))  # expm1(log1p(4)) < 4
        key = (dense[order, layout.index("prose")] * 3 + np.digitize(words, (4, 10)))[:, None]
    start = np.concatenate(([True], (key[1:] != key[:-1]).any(axis=1)))
    out[order] = np.cumsum(start) - 1
    return out


def segment_context(values: np.ndarray, segment: np.ndarray, around: int = SEGMENT_CONTEXT) -> np.ndarray:
    """For each non-blank line (``segment`` >= 0, :func:`segment_ids`; a segment is a run of equal
    ids down the non-blank lines), the mean of ``values`` (n, k) over its segment, over the
    ``around`` non-blank lines before the segment's first line and over the ``around`` after its
    last (zeros where there are none), and log1p of the segment's length: (n, 3k + 1), zeros on
    blank lines. A long list (a form's options, a menu) is then seen with what leads into it and
    what follows it, however long it is."""
    n, k = values.shape
    out = np.zeros((n, 3 * k + 1))
    order = np.flatnonzero(segment >= 0)
    m = len(order)
    if not m:
        return out
    seg = segment[order]
    csum = np.zeros((m + 1, k))
    np.cumsum(values[order], axis=0, out=csum[1:])
    start = np.concatenate(([True], seg[1:] != seg[:-1]))
    run = np.cumsum(start) - 1  # runs numbered here: the ids need only differ between neighbours
    first = np.flatnonzero(start)
    last = np.append(first[1:], m) - 1
    lo, hi = first[run], last[run] + 1  # the segment's rows in the non-blank order
    b0 = np.maximum(lo - around, 0)
    a1 = np.minimum(hi + around, m)

    def mean(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return (csum[b] - csum[a]) / np.maximum(b - a, 1)[:, None]

    out[order, :k] = mean(lo, hi)
    out[order, k:2 * k] = mean(b0, lo)
    out[order, 2 * k:3 * k] = mean(hi, a1)
    out[order, 3 * k] = np.log1p(hi - lo)
    return out


#: The columns of :func:`lexical_cohesion`; the first :data:`COHESION_SIDE` are also seen on the
#: lines beside (:data:`COHESION_OFFSETS`) and as a window mean (:data:`COHESION_WINDOW`).
COHESION_COLUMNS = ("cohesion_prose", "cohesion_any", "cohesion_prose_lines", "has_content_words",
                    "log_content_words")
COHESION_SIDE = 3
COHESION_OFFSETS = (-1, 1)
COHESION_WINDOW = 3


def lexical_cohesion(lines: list[str], prose: np.ndarray,
                     tokens: tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
                     ) -> np.ndarray:
    """How much of each line's vocabulary the rest of the page shares: (n, 5), the columns of
    :data:`COHESION_COLUMNS`.

    Over a line's distinct *content words* (lower-cased; neither stopwords of the page's language
    nor digits): the share found on another line of running prose (``prose``, one flag per line),
    the share found on any other line, the mean of log1p of how many other prose lines hold each,
    whether it has content words, and log1p of their count. Zeros where it has none.

    A headline's words come back in the article's paragraphs; a teaser for another story, a
    newsletter call or a donation appeal mostly share none with them. Words, not a word list: the
    same columns in any script. Without a stoplist for the page's language every word is a content
    word; in Chinese and Japanese, where each character is a word (``line_token_ids``), the shares
    are of characters, particles among them, and run high on every line.

    ``tokens`` are the lines' tokens as :class:`~boilerplate.detectors.linestats.LineStats` keeps
    them (``line_stats(lines).tokens``), when already made; else :func:`line_stats` makes them.

    Examples
    --------
    >>> lines = ["Storm hit coast", "The storm hit the coast at dawn and the town lost power.",
    ...          "Subscribe today"]
    >>> lexical_cohesion(lines, np.array([0.0, 1.0, 0.0]))[:, 0].tolist()
    [1.0, 0.0, 0.0]
    """
    n = len(lines)
    if len(prose) != n:
        raise ValueError(f"lexical_cohesion: {len(prose)} prose flags for {n} lines")
    out = np.zeros((n, len(COHESION_COLUMNS)))
    vocab, word_id, word_line, stop, digit = line_stats(lines).tokens if tokens is None else tokens
    if not len(vocab):
        return out
    content = ~stop & ~digit
    # case variants ("Storm", "storm") are one word; no word holds a "\n" (see line_stats)
    folded = "\n".join(vocab).lower().split("\n")
    # each folded word's id is the place it first comes in ``folded`` (one dictionary pass)
    place: dict[str, int] = {}
    word = np.fromiter(map(place.setdefault, folded, range(len(folded))), dtype=np.int64, count=len(folded))
    keep = content[word_id]
    n_words = len(folded)
    # the distinct (line, word) pairs; sorted by hand: numpy 2's np.unique hashes, ~20x slower here
    pair = np.sort(word_line[keep] * n_words + word[word_id[keep]])
    first = np.ones(len(pair), dtype=bool)
    first[1:] = pair[1:] != pair[:-1]
    pair = pair[first]
    line, w = pair // n_words, pair % n_words
    prose = np.asarray(prose, dtype=np.float64)
    other_prose = np.bincount(w, weights=prose[line], minlength=n_words)[w] - prose[line]
    other_any = np.bincount(w, minlength=n_words)[w] - 1
    count = np.bincount(line, minlength=n).astype(np.float64)
    per = np.maximum(count, 1)
    out[:, 0] = np.bincount(line, weights=other_prose > 0, minlength=n) / per
    out[:, 1] = np.bincount(line, weights=other_any > 0, minlength=n) / per
    out[:, 2] = np.bincount(line, weights=np.log1p(other_prose), minlength=n) / per
    out[:, 3] = count > 0
    out[:, 4] = np.log1p(count)
    return out


def run_features(dense: np.ndarray, blank: np.ndarray, layout: FeatureLayout) -> np.ndarray:
    """Run features of each line: the length (log) of the run of consecutive non-blank lines of the
    same shape (prose or not, and a word-count bucket: 1-3, 4-9, 10+), the line's relative place in
    it, and whether the run is the longest of its shape on the page. Reads the ``log_words`` and
    ``prose`` columns of :func:`dense_features` (laid out by ``layout``)."""
    n = len(dense)
    if not n:
        return np.zeros((0, 3))
    words = np.expm1(dense[:, layout.index("log_words")])
    shape = dense[:, layout.index("prose")] * 3 + np.digitize(words, (4, 10))  # prose flag x word bucket
    order = np.flatnonzero(~blank)
    out = np.zeros((n, 3))
    if not len(order):
        return out
    sh = shape[order]
    start = np.concatenate(([True], sh[1:] != sh[:-1]))
    run_id = np.cumsum(start) - 1
    run_len = np.bincount(run_id)
    first = np.flatnonzero(start)
    place = (np.arange(len(order)) - first[run_id]) / np.maximum(run_len[run_id] - 1, 1)
    longest = np.zeros(int(sh.max()) + 1)
    np.maximum.at(longest, sh.astype(np.int64), run_len[run_id])
    out[order, 0] = np.log1p(run_len[run_id])
    out[order, 1] = place
    out[order, 2] = run_len[run_id] == longest[sh.astype(np.int64)]
    return out
