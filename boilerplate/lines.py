"""Turning input into lines, exactly and in linear time.

A line is what lies between line ends (``\\r\\n``, ``\\r`` or ``\\n``); its text is kept byte for
byte otherwise, so ``clean`` can give back input lines unchanged. Other characters that
:py:meth:`str.splitlines` treats as breaks (form feed, U+2028, ...) are *not* line ends here: a
scraped page uses them inside lines.
"""

from __future__ import annotations

import codecs
import re
import warnings
from functools import lru_cache
from itertools import compress

import numpy as np

from .compiled import compiled_calling

_LINE_END = re.compile(r"\r\n|\r|\n")
# A newline token marks each line boundary, so one findall over the joined lines gives every
# word together with the line it belongs to.
_WORD_OR_BREAK = re.compile(r"\w+|\n")
#: Scripts written without spaces between words (kana, CJK ideographs): each character counts as
#: a word, so word counts mean the same across languages (Korean Hangul is spaced: left as words).
CJK_RANGES = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
CJK_CHARS = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in CJK_RANGES)  # the ranges as a regex class body
_WORD_OR_BREAK_CJK = re.compile(rf"[{CJK_CHARS}]|[^\W{CJK_CHARS}]+|\n")
#: Lone surrogates: code points a ``str`` can hold (from ``\\ud800`` JSON escapes, or
#: ``surrogateescape``) that no UTF-8 text can; each is replaced with U+FFFD.
_SURROGATES = re.compile("[\ud800-\udfff]")


class DecodingWarning(UserWarning):
    """Input bytes were not valid in the chosen encoding and were replaced."""


def split_lines(text: str) -> list[str]:
    """Split text into lines on ``\\r\\n``, ``\\r`` and ``\\n``; a final line end adds no empty line."""
    if not text:
        return []
    lines = _LINE_END.split(text)
    if lines[-1] == "":
        lines.pop()
    return lines


def line_tokens(lines: list[str], normalise=None, cjk_chars: bool = False) -> tuple[list[str], np.ndarray]:
    """The words (``\\w+`` runs) of all ``lines`` in one regex pass, and each word's line index.

    ``normalise`` (a ``str -> str`` function, e.g. NFKC + lower case) is applied to the joined
    text first; it must not add or remove line ends. ``cjk_chars`` makes each character of the
    unspaced scripts in :data:`CJK_CHARS` a word of its own.
    """
    text = "\n".join(lines)
    pattern = _WORD_OR_BREAK_CJK if cjk_chars else _WORD_OR_BREAK
    tokens = pattern.findall(normalise(text) if normalise else text)
    is_break = np.fromiter(map("\n".__eq__, tokens), dtype=bool, count=len(tokens))
    line_of = np.cumsum(is_break)[~is_break]
    return list(compress(tokens, ~is_break)), line_of


def line_token_ids(lines: list[str], cjk_chars: bool = False, use_compiled: bool = True
                   ) -> tuple[list[str], np.ndarray, np.ndarray]:
    """:func:`line_tokens` as distinct words and indices: ``(vocab, word_id, line_of)``, where token
    ``i`` is ``vocab[word_id[i]]`` on line ``line_of[i]``. Anything computed per word can then be
    computed once per distinct word.

    With numba, one compiled pass over the text's code points finds the tokens, numbers the
    distinct ones (a hash table, each hit checked code point by code point) and makes a string
    for each distinct word only; without it, or with ``use_compiled=False``, one regex pass and one
    dictionary lookup per token, to the same result."""
    text = "\n".join(lines)
    kernel = _compiled_token_ids() if use_compiled else None
    if kernel is None:
        return _regex_token_ids(text, cjk_chars)
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    word_id, line_of, packed = kernel(codes, token_classes(cjk_chars), MAX_PROBES)
    if len(word_id) and word_id[0] < 0:  # a crafted text crowds the hash table: the linear regex path
        return _regex_token_ids(text, cjk_chars)
    # the distinct words come back as one buffer, each followed by a "\n" (which no word holds)
    return packed.tobytes().decode("utf-32-le", "surrogatepass").split("\n")[:-1], word_id, line_of


