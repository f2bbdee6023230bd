"""Rendering HTML into the lines a reader sees, with per-line markup cues.

:func:`render` turns a page into a :class:`~boilerplate.document.Document` whose lines are the
page's visible text, one line per block:

* Every block-level element (``p``, ``div``, ``li``, ``h1``-``h6``, ``td``, ``tr``, ``blockquote``,
  ``section``, ``nav``, ``option``, ... see :data:`BLOCK_TAGS`) starts and ends a line; ``<br>``
  (and ``<hr>``) end one too. Inline elements (``a``, ``span``, ``em``, ...) are joined into
  their block's line exactly as the browser joins them: ``<b>foo</b>bar`` gives ``foobar``. Text of
  a block interrupted by a nested block becomes separate lines in document order: the text
  before, the nested block's lines, the text after.
* Nothing invisible gives a line: ``head`` (``title`` included), ``script``, ``style``,
  ``noscript``, ``template``, ``svg``, ``iframe``, media and ``object`` fallback content (see
  :data:`DROP_TAGS`), comments, processing instructions, and hidden elements: a ``hidden``
  attribute, ``aria-hidden="true"``, or an inline style with ``display:none`` or
  ``visibility:hidden``. Images and form controls give no line (``alt``, ``value`` and
  ``placeholder`` are not rendered), so ``<input type=hidden>`` gives none either. A hidden
  element's tail is visible and stays in the enclosing line.

  Three kinds of hidden element are kept, because a reader does get to see them: content a
  click reveals (``role="tabpanel"`` or ``"region"``, ``hidden="until-found"``, or a class/id
  naming an accordion, collapse, tab pane, FAQ answer, "read more" or expand part: collapsed
  article text, which extraction gold includes), React/Remix streamed content
  (``<div hidden id="S:...">``, moved into place by a script; it comes at the end of the page
  here), and ``html``/``body`` hidden by inline style (pages hide the whole body until their
  scripts have run). Pass ``drop_hidden=False`` to keep every hidden element. On the WCXB
  development pages the hidden rules drop ~10% of lines (menus, dropdowns, dialogs) and, with
  these exceptions, ~0.6% of gold article paragraphs (1.6% without them).
* Whitespace: every run of whitespace as :py:meth:`str.split` sees it (ASCII whitespace, NBSP
  U+00A0 and the other Unicode spaces, line ends) becomes one ASCII space; lines are stripped and
  empty lines are not emitted. NBSP is thus treated as a plain space, which is what a reader
  sees and what gold article text usually holds. Inside ``pre`` (and ``textarea``, ``listing``,
  ``xmp``, ``plaintext``) each source line is its own line, whitespace inside it collapsed alike.
  A rendered line therefore never holds ``\\r`` or ``\\n``.

Per-line cues (``Document.cues``, keys exactly :data:`~boilerplate.document.CUE_FIELDS`), all
about the line's *block*, the innermost block-level element holding its text:

``tag``         list[str]  the block's tag name (``"p"``, ``"li"``, ``"body"`` for loose text ...).
``path``        list[str]  the block's DOM path, its last :data:`PATH_COMPONENTS` tag names
                           joined by ``>`` (``"html>body>div>p"``).
``depth``       int32 array  the block's depth in the tree (``html`` is 0, ``body`` 1).
``link_ratio``  float64 array  non-whitespace characters of the line inside ``<a>`` over all
                           its non-whitespace characters, in [0, 1].
``classid``     list[str]  lowercased ``class`` and ``id`` tokens of the block and its
                           :data:`CLASSID_ANCESTORS` nearest ancestors, nearest first,
                           space-separated, deduplicated, cut to :data:`CLASSID_MAX_CHARS`.
``position``    float64 array  line index over the number of lines, in [0, 1).
``landmark``    list[str]  the page regions the block sits in, nearest first, space-separated:
                           the tags in :data:`LANDMARK_TAGS` (``"nav"``, ``"footer"`` ...) and the
                           ``role`` and ``itemprop`` values of the block and all its ancestors
                           (``"role=navigation"``, ``"itemprop=author"``), deduplicated, cut
                           to :data:`LANDMARK_MAX_CHARS`. The evidence of ``boilerplate.silver``.
``href``        list[str]  the target of the line's first link text: the ``href`` of the
                           innermost ``<a>`` around the first non-blank piece of the line's
                           text that is inside a link (in a ``<pre>`` block, of the one line
                           that holds it), whitespace-stripped, as written (relative or absolute),
                           cut to :data:`HREF_MAX_CHARS`; ``""`` when no text of the line is
                           in a link or the link has no ``href``.
``link_rel``    list[str]  the same link's ``rel`` tokens, lowercased, space-separated
                           (``"sponsored noopener"``: paid links are marked so), cut to
                           :data:`HREF_MAX_CHARS`; ``""`` if none.

Bytes are decoded as follows: a UTF-8/UTF-16 byte-order mark wins; else bytes that are valid
UTF-8 are UTF-8 (re-saved crawls often keep a stale legacy ``<meta charset>``, while legacy text
is almost never valid UTF-8 by chance); else the charset the transport declares (``render``'s
``encoding``: a crawled response's HTTP ``Content-Type``, as browsers take it first); else the
encoding declared by ``<meta charset=...>``,
``<meta http-equiv="Content-Type" content="...; charset=...">`` or an XML declaration in the
first :data:`SNIFF_BYTES` bytes; else, with no declaration, the encoding a library detects
(:func:`~boilerplate.lines.guess_encoding`: Resiliparse's uchardet, unless the bytes are mostly
UTF-8 with some damage), so an undeclared ``cp1252`` page keeps its "café". Undecodable bytes become U+FFFD with a
:class:`~boilerplate.lines.DecodingWarning`. Unknown charset names fall back to UTF-8; labels
are mapped as browsers map them (``iso-8859-1`` and ``us-ascii`` mean windows-1252,
``gb2312`` means gb18030, UTF-16 and UTF-7 labels mean UTF-8, ...). The 7-bit ISO-2022
encodings are honoured even on bytes that are valid UTF-8. ``str`` input is used as is; any encoding declaration in it is ignored. NUL
characters are removed before parsing.

Robustness: broken markup is repaired by libxml2's HTML parser; the walk over the tree is
iterative, so deep nesting never meets Python's recursion limit. (Where the install built it, the
walk runs compiled, ``boilerplate._render``: the same rows, checked before use; see
:func:`_compiled_walk`.) libxml2 stops parsing past
2,048 open elements (and drops the rest of the page); when that happens the markup is flattened
(tags nested deeper than :data:`FLATTEN_DEPTH` removed, block tags among them turned into
``<br>``) and parsed again, so the text is kept. libxml2 also drops everything after
``</html>``, where browsers keep it (pages with content after a stray ``</html>`` are common),
so such end tags are removed first. libxml2 compares each attribute of an element with every
earlier one (50,000 attributes on one element took ~30 s), so a start tag keeps its first
:data:`MAX_ATTRIBUTES` attributes (:func:`cap_attributes`: one linear scan of the bytes that finds
tags where HTML5's tokenizer does, skipping comments and raw-text elements; no real page comes near
the cap). Empty, blank and body-less pages give a Document with no
lines. Input over ``max_bytes`` (:data:`MAX_HTML_BYTES`, 20 MiB, measured in UTF-8 bytes for
``str``) raises :class:`HTMLTooLargeError`.

Known differences from a browser: CSS is not applied (a ``display:block`` span stays inline,
stylesheet-hidden elements stay, custom elements are inline), table text outside cells is not
moved before the table, script-built content is absent, and text in the source that was
mis-encoded before it was saved (double-encoded UTF-8, ``â€™``) is not repaired.

Rendering is deterministic and holds no state between calls (the parser is per thread).
"""

