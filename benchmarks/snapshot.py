"""Snapshot every detector's output on a sample of corpus pages, or compare against one.

A refactoring must not change what the package outputs. This records, for a fixed sample of
Scrapinghub and WCXB pages, the rendered lines of each page and every registered detector's label
and score per line (text path and HTML path), through the public API only::

    python -m benchmarks.snapshot --scrapinghub ../shared/data/scrapinghub --wcxb ../shared/data/wcxb-dev \
        --out before.json
    ... change the code ...
    python -m benchmarks.snapshot ... --compare before.json      # exit 1 on any difference

``--every-page`` records every page instead of the sample (with ``--postlight``, the whole corpus),
``--detectors`` only the named detectors: ``--every-page --postlight DIR --detectors
learned-html,learned-text`` checks the shipped models on all 1,848 pages in a few minutes.

Detectors named in ``--changed`` are recorded but not compared (a deliberate behaviour change).
``--score-tolerance`` accepts score changes up to that size where every label agrees (a change of
floating-point summation order moves scores by ~1e-15, and rarely moves a value across a tree's
split, which moves that line's score by more).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import boilerplate
from boilerplate import detectors
from boilerplate.eval.corpora import iter_pages
from boilerplate.html import render

SAMPLE_PER_SOURCE = 40
SCORE_DIGITS = 9


def _digest(lines: list) -> str:
    return hashlib.sha256(json.dumps(lines, ensure_ascii=False).encode()).hexdigest()


def _rows(labeled: list) -> list:
    return [[x.label, round(x.score, SCORE_DIGITS)] for x in labeled]


def snapshot(sources: dict[str, str], per_source: int | None = SAMPLE_PER_SOURCE,
             names: list[str] | None = None) -> dict[str, dict]:
    """Each page's rendered-lines digest and the labels and scores of the detectors ``names`` (all
    registered ones by default): every third page of each source up to ``per_source``, or every
    page with ``per_source=None``."""
    out: dict[str, dict] = {}
    names = detectors.available() if names is None else names
    for source, directory in sources.items():
        taken = 0
        for i, page in enumerate(iter_pages(source, directory)):
            if per_source is not None and (i % 3 or taken >= per_source):
                continue  # every third page, up to per_source
            taken += 1
            doc = render(page.html)
            text = "\n".join(doc.lines)
            entry: dict[str, object] = {"lines": _digest(doc.lines)}
            for name in names:
                if name != "learned-html":  # needs markup cues
                    entry[f"{name}/text"] = _rows(boilerplate.label(text, detector=name))
                if name != "learned-text":  # the text model on rendered pages is not a use case
                    entry[f"{name}/html"] = _rows(boilerplate.label_document(doc, detector=name))
            out[f"{source}/{page.id}"] = entry
    return out


def compare(before: dict, after: dict, changed: set[str], score_tolerance: float = 0.0) -> list[str]:
    """One line per difference: a page in one snapshot only, a changed line digest, a detector whose
    labels differ on any line, or whose scores differ by more than ``score_tolerance``."""
    problems = []
    for key in sorted(set(before) | set(after)):
        if key not in before or key not in after:
            problems.append(f"{key}: page only in one snapshot")
            continue
        for field in sorted(set(before[key]) | set(after[key])):
            if field.split("/")[0] in changed:
                continue
            old, new = before[key].get(field), after[key].get(field)
            if not isinstance(old, list) or not isinstance(new, list) or len(old) != len(new):
                if old != new:
                    problems.append(f"{key}: {field} differs")
                continue
            labels = sum(a[0] != b[0] for a, b in zip(old, new))
            worst = max((abs(a[1] - b[1]) for a, b in zip(old, new)), default=0.0)
            if labels or worst > score_tolerance:
                problems.append(f"{key}: {field}: {labels} label(s) differ, largest score change {worst:.3g}")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scrapinghub", required=True)
    ap.add_argument("--wcxb", required=True)
    ap.add_argument("--postlight", help="also the postlight pool (with --every-page: the whole corpus)")
    ap.add_argument("--every-page", action="store_true", help="every page, not a sample of 40 per source")
    ap.add_argument("--detectors", help="comma-separated detectors to record (default: all registered)")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--compare", type=Path)
    ap.add_argument("--changed", default="", help="comma-separated detectors whose output may differ")
    ap.add_argument("--score-tolerance", type=float, default=0.0,
                    help="largest score change accepted where the labels agree (default 0: identical)")
    args = ap.parse_args(argv)
    sources = {"scrapinghub": args.scrapinghub, "wcxb": args.wcxb}
    if args.postlight:
        sources["postlight"] = args.postlight
    names = args.detectors.split(",") if args.detectors else detectors.available()
    unknown = sorted(set(names) - set(detectors.available()))
    if unknown:
        ap.error(f"unknown detector(s) {', '.join(unknown)}; available: {', '.join(detectors.available())}")
    snap = snapshot(sources, None if args.every_page else SAMPLE_PER_SOURCE, names)
    print(f"snapshot: {len(snap)} pages, detectors {', '.join(names)}")
    if args.out:
        args.out.write_text(json.dumps(snap, sort_keys=True))
    if args.compare:
        problems = compare(json.loads(args.compare.read_text()), snap,
                           {c for c in args.changed.split(",") if c}, args.score_tolerance)
        for p in problems[:50]:
            print(p)
        print(f"compare: {len(problems)} differences")
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
