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

_LINE_END = re.compile(r"\r\n|\r|\n")


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


def is_blank(line: str) -> bool:
    """A blank line holds only whitespace; it carries no label and ``clean`` never emits it."""
    return not line.strip()


def decode(data: bytes | str, encoding: str = "utf-8") -> str:
    """Decode bytes leniently: honour a BOM, replace undecodable bytes and warn.

    Undecodable input is common in crawls; failing a whole document over one bad byte would
    lose the rest, so bytes are replaced with U+FFFD and a :class:`DecodingWarning` says how many.
    """
    if isinstance(data, str):
        return data
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