from __future__ import annotations

import codecs
import os
import re
import sys
import threading
import warnings
from collections.abc import Callable, Container
from functools import cache, lru_cache
from typing import Protocol

import numpy as np
from lxml import etree

from .compiled import compiled_calling
from .document import CUE_FIELDS, Document
from .lines import charset_codec, decode, guess_encoding

__all__ = [
    "BLOCK_TAGS",
    "DROP_TAGS",
    "MAX_HTML_BYTES",
    "HTMLTooLargeError",
    "decode_html",
    "detect_encoding",
    "render",
    "render_text",
]

#: Largest page :func:`render` accepts, in bytes (UTF-8 bytes for ``str`` input): 20 MiB.
#: Real article pages are well under 5 MiB; larger input is almost always a dump or an attack.
MAX_HTML_BYTES = 20 * 1024 * 1024

#: How many leading bytes are searched for a charset declaration.
SNIFF_BYTES = 4096

#: ``path`` keeps this many trailing tag names.
PATH_COMPONENTS = 8
#: ``classid`` reads the block and this many of its nearest ancestors.
CLASSID_ANCESTORS = 5
#: ``classid`` is cut to this many characters (at a token boundary).
CLASSID_MAX_CHARS = 200
#: Distinct (own tokens, inherited tokens) pairs whose ``classid`` string is kept: a list's items
#: and a site's pages repeat the same pairs. Only pairs of at most ``CLASSID_CACHE_MAX_CHARS``
#: token characters are kept (a hostile class attribute is joined and dropped), so the cache
#: holds at most a few MiB.
CLASSID_CACHE_SIZE = 1 << 12
CLASSID_CACHE_MAX_CHARS = 4 * CLASSID_MAX_CHARS
#: Sectioning tags recorded in the ``landmark`` cue.
LANDMARK_TAGS = frozenset({"nav", "header", "footer", "aside", "main", "article", "form", "search"})
#: ``landmark`` is cut to this many characters (at a token boundary; nearest regions are kept).
LANDMARK_MAX_CHARS = 160
#: ``<meta>`` names and properties (lowercase) that give a page's publication date, first found wins.
DATE_META = ("article:published_time", "og:published_time", "datepublished", "date", "dc.date",
             "dcterms.date", "dc.date.issued", "pubdate", "publish-date", "sailthru.date")
#: ``href`` is cut to this many characters (host, path and the start of the query survive).
HREF_MAX_CHARS = 200
#: Longest date value kept (an ISO 8601 timestamp with zone is 25 characters).
DATE_MAX_CHARS = 40
#: Tags nested deeper than this are removed when libxml2's depth limit forces a re-parse.
FLATTEN_DEPTH = 1000
#: Most attributes a start tag keeps; the rest of the tag's attributes are removed before parsing.
#: libxml2 checks each attribute against every earlier one of its element, so 50,000 attributes
#: on one element took ~30 s; real elements have a few dozen.
MAX_ATTRIBUTES = 1000

#: Elements that start and end a line (the HTML block-level set, plus table parts and the
#: form-control lists whose entries a reader sees one per line).
BLOCK_TAGS = frozenset({
    "html", "body", "address", "article", "aside", "blockquote", "caption", "center", "dd",
    "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer",
    "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "legend", "li",
    "listing", "main", "menu", "nav", "ol", "optgroup", "option", "p", "plaintext", "pre",
    "search", "section", "select", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "ul", "xmp", "textarea", "frameset",
})

#: Elements whose whole content (not their tail) is invisible.
DROP_TAGS = frozenset({
    "head", "title", "script", "style", "noscript", "template", "svg", "iframe", "object",
    "embed", "video", "audio", "canvas", "map", "datalist", "noframes",
})

#: Elements whose source line ends are kept as line ends.
_PRE_TAGS = frozenset({"pre", "listing", "xmp", "plaintext", "textarea"})

