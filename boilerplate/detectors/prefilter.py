"""A one-scan prefilter for the lexicons: hyperscan, where it is installed, finds the lines each
lexicon pattern *may* match in one pass over a document; Python's ``re`` then runs the pattern
itself on those lines only.

The hits are those of the plain path (one ``re`` pass per pattern) by construction:

1. each pattern is translated to a *superset* pattern hyperscan compiles (:func:`superset_pattern`:
   ``\\b`` dropped, ``\\w`` and ``\\d`` widened to their ASCII members plus every non-ASCII
   character, Python's whitespace spelled out) and compiled in hyperscan's prefilter mode, which
   may report false matches but never drops one;
2. a match's end offset names its line (no pattern matches a line break, so a match lies in one
   line);
3. the candidate lines are confirmed by the pattern itself with the bounds the plain path gives
   it: an anchored ``match`` at the line start for whole-line patterns, a ``search`` within the
   line for phrases.

Without hyperscan (``pip install hyperscan``; wheels for x86-64 Linux, Windows and macOS on Apple
silicon), or with ``BOILERPLATE_LEXICON_ENGINE=re``, every pattern takes the plain path. Tests
check both paths give the same hits on real lines.
"""

from __future__ import annotations

import os
import re
import threading
import warnings
from collections.abc import Sequence

import numpy as np

try:  # optional accelerator
    import hyperscan
except ImportError:  # pragma: no cover - exercised where hyperscan is missing
    hyperscan = None  # type: ignore[assignment]

#: Environment variable: ``re`` turns the prefilter off (every pattern takes the plain path). Read
#: when the prefilter is first built, once per process.
ENGINE_ENV = "BOILERPLATE_LEXICON_ENGINE"
#: Candidate matches per line (on average over a document) past which a scan stops and the
#: document takes the plain path: typical pages report well under one.
MAX_EVENTS_PER_LINE = 4

#: Supersets of Python's ``\w`` and ``\d`` (on ``str``, Unicode-aware): their ASCII members and
#: every non-ASCII character. Exact Unicode classes would exceed hyperscan's pattern size limit.
WORD_SUPERSET = r"0-9A-Z_a-z\x{80}-\x{10ffff}"
DIGIT_SUPERSET = r"0-9\x{80}-\x{10ffff}"
#: Python's whitespace other than the line break, spelled out (``[^\S\n]`` in the lexicons).
SPACE_CLASS = "".join(f"\\x{{{ord(c):x}}}" for c in map(chr, range(0x3001)) if c.isspace() and c != "\n")


_SPACE = r"[^\S\n]"  # the lexicons' blank within a line
_BOUNDED = re.compile(r"\{(\d*)(?:,\d*)?\}")  # a repeat count: {m}, {m,n}, {,n}, {m,}
#: Escapes passed through unchanged (they mean the same to both engines and match no line break).
_SAFE_ESCAPES = frozenset("\\.()[]{}|*+?^$-/&~#% '\"!,:;<=>@_`")
#: Escapes widened (outside and inside a class) and dropped.
_WIDENED = {"w": WORD_SUPERSET, "d": DIGIT_SUPERSET}


def _escape(pattern: str, at: int) -> str:
    """The escape at ``pattern[at]`` (a backslash) as the superset writes it; ``ValueError`` for one
    it cannot widen or that could match a line break (so a match would span two lines)."""
    c = pattern[at + 1:at + 2]
    if c in _WIDENED:
        return _WIDENED[c]
    if c and c in _SAFE_ESCAPES:
        return "\\" + c
    raise ValueError(f"cannot widen \\{c} for the prefilter in {pattern[:60]!r}")


def superset_pattern(pattern: str) -> str:
    r"""A hyperscan pattern (UTF-8 mode) matching at least what Python's ``re`` matches with
    ``pattern``, never across a line break.

    ``\b`` is dropped; ``\w`` and ``\d`` become :data:`WORD_SUPERSET` and :data:`DIGIT_SUPERSET`
    (inside a class too); ``[^\S\n]`` becomes :data:`SPACE_CLASS`; a repeat count loses its upper
    bound (``{m,n}`` and ``{m}`` become ``{m,}``, ``{,n}`` becomes ``{0,}``); punctuation escapes pass
    through. ``ValueError`` for
    anything else that is escaped (``\s``, ``\n``, ``\x0a``, ``\B``, ``\A``, ...) and for a
    negated class: they could match a line break or are not widened here, so the prefilter could
    miss a line.
    """
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith(_SPACE, i):
            out.append(f"[{SPACE_CLASS}]")
            i += len(_SPACE)
            continue
        if c == "\\":
            out.append("" if pattern[i + 1:i + 2] == "b" else
                       (f"[{_escape(pattern, i)}]" if pattern[i + 1:i + 2] in _WIDENED else _escape(pattern, i)))
            i += 2
            continue
        if c == "\n":
            raise ValueError(f"a line break in {pattern[:60]!r}: the prefilter reads one line at a time")
        if c == "{" and (bound := _BOUNDED.match(pattern, i)) is not None:
            out.append("{" + (bound.group(1) or "0") + ",}")  # no upper bound: a superset, and
            i = bound.end()                                   # far cheaper for hyperscan to compile
            continue
        if c == "[":
            j = i + 1
            if pattern[j:j + 1] == "^":
                raise ValueError(f"a negated class could match a line break: {pattern[i:i + 20]!r}")
            body = ["["]
            if pattern[j:j + 1] == "]":  # a leading "]" is literal
                body.append("\\]")
                j += 1
            while j < len(pattern) and pattern[j] != "]":
                if pattern[j] == "\\":
                    body.append(_escape(pattern, j))
                    j += 2
                    continue
                if pattern[j] == "\n":
                    raise ValueError(f"a line break in {pattern[:60]!r}: the prefilter reads one line at a time")
                body.append(pattern[j])
                j += 1
            out.append("".join(body) + "]")
            i = j + 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


