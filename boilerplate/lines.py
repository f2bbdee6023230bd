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
from itertools import compress

import numpy as np

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


def line_token_ids(lines: list[str], cjk_chars: bool = False) -> tuple[list[str], np.ndarray, np.ndarray]:
    """:func:`line_tokens` as distinct words and indices: ``(vocab, word_id, line_of)``, where token
    ``i`` is ``vocab[word_id[i]]`` on line ``line_of[i]``. One regex pass and one dictionary
    lookup per token; anything computed per word can then be computed once per distinct word."""
    text = "\n".join(lines)
    tokens = (_WORD_OR_BREAK_CJK if cjk_chars else _WORD_OR_BREAK).findall(text)
    # distinct words in order of first occurrence (the break first), then one C-level lookup per token
    vocab = list(dict.fromkeys(["\n", *tokens]))
    index = dict(zip(vocab, range(len(vocab))))
    ids = np.fromiter(map(index.__getitem__, tokens), dtype=np.int64, count=len(tokens))
    is_break = ids == 0
    return vocab[1:], ids[~is_break] - 1, np.cumsum(is_break)[~is_break]


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


def decode(data: bytes | str, encoding: str = "utf-8") -> str:
    """Decode bytes leniently: honour a BOM, replace undecodable bytes and warn.

    Undecodable input is common in crawls; failing a whole document over one bad byte would
    lose the rest, so bytes are replaced with U+FFFD and a :class:`DecodingWarning` says how many.
    ``str`` input is returned as is, except that lone surrogates (``"\\ud800"``, which no UTF-8
    text can hold) are replaced with U+FFFD, with the same warning.
    """
    if isinstance(data, str):
        return replace_surrogates(data)
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                      (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            data, encoding = data[len(bom):], name
            break
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        text = data.decode(encoding, errors="replace")
        bad = text.count("\ufffd") - data.decode(encoding, errors="ignore").count("\ufffd")
        warnings.warn(f"input is not valid {encoding}: {bad} undecodable byte sequence(s) "
                      "replaced with U+FFFD", DecodingWarning, stacklevel=2)
        return text