_HIDDEN_STYLE = re.compile(r"(?:^|[;\s{])(?:display\s*:\s*none|visibility\s*:\s*hidden)(?![\w-])", re.IGNORECASE)

_HTML_END = re.compile(rb"</html\s*>", re.I)
_HTML_END_TAIL = re.compile(rb"</html\s*>(?:\s|<!--.*?-->)*\Z", re.I | re.S)
# React/Remix streaming SSR sends Suspense content in <div hidden id="S:n"> and moves it into place.
_STREAMED_ID = re.compile(r"S:[0-9a-z]+\Z")
# Class/id words of collapsed accordions, tab panels, FAQ answers, "read more" parts: content a
# reader opens with a click, hidden only until then.
_REVEALABLE = re.compile(
    r"accordion|collaps|tab-?pane|tab-?panel|tabs?[-_]+content|faq|toggle[-_]+content|answer"
    r"|read-?more|expand", re.I)

_CHARSET_META = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_:.+\-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_:.+\-]+)""", re.IGNORECASE)

# Encodings whose text is 7-bit ASCII bytes too: a declaration of them must win over "valid UTF-8".
_SEVEN_BIT = frozenset({"iso2022_jp", "iso2022_jp_1", "iso2022_jp_2", "iso2022_jp_2004",
                        "iso2022_jp_3", "iso2022_jp_ext", "iso2022_kr", "hz"})
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

# Tags matched by the flattening fallback (str input), and the void elements it never pushes.
_TAG_TOKEN = re.compile(r"<(/?)([A-Za-z][^\s/>]*)[^>]*>")
_VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                        "meta", "param", "source", "track", "wbr", "keygen", "frame", "image"})
_SURROGATES = re.compile("[\ud800-\udfff]")
#: An element's attribute reader: name -> value, or None when the element has no such attribute.
Getter = Callable[[str], "str | None"]
# Elements whose content is text to the tokenizer (no tags in it): up to their end tag, except
# plaintext (to the end of the page) and script (whose end tag does not count inside a
# "<!--<script>...</script>" escape). Row 0 must be script and the last row plaintext.
_RAW_TEXT_TAGS = (b"script", b"style", b"xmp", b"iframe", b"noembed", b"noframes", b"textarea", b"title",
                  b"plaintext")
_RAW_TEXT_NAMES = np.zeros((len(_RAW_TEXT_TAGS), max(map(len, _RAW_TEXT_TAGS))), dtype=np.uint8)
for _i, _name in enumerate(_RAW_TEXT_TAGS):
    _RAW_TEXT_NAMES[_i, :len(_name)] = np.frombuffer(_name, dtype=np.uint8)
del _i, _name
_SPACE_BYTES = np.zeros(256, dtype=np.bool_)  # HTML's blanks: space, tab, LF, FF, CR
_SPACE_BYTES[[9, 10, 12, 13, 32]] = True

_local = threading.local()


class HTMLTooLargeError(ValueError):
    """The page is larger than the ``max_bytes`` that :func:`render` accepts."""


#: libxml2's options for :func:`render` (UTF-8 input, comments and processing instructions dropped,
#: no id table, no network).
PARSER_OPTIONS = {"encoding": "utf-8", "remove_comments": True, "remove_pis": True, "huge_tree": True,
                  "no_network": True, "recover": True, "compact": True, "default_doctype": False,
                  "collect_ids": False}


def _parser() -> etree.HTMLParser:
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = etree.HTMLParser(**PARSER_OPTIONS)
    return parser


def detect_encoding(data: bytes, transport: str | None = None) -> str:
    """The encoding :func:`render` decodes ``data`` with (see the module docstring); ``transport``
    is the charset the bytes' transport declares (an HTTP ``Content-Type``), which comes before
    the page's own declaration, as in browsers (an unknown label is ignored)."""
    if data.startswith(_BOMS):
        return "utf-16-le" if data.startswith(codecs.BOM_UTF16_LE) else (
            "utf-16-be" if data.startswith(codecs.BOM_UTF16_BE) else "utf-8")
    declared = charset_codec(transport) if transport else None
    if declared is None:
        head = data[:SNIFF_BYTES]
        match = _XML_DECL.match(head) or _CHARSET_META.search(head)
        declared = charset_codec(match.group(1)) if match else None
    if declared is not None and declared.replace("-", "_") in _SEVEN_BIT and data.isascii():
        return declared  # 7-bit text is valid UTF-8 too: the declaration decides (not on 8-bit bytes)
    if declared == "utf-8":
        return "utf-8"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return guess_encoding(data) if declared is None else declared
    return "utf-8"


def _decode_bytes(data: bytes, transport: str | None = None) -> tuple[str, str, bool]:
    """(text, encoding, exact): ``exact`` when the bytes are valid UTF-8 without a BOM."""
    encoding = detect_encoding(data, transport)
    if encoding == "utf-8" and not data.startswith(codecs.BOM_UTF8):
        try:
            return data.decode("utf-8"), encoding, True
        except UnicodeDecodeError:
            pass
    return decode(data, encoding), encoding, False


def decode_html(data: bytes, encoding: str | None = None) -> str:
    """HTML bytes decoded as :func:`render` decodes them: a BOM, else the declared charset when
    the bytes are not valid UTF-8 (``encoding``, the transport's, before the page's own), else a
    detected one (:func:`~boilerplate.lines.guess_encoding`); undecodable bytes replaced (with a
    warning)."""
    return _decode_bytes(bytes(data), encoding)[0]