def _regex_token_ids(text: str, cjk_chars: bool) -> tuple[list[str], np.ndarray, np.ndarray]:
    """:func:`line_token_ids` without numba: one regex pass and one dictionary lookup per token."""
    tokens = (_WORD_OR_BREAK_CJK if cjk_chars else _WORD_OR_BREAK).findall(text)
    # distinct words in order of first occurrence (the break first), then one C-level lookup per token
    vocab = list(dict.fromkeys(["\n", *tokens]))
    index = dict(zip(vocab, range(len(vocab))))
    ids = np.fromiter(map(index.__getitem__, tokens), dtype=np.int64, count=len(tokens))
    is_break = ids == 0
    return vocab[1:], ids[~is_break] - 1, np.cumsum(is_break)[~is_break]


#: Classes of :func:`token_classes`: a separator, a word character, a character that is a word alone.
_SEPARATOR, _WORD_CHAR, _OWN_WORD = 0, 1, 2
CODE_POINTS = 0x110000
#: Most slots one token's lookup may probe in :func:`_token_ids`' table. Real text needs a few; a
#: text crafted so that many words share a slot would make the lookups quadratic, so past this
#: bound the tokens are found by the regex path instead (linear, the same result).
MAX_PROBES = 64
#: 32-bit FNV-1a over code points and MurmurHash3's 32-bit finaliser: the hashes of the tokenizer's
#: table here and of the hashed word features (``detectors.learned.hashing``).
MASK_32 = 0xFFFFFFFF
FNV_OFFSET, FNV_PRIME = 0x811C9DC5, 0x01000193
FMIX1, FMIX2 = 0x85EBCA6B, 0xC2B2AE35


