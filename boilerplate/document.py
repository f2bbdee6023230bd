"""The one object every consumer sees: a page as lines, with optional markup cues and labels."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .lines import split_lines

T = TypeVar("T")

#: Per-line markup cues that only HTML input has (see ``boilerplate.html``). Text input has none.
CUE_FIELDS = ("tag", "path", "depth", "link_ratio", "classid", "position", "landmark", "href", "link_rel")


@dataclass
class Document:
    """A page as lines.

    ``lines`` are the lines exactly as given (text input) or as rendered (HTML input).
    ``labels`` holds one label name per line, ``None`` on blank lines (gold data only).
    ``cues`` maps a name in :data:`CUE_FIELDS` to a sequence with one entry per line (HTML only).
    ``meta`` holds provenance: source, url, site, page type, licence, who labeled it.
    """

    lines: list[str]
    id: str = ""
    labels: list[str | None] | None = None
    cues: dict[str, Any] | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    #: Values derived from the document and kept for reuse (see :meth:`memo`); not data.
    _memo: dict[Any, tuple[Any, Any]] = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def from_text(cls, text: str, id: str = "") -> Document:
        return cls(lines=split_lines(text), id=id)

    def __len__(self) -> int:
        return len(self.lines)

    @property
    def has_cues(self) -> bool:
        return self.cues is not None

    def _fingerprint(self) -> tuple:
        # What derived values depend on: the lines, the cues and the title. Strings cache their
        # hash, so this is cheap; any change to these gives a new fingerprint.
        return (len(self.lines), hash(tuple(self.lines)), id(self.cues), self.meta.get("title"))

    def memo(self, key: Any, compute: Callable[[Document], T], store: bool = True) -> T:
        """``compute(self)``, reused while the document is unchanged.

        A value computed with ``store=True`` is kept under ``key`` together with a fingerprint
        of the lines, cues and title; it is returned again only while the fingerprint matches, so
        editing the document never serves stale values. With ``store=False`` a kept value is
        reused but nothing new is kept (prediction on a stream keeps nothing).
        """
        if not store and not self._memo:
            return compute(self)  # nothing kept: no fingerprint to take
        fingerprint = self._fingerprint()
        kept = self._memo.get(key)
        if kept is not None and kept[0] == fingerprint:
            return kept[1]
        value = compute(self)
        if store:
            self._memo[key] = (fingerprint, value)
        return value
