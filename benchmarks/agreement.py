"""Inter-annotator agreement between the first and the independent second annotation pass.

    python -m benchmarks.agreement --data data/ [--out results/agreement.json]

Joins both stand-off files with the rendered corpus (fails on drift), then prints Cohen's kappa,
fine-grained (seven labels) and binary (body vs rest), the most frequent disagreements, and the
label counts of the first pass per class and per page.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from boilerplate.dataset import join_standoff, read_standoff
from boilerplate.metrics import cohen_kappa

from .cross_validate import ROOT, load_corpus

FIRST = ROOT / "fixtures" / "annotations" / "pages-fine.jsonl"
SECOND = ROOT / "fixtures" / "annotations" / "second-pass.jsonl"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "agreement.json")
    args = parser.parse_args(argv)
    first, second = read_standoff(FIRST), read_standoff(SECOND)
    docs = {d.id: d for d in load_corpus(args.data) if d.id in second}
    a, b, examples = [], [], Counter()
    per_page = {}
    for pid, rec in sorted(second.items()):
        la = join_standoff(docs[pid], first[pid]).labels
        lb = join_standoff(docs[pid], rec).labels
        per_page[pid] = round(cohen_kappa(la, lb), 3)
        a += la
        b += lb
        examples.update((x, y) for x, y in zip(la, lb) if x != y and x is not None)
    result = {
        "pages": len(per_page), "lines": sum(x is not None for x in a),
        "kappa_fine": cohen_kappa(a, b),
        "kappa_binary": cohen_kappa([x == "body" if x else None for x in a], [y == "body" if y else None for y in b]),
        "raw_agreement": sum(x == y for x, y in zip(a, b) if x) / max(sum(1 for x in a if x), 1),
        "kappa_per_page": per_page,
        "disagreements": [[f"{x} -> {y}", n] for (x, y), n in examples.most_common(12)],
    }
    # label counts of the whole first pass (40 pages), per class and per page
    counts, per_page_counts = Counter(), {}
    for pid, rec in sorted(first.items()):
        c = Counter(lab for _, _, lab in rec["labels"])
        per_page_counts[pid] = dict(c)
        counts.update(c)
    result["first_pass_label_counts"] = dict(counts.most_common())
    result["first_pass_label_counts_per_page"] = per_page_counts
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"{result['pages']} pages, {result['lines']} lines: kappa fine {result['kappa_fine']:.3f}, "
          f"binary {result['kappa_binary']:.3f}, raw agreement {result['raw_agreement']:.3f}")
    print(f"first pass, {len(first)} pages: " + ", ".join(f"{k} {v}" for k, v in counts.most_common()))
    for pair, n in result["disagreements"]:
        print(f"  first {pair} second: {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