class Prefilter:
    """One hyperscan database over ``patterns``; :meth:`hits` gives each pattern's matching lines.

    ``patterns`` are ``(pattern, source, anchored)``: the compiled pattern that confirms a line, the
    source the prefilter is translated from (the same matches, e.g. a lexicon's plain alternation
    of phrases), and whether it is a whole-line pattern (``re.MULTILINE``, ``^``: an anchored match
    at each line start) rather than one that matches anywhere in a line. ``hyperscan.error`` if
    the database does not compile, ``ValueError`` if a source cannot be widened.
    """

    def __init__(self, patterns: Sequence[tuple[re.Pattern, str, bool]]) -> None:
        flags = hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_MULTILINE | hyperscan.HS_FLAG_PREFILTER
        for pattern, _, _ in patterns:
            if pattern.flags & ~(re.MULTILINE | re.UNICODE):
                raise ValueError(f"the prefilter widens patterns without flags (but MULTILINE): {pattern.pattern[:60]!r}")
        self.patterns = list(patterns)
        self.database = hyperscan.Database()
        self.database.compile(expressions=[superset_pattern(source).encode() for _, source, _ in self.patterns],
                              ids=list(range(len(self.patterns))), elements=len(self.patterns),
                              flags=[flags] * len(self.patterns))
        self._local = threading.local()  # hyperscan's scratch space is per thread

    def hits(self, text: str, starts: np.ndarray, ends: np.ndarray) -> dict[re.Pattern, np.ndarray] | None:
        """Boolean array over the lines of ``text`` (``"\\n"``-joined; a line spans
        ``starts[i]:ends[i]``) for each pattern: where the pattern matches, as the plain path finds.
        ``None`` for a text that is not valid Unicode (a lone surrogate), or one where the prefilter
        reports more than :data:`MAX_EVENTS_PER_LINE` candidate matches per line (the superset fires on
        every currency sign, say): the plain path takes it, in bounded memory."""
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:
            return None
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = hyperscan.Scratch(self.database)
        found: list[tuple[int, int]] = []
        limit = MAX_EVENTS_PER_LINE * len(starts) + MAX_EVENTS_PER_LINE

        def on_match(i: int, _from: int, to: int, _flags: int, _context: object) -> bool:
            found.append((i, to))
            return len(found) > limit  # True stops the scan

        try:
            self.database.scan(data, match_event_handler=on_match, scratch=scratch)
        except hyperscan.ScanTerminated:  # a page of currency signs or repeated phrases: re is faster
            return None
        # one allocation for all patterns; each row is a pattern's array (callers copy what they keep)
        out = dict(zip((p for p, _, _ in self.patterns), np.zeros((len(self.patterns), len(starts)), dtype=bool)))
        if not found:
            return out
        ids, match_ends = zip(*found)
        byte_starts = np.concatenate(([0], np.flatnonzero(np.frombuffer(data, np.uint8) == 10) + 1))
        line_of = np.searchsorted(byte_starts, np.maximum(np.array(match_ends) - 1, 0), side="right") - 1
        # a few events a line at most (the limit): each candidate (pattern, line) confirmed once, in
        # plain Python, which costs less than array steps per pattern for the tens a page has
        for i, line in dict.fromkeys(zip(ids, line_of.tolist())):
            pattern, _, anchored = self.patterns[i]
            test = pattern.match if anchored else pattern.search
            if test(text, int(starts[line]), int(ends[line])) is not None:
                out[pattern][line] = True
        return out


def build(patterns: Sequence[tuple[re.Pattern, str, bool]]) -> Prefilter | None:
    """A :class:`Prefilter` over ``patterns``, or ``None`` when hyperscan is missing, turned off
    (:data:`ENGINE_ENV`), or cannot compile them (with a warning: the plain path is slower, not
    different)."""
    if hyperscan is None or os.environ.get(ENGINE_ENV, "").strip().lower() == "re" or not patterns:
        return None
    try:
        return Prefilter(patterns)
    except (hyperscan.error, ValueError) as exc:
        warnings.warn(f"lexicon prefilter off ({exc}); lexicons take the plain re path", RuntimeWarning, stacklevel=2)
        return None
