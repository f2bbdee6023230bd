"""Silver kinds from markup (``boilerplate.detectors.learned.silver``) against the hand gold: precision and coverage.

    python -m benchmarks.silver --data data/ [--out results/silver.json] [--table paper/tables/silver.md]

Applies the markup mapping to every rendered page of the corpora (Scrapinghub, WCXB, postlight),
counts the silver kinds, and scores them on the hand-read pages: per kind, *precision* is the share
of lines with that silver kind whose hand label is that kind, and *coverage* (recall) the share of
the hand lines of that kind that got it as silver. Silver labels are training signal only.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from boilerplate.detectors.learned.silver import silver_kinds
from boilerplate.labels import LABELS

from .common import ROOT, load_corpus

KINDS = tuple(k for k in LABELS if k != "body")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "silver.json")
    parser.add_argument("--table", type=Path, default=None, help="also write the table as Markdown")
    args = parser.parse_args(argv)
    docs = [d for d in load_corpus(args.data, include_unlabeled=True) if d.cues is not None]
    all_counts: Counter = Counter()
    hit, given, gold_n = Counter(), Counter(), Counter()
    gold_of_silver: dict[str, Counter] = {k: Counter() for k in KINDS}
    pages = hand_pages = 0
    for d in docs:
        silver = silver_kinds(d)
        pages += 1
        all_counts.update(s for s in silver if s)
        if not d.meta.get("annotator"):
            continue
        hand_pages += 1
        for s, g in zip(silver, d.labels or ()):
            if g is None:
                continue
            gold_n[g] += 1
            if s:
                given[s] += 1
                gold_of_silver[s][g] += 1
                hit[s] += s == g
    rows = {}
    for k in (*KINDS,):
        rows[k] = {"silver_lines_all_pages": all_counts[k], "silver_lines_hand_pages": given[k],
                   "precision": hit[k] / given[k] if given[k] else float("nan"),
                   "coverage": hit[k] / gold_n[k] if gold_n[k] else float("nan"), "hand_lines": gold_n[k],
                   "gold_of_silver": dict(gold_of_silver[k].most_common(4))}
    total_hit, total_given = sum(hit.values()), sum(given.values())
    non_body = sum(v for k, v in gold_n.items() if k != "body")
    result = {"pages": pages, "hand_pages": hand_pages, "lines_with_silver_all_pages": sum(all_counts.values()),
              "kinds": rows, "precision_all": total_hit / max(total_given, 1),
              "coverage_non_body": total_hit / max(non_body, 1)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    lines = [f"Silver kinds from markup on {pages} rendered pages, scored on the {hand_pages} hand-read pages "
             "(`python -m benchmarks.silver`).", "",
             "| kind | silver lines (all pages) | silver lines (hand pages) | precision | coverage | hand lines | "
             "hand labels of the silver lines |", "|---|---:|---:|---:|---:|---:|---|"]
    for k, r in rows.items():
        mix = ", ".join(f"{g} {n}" for g, n in r["gold_of_silver"].items())
        lines.append(f"| {k} | {r['silver_lines_all_pages']:,} | {r['silver_lines_hand_pages']:,} | "
                     f"{r['precision']:.3f} | {r['coverage']:.3f} | {r['hand_lines']:,} | {mix} |")
    lines.append(f"| all | {result['lines_with_silver_all_pages']:,} | {total_given:,} | "
                 f"{result['precision_all']:.3f} | {result['coverage_non_body']:.3f} | {non_body:,} | |")
    table = "\n".join(lines) + "\n"
    print(table)
    if args.table:
        args.table.parent.mkdir(parents=True, exist_ok=True)
        args.table.write_text(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