def _flatten(text: str, limit: int) -> str:
    """Remove tags nested deeper than ``limit`` (block tags become ``<br>``), keeping all text.

    Used only when libxml2 gave up on nesting depth. A simple tag tokenizer: unclosed tags count
    as open, which only flattens more.
    """
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # (tag, kept)
    pos = 0
    for m in _TAG_TOKEN.finditer(text):
        name = m.group(2).lower()
        if name in _VOID_TAGS:
            continue
        start, end = m.span()
        if not m.group(1):  # opening tag
            keep = len(stack) < limit
            stack.append((name, keep))
            if not keep:
                out.append(text[pos:start])
                out.append("<br>" if name in BLOCK_TAGS else "")
                pos = end
            continue
        for i in range(len(stack) - 1, max(-1, len(stack) - 65), -1):  # closing tag: match nearby
            if stack[i][0] == name:
                keep = stack[i][1]
                del stack[i:]
                if not keep:
                    out.append(text[pos:start])
                    out.append("<br>" if name in BLOCK_TAGS else "")
                    pos = end
                break
    out.append(text[pos:])
    return "".join(out)


def _to_text(html: bytes | str, max_bytes: int, transport: str | None = None) -> tuple[str, bytes, str | None]:
    """Decode and size-check the input: (text, its UTF-8 bytes for the parser, encoding used)."""
    if isinstance(html, (bytes, bytearray, memoryview)):
        data = bytes(html)
        if len(data) > max_bytes:
            raise HTMLTooLargeError(
                f"HTML input is {len(data):,} bytes, over the limit of {max_bytes:,} bytes "
                "(pass a larger max_bytes to render it anyway)")
        text, encoding, exact = _decode_bytes(data, transport)
        if exact and b"\x00" not in data:
            return text, data, encoding  # valid UTF-8 without a BOM: the bytes parse as they are
    elif isinstance(html, str):
        text, encoding = html, None
        if len(text) > max_bytes:  # each character is at least one byte
            raise HTMLTooLargeError(
                f"HTML input is {len(text):,} characters, over the limit of {max_bytes:,} bytes "
                "(pass a larger max_bytes to render it anyway)")
    else:
        raise TypeError(f"html must be bytes or str, not {type(html).__name__}")
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates in str input
        text = _SURROGATES.sub("\ufffd", text)
        data = text.encode("utf-8")
    if encoding is None and len(data) > max_bytes:
        raise HTMLTooLargeError(
            f"HTML input is {len(data):,} bytes as UTF-8, over the limit of {max_bytes:,} bytes "
            "(pass a larger max_bytes to render it anyway)")
    return text, data, encoding


def _drop_html_end(data: bytes) -> bytes:
    """Remove ``</html>`` end tags when anything but blanks and comments follows the first one.

    Browsers ignore them (content after ``</html>`` goes into the body); libxml2 drops all that
    follows, which on real pages can be the whole article.
    """
    i = data.find(b"</html")
    if i < 0:
        i = data.find(b"</HTML")
    if i >= 0 and not _HTML_END_TAIL.match(data, i):
        data = _HTML_END.sub(b"", data)
    return data


def _name_at(buf, at, names, row, length):  # pragma: no cover - compiled
    """Whether ``buf[at:at + length]`` is ``names[row]`` (ASCII case-insensitive) followed by a
    blank, ``/`` or ``>`` (or the end of the page)."""
    n = len(buf)
    if at + length > n:
        return False
    for k in range(length):
        c = buf[at + k]
        if (c | 32 if 65 <= c <= 90 else c) != names[row, k]:
            return False
    if at + length == n:
        return True
    after = buf[at + length]
    return after == 32 or after == 9 or after == 10 or after == 12 or after == 13 or after == 47 or after == 62


def _raw_text_end(buf, at, names, row, length):  # pragma: no cover - compiled
    """Where the text content of raw-text element ``names[row]`` that starts at ``at`` ends: the
    ``<`` of its end tag, or the end of the page. Script data follows HTML5's escape states: after
    ``<!--``, a ``<script`` opens a part where ``</script`` does not end the element, up to the next
    ``</script`` or ``-->``. Plaintext (the last row) never ends."""
    n = len(buf)
    if row == names.shape[0] - 1:
        return n
    escaped = False
    double = False
    i = at
    while i < n:
        c = buf[i]
        if c == 45 and escaped and i + 2 < n and buf[i + 1] == 45 and buf[i + 2] == 62:  # "-->"
            escaped = False
            double = False
            i += 3
            continue
        if c != 60:
            i += 1
            continue
        if row == 0 and not escaped and i + 3 < n and buf[i + 1] == 33 and buf[i + 2] == 45 and buf[i + 3] == 45:
            escaped = True  # "<!--" in script data
            i += 4
            continue
        if i + 1 < n and buf[i + 1] == 47 and _name_at(buf, i + 2, names, row, length):
            if not double:
                return i
            double = False
        elif row == 0 and escaped and not double and _name_at(buf, i + 1, names, row, length):
            double = True
        i += 1
    return n


_NAME_AT, _RAW_TEXT_END = _name_at, _raw_text_end  # the plain functions, for compiling


