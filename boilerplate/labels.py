"""The label taxonomy: seven line labels, one place.

The binary view used by extraction benchmarks is ``body`` against everything else.
Definitions and examples live in ``docs/annotation-guidelines.md``.
"""

from __future__ import annotations

#: The seven line labels, in a fixed order: the column order of every ``predict_proba`` matrix.
BODY = "body"  # the article's own text: paragraphs, quotes, in-article lists, subheads
HEADLINE = "headline"  # the article's own title and standfirst/dek
METADATA = "metadata"  # byline, dateline, timestamp, source credit, this article's tags
APPEAL = "appeal"  # paywall / subscription / donation / newsletter appeals and their buttons
AD = "ad"  # advertising and notices about ads
TEASER = "teaser"  # headlines or blurbs of *other* stories
CHROME = "chrome"  # navigation, menus, UI controls, share widgets, cookie/legal notices, footers
LABELS: tuple[str, ...] = (BODY, HEADLINE, METADATA, APPEAL, AD, TEASER, CHROME)
N_LABELS = len(LABELS)
LABEL_INDEX: dict[str, int] = {name: i for i, name in enumerate(LABELS)}
BODY_INDEX = LABEL_INDEX[BODY]
#: The six kinds of not-body line.
KINDS: tuple[str, ...] = tuple(lab for lab in LABELS if lab != BODY)
#: What ``clean`` keeps by default.
DEFAULT_KEEP: tuple[str, ...] = (BODY,)
#: Coarse gold for a line known not to be body whose kind is unknown (alignment-labeled corpora).
#: Not a prediction label: detectors never output it; the binary view treats it as not-body.
OTHER = "other"
GOLD_LABELS: tuple[str, ...] = (*LABELS, OTHER)


def parse_label(name: str) -> str:
    """Return the canonical label name, or raise ``ValueError`` naming the valid ones."""
    key = name.strip().lower() if isinstance(name, str) else name
    if key not in LABEL_INDEX:
        raise ValueError(f"unknown label {name!r}; expected one of {', '.join(LABELS)}")
    return key

