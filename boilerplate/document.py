"""The one object every consumer sees: a page as lines, with optional markup cues and labels."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .labels import LABEL_INDEX
from .lines import is_blank, split_lines

#: Per-line markup cues that only HTML input has (see ``boilerplate.html``). Text input has none.
CUE_FIELDS = ("tag", "path", "depth", "link_ratio", "classid", "position", "landmark")


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

    @classmethod
    def from_text(cls, text: str, id: str = "") -> Document:
        return cls(lines=split_lines(text), id=id)

    def __len__(self) -> int:
        return len(self.lines)

    @property
    def has_cues(self) -> bool:
        return self.cues is not None

    def blank_mask(self) -> np.ndarray:
        """Boolean array, True where a line is blank."""
        return np.fromiter((is_blank(line) for line in self.lines), dtype=bool, count=len(self.lines))

    def label_indices(self) -> np.ndarray:
        """Gold labels as column indices into ``LABELS``; -1 on blank lines."""
        if self.labels is None:
            raise ValueError(f"document {self.id!r} has no labels")
        return np.array([-1 if lab is None else LABEL_INDEX[lab] for lab in self.labels], dtype=np.int64)