def _crowded_tags(buf, max_attributes, space, names, out):  # pragma: no cover - compiled
    """Scan ``buf`` (a page's bytes) for start tags with more than ``max_attributes`` attributes,
    reading tags as HTML5's tokenizer reads them in the cases that decide where a tag is (below);
    write the span of each such tag's attributes after the first ``max_attributes`` (start, end)
    into ``out``; return how many spans were written.

    ``space`` flags the blank bytes; ``names`` holds the raw-text element names (zero-padded rows,
    :data:`_RAW_TEXT_TAGS`). Skipped as the tokenizer skips them, so their text is never read as
    attributes: comments (closed by ``-->``, ``--!>``, or at once by ``<!-->`` and ``<!--->``),
    other ``<!...>`` and ``<?...>`` and ``</`` + non-letter (bogus comments, to ``>``), end tags,
    and the text content of raw-text elements (:func:`_raw_text_end`). Each byte is read a bounded
    number of times: linear in the page.
    """
    n = len(buf)
    width = names.shape[1]
    found = 0
    i = 0
    while i < n:
        if buf[i] != 60:  # "<"
            i += 1
            continue
        if i + 3 < n and buf[i + 1] == 33 and buf[i + 2] == 45 and buf[i + 3] == 45:  # "<!--"
            j = i + 4
            if j < n and buf[j] == 62:  # "<!-->"
                i = j + 1
                continue
            if j + 1 < n and buf[j] == 45 and buf[j + 1] == 62:  # "<!--->"
                i = j + 2
                continue
            while j < n:  # to "-->" or "--!>"
                if buf[j] == 45 and j + 2 < n and buf[j + 1] == 45:
                    if buf[j + 2] == 62:
                        j += 3
                        break
                    if buf[j + 2] == 33 and j + 3 < n and buf[j + 3] == 62:
                        j += 4
                        break
                j += 1
            i = j
            continue
        end_tag = i + 1 < n and buf[i + 1] == 47
        j = i + 2 if end_tag else i + 1
        if i + 1 < n and (buf[i + 1] == 33 or buf[i + 1] == 63 or (end_tag and j < n and not (
                65 <= buf[j] <= 90 or 97 <= buf[j] <= 122))):  # "<!", "<?", "</" + non-letter: to ">"
            while j < n and buf[j] != 62:
                j += 1
            i = j + 1
            continue
        if j >= n or not (65 <= buf[j] <= 90 or 97 <= buf[j] <= 122):
            i += 1
            continue
        name_start = j
        while j < n and not (space[buf[j]] or buf[j] == 47 or buf[j] == 62):
            j += 1
        length = j - name_start
        count = 0
        cut = -1
        while True:
            while j < n and (space[buf[j]] or buf[j] == 47):  # blanks and stray "/"
                j += 1
            if j >= n or buf[j] == 62:
                break
            j += 1  # an attribute name: its first character may be "=" or a quote
            while j < n and not (space[buf[j]] or buf[j] == 47 or buf[j] == 62 or buf[j] == 61):
                j += 1
            k = j
            while k < n and space[buf[k]]:
                k += 1
            if k < n and buf[k] == 61:  # "=" and a value
                k += 1
                while k < n and space[buf[k]]:
                    k += 1
                if k < n and (buf[k] == 34 or buf[k] == 39):  # quoted: to the closing quote
                    quote = buf[k]
                    k += 1
                    while k < n and buf[k] != quote:
                        k += 1
                    j = k + 1
                else:  # unquoted: to a blank or ">"
                    while k < n and not (space[buf[k]] or buf[k] == 62):
                        k += 1
                    j = k
            count += 1
            if count == max_attributes:
                cut = j
        if count > max_attributes and not end_tag and found < out.shape[0]:
            out[found, 0] = cut
            out[found, 1] = min(j, n)
            found += 1
        i = j + 1
        if end_tag or i >= n or length > width:
            continue
        for row in range(names.shape[0]):
            if (length == width or names[row, length] == 0) and _name_at(buf, name_start, names, row, length):
                i = _raw_text_end(buf, i, names, row, length)
                break
    return found


