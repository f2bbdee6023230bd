"""Output formats of a labeled page: per-line rows, one JSON object per page, and Markdown.

All take the page's :class:`~boilerplate.document.Document` and its labels
(:func:`boilerplate.api.label_document`), so the CLI and library users write the same thing:

- :func:`line_rows`: one dict per line (``line``, ``label``, ``score``, ``p_body``, ``tag`` for
  HTML input, ``reason`` when given, ``text``), what ``boilerplate label`` prints;
- :func:`page_record`: one dict per page (``file``, the metadata the page gives, the kept
  ``text`` and its ``lines``), ``boilerplate clean --format jsonl``;
- :func:`to_markdown`: the kept lines of HTML input with headings, list items and table rows
  marked up (``--format markdown``); text input has no markup, so it gives the kept lines as is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .api import LabeledLine, join_kept, parse_keep
from .document import Document
from .labels import DEFAULT_KEEP

#: Digits scores are rounded to in JSON and TSV output.
SCORE_DIGITS = 4
#: Page metadata copied into :func:`page_record` when the page gives it (``boilerplate.html.render``).
PAGE_META = ("title", "lang", "date")
#: Heading tags and their Markdown level.
HEADINGS = {f"h{n}": n for n in range(1, 7)}
#: Table cell tags: a run of cells that starts with at least :data:`MIN_TABLE_COLUMNS` header
#: cells (``th``) is a table of that many columns; other cells (layout tables) are paragraphs.
CELL_TAGS = ("th", "td")
MIN_TABLE_COLUMNS = 2
_PIPE = re.compile(r"\|")


def line_rows(doc: Document, labeled: list[LabeledLine], reasons: list[str] | None = None
              ) -> list[dict[str, Any]]:
    """One dict per line: ``line`` (1-based, as ``sed -n`` and editors count), ``label`` (``None``
    on blank lines), ``score`` (the probability of that label), ``p_body``, ``tag`` (the line's
    block tag, HTML input only), ``reason`` (when ``reasons`` is given, one per line) and ``text``."""
    tags = doc.cues.get("tag") if doc.cues is not None else None
    rows = []
    for i, item in enumerate(labeled):
        row: dict[str, Any] = {"line": i + 1, "label": item.label, "score": round(item.score, SCORE_DIGITS),
                               "p_body": round(item.p_body, SCORE_DIGITS)}
        if tags is not None:
            row["tag"] = tags[i]
        if reasons is not None:
            row["reason"] = reasons[i]
        row["text"] = item.text
        rows.append(row)
    return rows


def page_record(doc: Document, labeled: list[LabeledLine], keep: Iterable[str] = DEFAULT_KEEP,
                file: str | None = None) -> dict[str, Any]:
    """One page as a JSON-ready dict: ``file`` (if given), the :data:`PAGE_META` the page gives
    (non-empty values only: HTML pages have a title, a language and a date when they declare
    them), ``text`` (the kept lines joined by ``\\n``) and ``lines`` (:func:`line_rows`)."""
    out: dict[str, Any] = {} if file is None else {"file": file}
    out.update({key: doc.meta[key] for key in PAGE_META if doc.meta.get(key)})
    out["text"] = join_kept(labeled, keep)
    out["lines"] = line_rows(doc, labeled)
    return out


def _cell(text: str) -> str:
    return _PIPE.sub(r"\\|", text)


def _table_columns(tags: list[str], start: int, stop: int) -> int:
    """Columns of the cell run ``tags[start:stop]``: its leading ``th`` cells, or 0 if too few."""
    k = start
    while k < stop and tags[k] == "th":
        k += 1
    return k - start if k - start >= MIN_TABLE_COLUMNS else 0


def to_markdown(doc: Document, labeled: list[LabeledLine], keep: Iterable[str] = DEFAULT_KEEP) -> str:
    """The kept lines as Markdown, blocks separated by a blank line: ``h1``-``h6`` lines become
    ``#`` headings, ``li`` lines ``- `` items (consecutive items form one list), and a run of table
    cells led by :data:`MIN_TABLE_COLUMNS` or more ``th`` cells a table of that many columns (a
    row is written when one of its cells is kept; the header row always; cells not kept are
    empty). Other lines are paragraphs. Rendered lines carry no row boundaries, so a table with
    spanning cells is split into rows by count. Text input (no ``tag`` cue) gives
    :func:`~boilerplate.api.join_kept`'s output unchanged."""
    if doc.cues is None or "tag" not in doc.cues:
        return join_kept(labeled, keep)
    wanted = parse_keep(keep)
    tags = list(doc.cues["tag"])
    kept = [item.label in wanted for item in labeled]
    blocks: list[tuple[str, str]] = []  # (kind, markdown); same-kind list items and rows join with "\n"
    i, n = 0, len(labeled)
    while i < n:
        tag = tags[i]
        if tag in CELL_TAGS:
            stop = i
            while stop < n and tags[stop] in CELL_TAGS:
                stop += 1
            columns = _table_columns(tags, i, stop)
            if columns:
                rows = [range(r, min(r + columns, stop)) for r in range(i, stop, columns)]
                body = [r for r in rows[1:] if any(kept[j] for j in r)]
                if body or any(kept[j] for j in rows[0]):
                    lines = ["| " + " | ".join(_cell(labeled[j].text) for j in rows[0]) + " |",
                             "|" + " --- |" * columns]
                    lines += ["| " + " | ".join(_cell(labeled[j].text) if kept[j] else "" for j in r)
                              + " |" + "  |" * (columns - len(r)) for r in body]
                    blocks.append(("table", "\n".join(lines)))
            else:  # a layout table: its cells are paragraphs
                blocks += [("p", labeled[j].text) for j in range(i, stop) if kept[j]]
            i = stop
            continue
        if kept[i]:
            text = labeled[i].text
            if tag in HEADINGS:
                blocks.append(("heading", "#" * HEADINGS[tag] + " " + text))
            elif tag == "li":
                blocks.append(("li", "- " + text))
            else:
                blocks.append(("p", text))
        i += 1
    out: list[str] = []
    for k, (kind, text) in enumerate(blocks):
        if k:
            out.append("\n" if kind == "li" and blocks[k - 1][0] == "li" else "\n\n")
        out.append(text)
    return "".join(out)