@lru_cache(maxsize=4)
def re_class(pattern: str) -> np.ndarray:
    """Where the :mod:`re` pattern ``pattern`` (a character class with ``+``, such as ``\\w+``)
    matches: a read-only boolean for every code point (0x110000 entries), from the runs ``re``
    finds in a string of all code points, lone surrogates included (a few tens of ms, once)."""
    every = np.arange(CODE_POINTS, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")
    mask = np.zeros(CODE_POINTS, dtype=np.bool_)
    for m in re.finditer(pattern, every):
        mask[m.start():m.end()] = True
    mask.setflags(write=False)
    return mask


@lru_cache(maxsize=2)
def token_classes(cjk_chars: bool) -> np.ndarray:
    """The class of every code point for :func:`line_token_ids` (uint8, read-only): a word
    character where ``\\w`` matches, a word alone in :data:`CJK_RANGES` with ``cjk_chars``, else a
    separator: the classes :data:`_WORD_OR_BREAK` and :data:`_WORD_OR_BREAK_CJK` read."""
    classes = np.where(re_class(r"\w+"), _WORD_CHAR, _SEPARATOR).astype(np.uint8)
    if cjk_chars:
        for lo, hi in CJK_RANGES:
            classes[lo:hi + 1] = _OWN_WORD
    classes.setflags(write=False)
    return classes


def same_run(a, i, b, j, n):  # pragma: no cover - compiled
    """Whether ``a[i:i + n]`` equals ``b[j:j + n]``, item by item (the hash tables' test of a hit)."""
    for k in range(n):
        if a[i + k] != b[j + k]:
            return False
    return True


_same_run = same_run  # what the kernels call (compiled_calling binds it to the compiled version)


def _compiled_token_ids():
    """:func:`_token_ids` compiled by numba (its hit test too), or None without numba."""
    return compiled_calling(_token_ids, globals(), {"_same_run": same_run})


def _token_ids(codes, classes, max_probes):  # pragma: no cover - compiled
    # Tokens: a run of word characters, or one own-word character; a "\n" starts the next line.
    # A first pass counts them (arrays sized by tokens, not characters); the second numbers the
    # distinct tokens in order of first occurrence through an open-addressing table: FNV-1a over
    # the code points, MurmurHash3's finaliser on it for the slot (its low bits then depend on every
    # bit), a hash hit a match only if the code points are equal. Arithmetic is masked to 32 bits,
    # so numba's int64 and Python's int agree. Returns each token's number and line, and the
    # distinct tokens' code points, each followed by a "\n"; word numbers of -1 if a lookup would
    # probe more than max_probes slots.
    n = codes.shape[0]
    count = 0
    prev = 0
    for i in range(n):
        cl = classes[codes[i]]
        if cl == 2 or (cl == 1 and prev != 1):
            count += 1
        prev = cl
    size = 16
    while size < 2 * count:
        size *= 2
    table = np.full(size, -1, dtype=np.int64)
    hashes = np.empty(count, dtype=np.int64)
    first_start = np.empty(count, dtype=np.int64)
    first_end = np.empty(count, dtype=np.int64)
    word_id = np.empty(count, dtype=np.int64)
    line_of = np.empty(count, dtype=np.int64)
    n_tokens = 0
    n_words = 0
    line = 0
    i = 0
    while i < n:
        c = codes[i]
        cl = classes[c]
        if cl == 0:
            if c == 10:
                line += 1
            i += 1
            continue
        start = i
        i += 1
        if cl == 1:
            while i < n and classes[codes[i]] == 1:
                i += 1
        h = FNV_OFFSET
        for j in range(start, i):
            h = ((h ^ int(codes[j])) * FNV_PRIME) & MASK_32
        x = h ^ (h >> 16)
        x = (x * FMIX1) & MASK_32
        x ^= x >> 13
        x = (x * FMIX2) & MASK_32
        x ^= x >> 16
        slot = x & (size - 1)
        found = -1
        probes = 0
        while table[slot] >= 0:
            w = table[slot]
            if hashes[w] == h and first_end[w] - first_start[w] == i - start and \
                    _same_run(codes, first_start[w], codes, start, i - start):
                found = w
                break
            probes += 1
            if probes > max_probes:
                word_id[:] = -1
                return word_id, line_of, np.empty(0, dtype=np.uint32)
            slot = (slot + 1) & (size - 1)
        if found < 0:
            found = n_words
            table[slot] = found
            hashes[found] = h
            first_start[found] = start
            first_end[found] = i
            n_words += 1
        word_id[n_tokens] = found
        line_of[n_tokens] = line
        n_tokens += 1
    chars = 0
    for w in range(n_words):
        chars += first_end[w] - first_start[w] + 1
    packed = np.empty(chars, dtype=np.uint32)
    k = 0
    for w in range(n_words):
        for j in range(first_start[w], first_end[w]):
            packed[k] = codes[j]
            k += 1
        packed[k] = 10
        k += 1
    return word_id, line_of, packed


def is_blank(line: str) -> bool:
    """A blank line holds only whitespace; it carries no label and ``clean`` never emits it."""
    return not line.strip()


def replace_surrogates(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD (and a :class:`DecodingWarning`);
    ``text`` itself when it has none (the common case costs one ASCII check or UTF-8 encode)."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text, bad = _SURROGATES.subn("\ufffd", text)
        warnings.warn(f"input holds {bad} lone surrogate(s), not valid in any UTF-8 text; replaced "
                      "with U+FFFD", DecodingWarning, stacklevel=3)
    return text


#: Charset labels mapped as browsers map them (WHATWG Encoding Standard), for the common ones.
_CHARSET_ALIASES = {
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "iso_8859-1": "cp1252", "latin1": "cp1252",
    "latin-1": "cp1252", "l1": "cp1252", "ascii": "cp1252", "us-ascii": "cp1252",
    "ansi_x3.4-1968": "cp1252", "windows-1252": "cp1252", "cp1252": "cp1252", "x-cp1252": "cp1252",
    "iso-8859-9": "cp1254", "iso8859-9": "cp1254", "latin5": "cp1254",
    "iso-8859-11": "cp874", "tis-620": "cp874", "windows-874": "cp874",
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
    "chinese": "gb18030", "csgb2312": "gb18030",
    "big5": "big5hkscs", "big5-hkscs": "big5hkscs", "x-x-big5": "big5hkscs",
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932",
    "ms_kanji": "cp932", "windows-31j": "cp932", "csshiftjis": "cp932",
    "euc-kr": "cp949", "ks_c_5601-1987": "cp949", "korean": "cp949", "windows-949": "cp949",
    "x-user-defined": "cp1252",
    # A meta tag read as ASCII cannot truly announce UTF-16/32: browsers take UTF-8.
    "utf-16": "utf-8", "utf-16le": "utf-8", "utf-16be": "utf-8", "utf-32": "utf-8",
    "utf-32le": "utf-8", "utf-32be": "utf-8", "unicode": "utf-8", "ucs-2": "utf-8",
    "utf-7": "utf-8", "utf7": "utf-8", "utf8": "utf-8", "unicode-1-1-utf-8": "utf-8", "x-unicode20utf8": "utf-8",
}


def charset_codec(label: bytes | str) -> str | None:
    """Python codec name for a charset label, mapped as browsers map labels (:data:`_CHARSET_ALIASES`),
    or None when it is unknown or not a text codec."""
    if isinstance(label, bytes):
        label = label.decode("ascii", "replace")
    label = label.strip().lower()
    label = _CHARSET_ALIASES.get(label, label)
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True):  # base64, rot13, zlib ... are no charsets
        return None
    return info.name


#: How many bytes of a page :func:`guess_encoding` hands the detector (half from each end).
GUESS_SAMPLE_BYTES = 1 << 16
#: Detector answers that are no page encoding without a byte-order mark: UTF-16/32 read
#: ASCII markup as CJK noise, so such a guess falls back to UTF-8.
_NOT_GUESSED = ("utf_16", "utf_32")


def guess_encoding(data: bytes) -> str:
    """The encoding of ``data``, bytes that are *not* valid UTF-8 and declare no encoding.

    If the valid UTF-8 multi-byte characters are at least as many as the invalid sequences, the
    bytes are UTF-8 with some damage (a cut-off last character, a stray byte): ``"utf-8"``, and
    :func:`decode` replaces the damage. Otherwise they are in a legacy encoding, which
    Resiliparse's ``detect_encoding`` (uchardet) names from a sample of
    :data:`GUESS_SAMPLE_BYTES`: its own name mapped as browsers map labels (:func:`charset_codec`:
    ``shift_jis`` decodes as ``cp932``), else WHATWG's name for it; an answer Python has no codec
    for, or a UTF-16/32 one, gives ``"utf-8"``. Cost: two decodes of ``data`` and one detector
    call on the sample, on this path only (valid UTF-8 never gets here).
    """
    kept = data.decode("utf-8", errors="ignore")
    invalid = data.decode("utf-8", errors="replace").count("\ufffd") - kept.count("\ufffd")
    multibyte = len(kept) - len(kept.encode("ascii", errors="ignore"))
    if multibyte >= invalid:
        return "utf-8"
    try:  # this rare path only
        from resiliparse.parse.encoding import detect_encoding, map_encoding_to_html5
    except ImportError:  # a platform without Resiliparse's wheel: the bytes are replaced, as before
        return "utf-8"
    # uchardet's own name first (CP949, MAC-CYRILLIC: WHATWG has no label for them), through the
    # browsers' label mapping; WHATWG's name for it where Python has no such codec
    name = str(detect_encoding(bytes(data), max_len=GUESS_SAMPLE_BYTES, html5_compatible=False) or "")
    codec = charset_codec(name) or charset_codec(str(map_encoding_to_html5(name)))
    if codec is None or codec.replace("-", "_").startswith(_NOT_GUESSED):
        return "utf-8"
    return codec


def decode(data: bytes | str, encoding: str | None = None) -> str:
    """Decode bytes leniently: honour a BOM, guess an undeclared legacy encoding, replace
    undecodable bytes and warn.

    ``encoding`` is the encoding the bytes declare; ``None`` (the default) means none is declared:
    bytes that are valid UTF-8 are UTF-8, others are decoded with :func:`guess_encoding`'s
    answer (a ``cp1252`` or ``Shift_JIS`` page keeps its "café" and its kana). Undecodable input is
    common in crawls; failing a whole document over one bad byte would lose the rest, so bytes
    are replaced with U+FFFD and a :class:`DecodingWarning` says how many. ``str`` input is
    returned as is, except that lone surrogates (``"\\ud800"``, which no UTF-8 text can hold) are
    replaced with U+FFFD, with the same warning.
    """
    if isinstance(data, str):
        return replace_surrogates(data)
    data = bytes(data)  # a bytearray or memoryview too
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                      (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            data, encoding = data[len(bom):], name
            break
    if encoding is None:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            encoding = guess_encoding(data)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        text = data.decode(encoding, errors="replace")
        bad = text.count("\ufffd") - data.decode(encoding, errors="ignore").count("\ufffd")
        warnings.warn(f"input is not valid {encoding}: {bad} undecodable byte sequence(s) "
                      "replaced with U+FFFD", DecodingWarning, stacklevel=2)
        return text