def cap_attributes(data: bytes) -> bytes:
    """Cut every start tag to its first :data:`MAX_ATTRIBUTES` attributes, tags and attributes found
    where HTML5's tokenizer finds them in the cases :func:`_crowded_tags` lists (compiled by numba;
    without numba the page is left as it is). A page without such a tag comes back as it is."""
    scan = _compiled_scan()
    if scan is None or len(data) < 2 * MAX_ATTRIBUTES:
        return data
    buf = np.frombuffer(data, dtype=np.uint8)
    spans = np.empty((len(data) // (2 * MAX_ATTRIBUTES) + 1, 2), dtype=np.int64)
    found = scan(buf, MAX_ATTRIBUTES, _SPACE_BYTES, _RAW_TEXT_NAMES, spans)
    if not found:
        return data
    pieces, at = [], 0
    for start, end in spans[:found].tolist():
        pieces.append(data[at:start])
        at = end
    pieces.append(data[at:])
    return b"".join(pieces)


def _compiled_scan():
    """:func:`_crowded_tags` compiled by numba (its helpers too), or None without numba."""
    return compiled_calling(_crowded_tags, globals(), {"_name_at": _NAME_AT, "_raw_text_end": _RAW_TEXT_END})


def _parse(text: str, data: bytes) -> etree._Element | None:
    """Parse with libxml2, re-parsing flattened markup if its nesting limit was hit."""
    parser = _parser()
    limit = FLATTEN_DEPTH
    while True:
        data = cap_attributes(_drop_html_end(data))
        if not data or data.isspace():
            return None
        root = etree.fromstring(data, parser)
        last = parser.error_log.last_error
        if last is None or last.type != etree.ErrorTypes.ERR_RESOURCE_LIMIT or limit < 1:
            return root
        text = _flatten(text, limit)
        data = text.encode("utf-8")
        limit //= 4


def _is_hidden(get: Getter, keys: Container[str], tag: str) -> bool:
    """True if an element with attributes ``keys`` (``get`` reads their values) is hidden by markup
    (module docstring)."""
    if "hidden" in keys:
        hidden = True
    elif "aria-hidden" in keys and (get("aria-hidden") or "").strip().lower() == "true":
        hidden = True
    elif "style" in keys and tag != "html" and tag != "body":
        style = get("style") or ""
        low = style.lower()  # a cheap test first; CSS keywords are case-insensitive
        hidden = ("none" in low or "hidden" in low) and _HIDDEN_STYLE.search(style) is not None
    else:
        return False
    return hidden and not _is_revealable(get)


def _is_revealable(get: Getter) -> bool:
    """Hidden content a reader can reveal, or that scripts move into view: kept (module docstring)."""
    ident = get("id") or ""
    if ident and _STREAMED_ID.match(ident) is not None:
        return True
    if get("role") in ("tabpanel", "region") or get("hidden") == "until-found":
        return True
    cls = get("class")
    return _REVEALABLE.search(f"{cls} {ident}" if cls else ident) is not None


def _tokens(get: Getter) -> tuple[str, ...]:
    """Lowercased class and id tokens of one element (``get`` reads its attributes)."""
    cls = get("class")
    ident = get("id")
    if cls:
        if ident:
            return tuple(f"{cls} {ident}".lower().split())
        return tuple(cls.lower().split())
    return tuple(ident.lower().split()) if ident else ()


def _cap(classid: str) -> str:
    """Cut a classid string to CLASSID_MAX_CHARS at a token boundary."""
    if len(classid) <= CLASSID_MAX_CHARS:
        return classid
    head = classid[:CLASSID_MAX_CHARS + 1]
    return head.rsplit(" ", 1)[0] if " " in head else ""


def _classid(getters: list, cache: list, idx: int) -> str:
    """The ``classid`` cue of the block at ``getters[idx]`` (the attribute readers of the open elements).

    ``cache[j]`` holds, for the open element ``j``, its own tokens and the deduplicated
    tokens of it and its ``CLASSID_ANCESTORS - 1`` nearest ancestors (with their capped string):
    attribute reads are slow in lxml, and sibling blocks share their parent's chain.
    """
    entry = cache[idx]
    if entry is None:
        entry = cache[idx] = [_tokens(getters[idx]), None, None]
    own = entry[0]
    parent = idx - 1
    if parent < 0:
        return _cap(" ".join(dict.fromkeys(own)))
    pentry = cache[parent]
    if pentry is None:
        pentry = cache[parent] = [_tokens(getters[parent]), None, None]
    if pentry[1] is None:
        found: list[str] = []
        for i in range(parent, max(-1, parent - CLASSID_ANCESTORS), -1):
            e = cache[i]
            if e is None:
                e = cache[i] = [_tokens(getters[i]), None, None]
            found += e[0]
        tokens = tuple(dict.fromkeys(found))
        pentry[1] = tokens
        pentry[2] = _cap(" ".join(tokens))
    if not own:
        return pentry[2]
    inherited = pentry[1]
    if sum(map(len, own)) + sum(map(len, inherited)) > CLASSID_CACHE_MAX_CHARS:
        return _join_classid(own, inherited)
    return _kept_classid(own, inherited)


def _join_classid(own: tuple[str, ...], inherited: tuple[str, ...]) -> str:
    """The capped ``classid`` string of a block with tokens ``own`` below ancestors with ``inherited``."""
    return _cap(" ".join(dict.fromkeys(own + inherited)))


_kept_classid = lru_cache(maxsize=CLASSID_CACHE_SIZE)(_join_classid)


class _Lines:
    """The state of one walk over a tree: the rows made so far, the line being built, and one entry
    per open element on each stack; text is added by :meth:`add_text`, lines and cues are made by
    :meth:`flush`. The compiled walk (``boilerplate._render``, the same steps over libxml2's nodes)
    has a typed copy of this class and of :func:`_classid`, which tests check against these: the
    Python walk with this state is the reference.
    """

    __slots__ = ("rows", "pieces", "link_pieces", "links", "line_href", "names", "getters", "cache",
                 "marks", "blocks", "last")

    def __init__(self) -> None:
        # one row per line: (line, block cues, link ratio, href, rel); the block cues are the tuple
        # (tag, path, depth, classid, landmark) shared by every line of one block element
        self.rows: list[tuple[str, tuple, float, str, str]] = []
        self.pieces: list[str] = []  # raw text of the line being built; never starts with blank text
        self.link_pieces: list[str] = []  # the part of it inside <a>
        self.links: list[tuple[str, str]] = []  # (href, rel) of each open <a>, innermost last
        # (href, rel, offset in the line's raw text) of the line's first non-blank link text, once there is some
        self.line_href: list[tuple[str, str, int]] = []
        self.names: list[str] = []  # tag names of open elements ("" for skipped and non-elements)
        self.getters: list = []  # their attribute readers (name -> value or None), one object per element
        self.cache: list = []  # their class/id tokens for _classid, computed on demand
        self.marks: list[str] = []  # their landmark cue (inherited from the parent, own evidence first)
        self.blocks: list[int] = []  # indexes into the stacks of the open block elements
        self.last: list = [None, None]  # attribute reader of the last line's block, and its cues

    def flush(self, in_pre: int) -> None:
        """Make the line(s) of the pieces gathered (many inside ``pre``-like blocks)."""
        pieces, link_pieces, line_href = self.pieces, self.link_pieces, self.line_href
        raw = "".join(pieces)
        pieces.clear()
        if link_pieces:  # the link text's non-blank characters (a count that adds over pieces)
            link = len("".join("".join(link_pieces).split()))
            link_pieces.clear()
        else:
            link = 0
        href, rel, at = line_href.pop() if line_href else ("", "", -1)
        idx = self.blocks[-1]
        get = self.getters[idx]
        last = self.last
        if get is not last[0]:
            names = self.names
            start = idx - PATH_COMPONENTS + 1
            last[0] = get
            last[1] = (names[idx], ">".join(names[max(0, start):idx + 1]), idx,
                       _classid(self.getters, self.cache, idx), self.marks[idx])
        rows = self.rows
        if not in_pre:  # one line, never blank (its first piece is not)
            line = " ".join(raw.split())
            rows.append((line, last[1], min(1.0, link / (len(line) - line.count(" "))) if link else 0.0,
                         href, rel))
            return
        rows += _pre_rows(raw, last[1], link, href, rel, at)

    def add_text(self, text: str | None, in_pre: int) -> None:
        """An element's text or tail joins the line being built, unless it is blank and would open
        it. Text inside a link also counts as link text, and the line's first non-blank link text
        gives it its link; in a pre block, where one flush makes many lines, its offset says which
        of them."""
        pieces = self.pieces
        if text and (pieces or not text.isspace()):
            pieces.append(text)
            if self.links:
                self.link_pieces.append(text)
                if not self.line_href and not text.isspace():
                    at = sum(map(len, pieces)) - len(text.lstrip()) if in_pre else 0
                    self.line_href.append((*self.links[-1], at))


def _pre_rows(raw: str, cues: tuple, link: int, href: str, rel: str, at: int) -> list[tuple[str, tuple, float, str, str]]:
    """The rows of one flush inside a ``pre``-like block: a row per non-blank line of ``raw``, all
    with the block ``cues`` and the link ratio of ``link`` link characters; the line holding offset
    ``at`` (the first link text) gets ``href`` and ``rel``. Shared by both walks' states (rare: not
    worth a typed copy)."""
    owner = 0  # the part that holds the link text (one of many)
    parts: list[str] = []
    start = 0
    for raw_line in raw.splitlines(keepends=True):
        line = " ".join(raw_line.split())
        if line:
            if start <= at < start + len(raw_line):
                owner = len(parts)
            parts.append(line)
        start += len(raw_line)
    ratio = 0.0
    if link and parts:
        ratio = min(1.0, link / sum(len(line) - line.count(" ") for line in parts))
    return [(line, cues, ratio, href if i == owner else "", rel if i == owner else "") for i, line in enumerate(parts)]


class _Rows(Protocol):
    """What a walk gives :func:`render`: its rows (:class:`_Lines`, or the compiled walk's copy)."""

    rows: list[tuple[str, tuple, float, str, str]]


def _columns(rows: list[tuple[str, tuple, float, str, str]]) -> tuple[
        list[str], list[str], list[str], list[int], list[float], list[str], list[str], list[str], list[str]]:
    """A walk's rows as columns: lines, tags, paths, depths, link ratios, classids, landmarks, hrefs, rels."""
    if not rows:
        return [], [], [], [], [], [], [], [], []
    lines, cues, ratios, hrefs, rels = map(list, zip(*rows))
    tags, paths, depths, classids, landmarks = map(list, zip(*cues))
    return lines, tags, paths, depths, ratios, classids, landmarks, hrefs, rels


def _walk(root: etree._Element, drop_hidden: bool = True) -> _Lines:
    """One iterative pass over the tree: lines and their block cues.

    ``iterwalk`` gives start and end events; invisible subtrees are skipped (their ``end`` event
    still comes, and their tail is text of the enclosing line).
    """
    state = _Lines()
    pieces, links = state.pieces, state.links
    names, getters, cache, marks, blocks = state.names, state.getters, state.cache, state.marks, state.blocks
    flush, add_text = state.flush, state.add_text
    in_pre = 0  # open pre-like elements
    walker = etree.iterwalk(root, events=("start", "end"))
    skip = walker.skip_subtree
    for event, el in walker:
        if event == "start":
            tag = el.tag
            mark = marks[-1] if marks else ""
            get = el.get
            if tag.__class__ is not str or tag in DROP_TAGS:  # comment/PI, or invisible
                skip()
                tag = ""
            else:
                keys = el.keys()
                if keys and drop_hidden and _is_hidden(get, keys, tag):
                    skip()
                    tag = ""
                elif tag in LANDMARK_TAGS or (keys and ("role" in keys or "itemprop" in keys)):
                    mark = _landmark(get, tag, keys, mark)
            names.append(tag)
            getters.append(get)
            cache.append(None)
            marks.append(mark)
            if not tag:
                continue
            if tag in BLOCK_TAGS:
                if pieces:
                    flush(in_pre)
                blocks.append(len(names) - 1)
                if tag in _PRE_TAGS:
                    in_pre += 1
            elif tag == "br":
                if pieces:
                    flush(in_pre)
                continue
            elif tag == "a":
                links.append(_link(get))
            add_text(el.text, in_pre)
        else:
            tag = names[-1]
            if tag:
                if tag in BLOCK_TAGS:
                    if pieces:
                        flush(in_pre)
                    blocks.pop()
                    if tag in _PRE_TAGS:
                        in_pre -= 1
                elif tag == "a":
                    links.pop()
            names.pop()
            getters.pop()
            cache.pop()
            marks.pop()
            if names:  # the root's tail is outside the page
                add_text(el.tail, in_pre)
    if pieces:
        flush(in_pre)
    return state


#: A page that takes every branch of the walk: hidden elements (kept and dropped), landmarks,
#: links with ``rel`` (also in ``pre``), ``br``, tails, nested blocks, long class chains, a comment,
#: a dropped script, entities and non-ASCII text. :func:`_compiled_walk` checks the compiled walk on it.
_CHECK_PAGE = """<!DOCTYPE html><html lang="en"><head><title>T</title><style>p{}</style></head>
<body class="b" id="top"><nav role="navigation"><ul class="menu main"><li><a href="/a" rel="Nofollow Sponsored">A</a>
</li><li class="x"> <b>B</b> tail </li></ul></nav><div class="c1"><div class="c2"><div class="c3"><div class="c4">
<div class="c5"><div class="c6 c6"><p id="deep" class="p">Deep&nbsp;text &amp; <a href=" /x ">link</a> more</p>
</div></div></div></div></div></div><div hidden>gone</div><div hidden="until-found">found</div>
<div style="display: none">styled</div><div aria-hidden="TRUE">aria</div><div id="S:1" hidden>streamed</div>
<section itemprop="articleBody" role="main"><h2>Héllo wörld</h2>text<br>after break<!-- c -->
<span>inline</span> tail<hr>more</section><pre class="code">line one
  <a href="/p">linked</a> two

three</pre><textarea>t</textarea><table><tr><td>cell</td><td><p>in cell</p> after</td></tr></table>
<footer><p class="LONG">long class</p></footer>\u00a0\u3000 trailing</body></html>""".replace(
    "LONG", " ".join(f"k{i}" for i in range(60)))


@cache
def _compiled_walk() -> Callable[[etree._Element, bool], _Rows] | None:
    """The compiled walk (``boilerplate._render``: the same rows as :func:`_walk`, about 2.7x
    faster on Scrapinghub and WCXB pages), or None: when it is not built (no C compiler or Cython at
    install), when the environment variable ``BOILERPLATE_PYTHON_WALK`` is set to any non-empty
    value, or when it fails to load or does not make :func:`_walk`'s rows on :data:`_CHECK_PAGE`
    (built against an lxml that differs from this one; a warning says so).

    After editing the ``.pyx``, ``pip install -e .`` rebuilds it."""
    if os.environ.get("BOILERPLATE_PYTHON_WALK"):
        return None
    try:
        from . import _render  # type: ignore[attr-defined]
    except ImportError:
        return None
    except Exception:  # noqa: BLE001 - built against another lxml ("size changed" and the like)
        same = False
    else:
        root = _parse(_CHECK_PAGE, _CHECK_PAGE.encode("utf-8"))
        try:
            _render.bind(sys.modules[__name__])
            same = root is not None and all(_render.walk(root, drop).rows == _walk(root, drop).rows
                                            for drop in (True, False))
        except Exception:  # noqa: BLE001 - any failure means: do not use it
            same = False
    if not same:
        warnings.warn("boilerplate's compiled render walk does not match the Python walk on this lxml; "
                      "using the Python walk (the same output, slower)", RuntimeWarning, stacklevel=2)
        return None
    return _render.walk


def _link(get: Getter) -> tuple[str, str]:
    """The (href, rel) of an ``<a>`` whose attributes ``get`` reads (module docstring: ``href``, ``link_rel``)."""
    return (str(get("href") or "").strip()[:HREF_MAX_CHARS],
            " ".join(str(get("rel") or "").lower().split())[:HREF_MAX_CHARS])


def _landmark(get: Getter, tag: str, keys: Container[str], parent: str) -> str:
    """The ``landmark`` cue of an element: its own region evidence, then its parent's (``keys``
    its attribute names, ``get`` reads their values)."""
    own = [tag] if tag in LANDMARK_TAGS else []
    for attr in ("role", "itemprop"):
        if attr in keys:
            own += [f"{attr}={v}" for v in str(get(attr) or "").lower().split()]
    if not own:
        return parent
    tokens = list(dict.fromkeys(own + parent.split()))
    text = " ".join(tokens)
    if len(text) > LANDMARK_MAX_CHARS:
        text = text[:LANDMARK_MAX_CHARS + 1].rsplit(" ", 1)[0]
    return text


def page_date(root: etree._Element) -> str:
    """The publication date a page declares, as written (``""`` if none): the first
    :data:`DATE_META` ``<meta>`` (by ``property``, ``name`` or ``itemprop``), else the first
    ``<time datetime>``. Not parsed or normalised."""
    found: dict[str, str] = {}
    first_time = ""
    for el in root.iter("meta", "time"):  # filtered in C: no pass over every element in Python
        if el.tag == "time":
            first_time = first_time or str(el.get("datetime") or "").strip()
            continue
        key = str(el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        if key in DATE_META and key not in found:
            found[key] = str(el.get("content") or "").strip()
    for key in DATE_META:
        if found.get(key):
            return found[key][:DATE_MAX_CHARS]
    return first_time[:DATE_MAX_CHARS]


def render(html: bytes | str, id: str = "", max_bytes: int = MAX_HTML_BYTES, *,
           drop_hidden: bool = True, encoding: str | None = None) -> Document:
    """Render a page into its visible lines, one per block, with markup cues (module docstring).

    ``html`` is the page as bytes (decoded as described above) or as ``str`` (used as is).
    ``meta`` of the result holds ``"format": "html"``, the ``"encoding"`` used for bytes input
    (``None`` for ``str``), the page's ``"title"`` (whitespace-normalised, ``""`` if none),
    which is not a line, ``"lang"``, the root element's ``lang`` attribute (lowercase, ``""``
    if none), and ``"date"``, the publication date the page declares (:func:`page_date`). Raises :class:`HTMLTooLargeError` over ``max_bytes``.
    ``encoding`` is the charset the transport declares for bytes input (the HTTP ``Content-Type``
    of a crawled response): it comes before the page's ``<meta charset>`` when the bytes are not
    valid UTF-8 (:func:`detect_encoding`).
    """
    text, data, encoding = _to_text(html, max_bytes, encoding)
    root = _parse(text, data)
    title, lang, date = "", "", ""
    state: _Rows = _Lines()  # no lines for a page with nothing to parse
    if root is not None:
        date = page_date(root)
        lang = str(root.get("lang") or root.get("xml:lang") or "").strip().lower()
        title_el = root.find("head/title")
        if title_el is not None:
            title = " ".join("".join(title_el.itertext()).split())
        state = (_compiled_walk() or _walk)(root, drop_hidden)
    lines, tags, paths, depths, ratios, classids, landmarks, hrefs, rels = _columns(state.rows)
    n = len(lines)
    cues = {
        "tag": tags,
        "path": paths,
        "depth": np.array(depths, dtype=np.int32),
        "link_ratio": np.array(ratios, dtype=np.float64),
        "classid": classids,
        "landmark": landmarks,
        "href": hrefs,
        "link_rel": rels,
        "position": np.arange(n, dtype=np.float64) / n if n else np.zeros(0, dtype=np.float64),
    }
    cues = {name: cues[name] for name in CUE_FIELDS}
    return Document(lines=lines, id=id, cues=cues,
                    meta={"format": "html", "encoding": encoding, "title": title, "lang": lang,
                          "date": date})


def render_text(html: bytes | str, max_bytes: int = MAX_HTML_BYTES, *, drop_hidden: bool = True) -> str:
    """The rendered lines of ``html`` joined with ``"\\n"`` (no final line end)."""
    return "\n".join(render(html, max_bytes=max_bytes, drop_hidden=drop_hidden).lines)
