"""Inter-annotator agreement between the first and the independent second annotation pass.

    python -m benchmarks.agreement --data data/ [--out results/agreement.json]

Joins every first-pass file (``fixtures/annotations/pages-fine*.jsonl``) and every second-pass
file (``second-pass*.jsonl``) with the rendered corpus (fails on drift), then prints Cohen's kappa,
fine-grained (seven labels) and binary (body vs rest), overall and per source, page type, language
and annotation round; the most frequent disagreements with example lines; and the label counts of
the first pass.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

from boilerplate.eval.dataset import join_standoff, read_standoff
from boilerplate.eval.metrics import cohen_kappa
from boilerplate.labels import LABELS

from .common import ROOT, load_corpus

ANNOTATIONS = ROOT / "fixtures" / "annotations"


def read_passes(directory: Path = ANNOTATIONS) -> tuple[dict, dict, dict]:
    """First-pass and second-pass stand-off records keyed by page id, and the round of each page."""
    first, second, round_of = {}, {}, {}
    for pattern, target in (("pages-fine*.jsonl", first), ("second-pass*.jsonl", second)):
        for path in sorted(directory.glob(pattern)):
            records = read_standoff(path)
            target.update(records)
            for pid in records:
                round_of[pid] = _round(path)
    return first, second, round_of


def _round(path: Path) -> int:
    """The annotation round of a stand-off file: N for ``...-rN.jsonl``, 1 for the unsuffixed first round."""
    head, sep, tail = path.stem.rpartition("-r")
    return int(tail) if sep and tail.isdigit() else 1


def _group_keys(doc, round_: int) -> tuple[str, ...]:
    """The groups a doubly-read page is counted in."""
    lang = str(doc.meta.get("lang") or "")[:2] or "undeclared"
    return (f"source:{doc.meta['source']}", f"page_type:{doc.meta.get('page_type', 'article')}",
            f"english:{'yes' if lang in ('en', 'undeclared') else 'no'}", f"language:{lang}", f"round:{round_}")


def _kappas(a: list, b: list) -> dict:
    return {"lines": sum(x is not None for x in a), "kappa_fine": round(cohen_kappa(a, b), 4),
            "kappa_binary": round(cohen_kappa([x == "body" if x else None for x in a],
                                              [y == "body" if y else None for y in b]), 4)}


def run(*, data: Path = ROOT / "data", out: Path = ROOT / "results" / "agreement.json") -> int:
    """The step itself, with the command line's options as keyword arguments."""
    first, second, round_of = read_passes()
    waiting = sorted(set(second) - set(first))
    if waiting:  # compared once their first pass lands
        print(f"{len(waiting)} second-pass pages have no first pass yet: left out", file=sys.stderr)
        second = {k: v for k, v in second.items() if k in first}
    docs = {d.id: d for d in load_corpus(data, include_unlabeled=True) if d.id in second}
    absent = sorted(set(second) - set(docs))
    if absent:  # a corpus built without a source (postlight) or a --limit subset
        print(f"{len(absent)} second-pass pages are not in {data}: left out", file=sys.stderr)
        second = {k: v for k, v in second.items() if k in docs}
    a, b = [], []
    groups: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
    examples: dict[tuple, list] = defaultdict(list)
    per_page = {}
    for pid, rec in sorted(second.items()):
        doc = docs[pid]
        la = join_standoff(doc, first[pid]).labels
        lb = join_standoff(doc, rec).labels
        per_page[pid] = round(cohen_kappa(la, lb), 3)
        a += la
        b += lb
        for key in _group_keys(doc, round_of[pid]):
            groups[key][0].extend(la)
            groups[key][1].extend(lb)
        for line, x, y in zip(doc.lines, la, lb):
            if x is not None and x != y and len(examples[(x, y)]) < 3:
                examples[(x, y)].append(line[:100])
    pairs = Counter((x, y) for x, y in zip(a, b) if x is not None and x != y)
    result = {
        "pages": len(per_page), **_kappas(a, b),
        "raw_agreement": sum(x == y for x, y in zip(a, b) if x) / max(sum(1 for x in a if x), 1),
        "groups": {k: {"pages": 0, **_kappas(*v)} for k, v in sorted(groups.items())},
        "kappa_per_page": per_page,
        "disagreements": [[f"{x} -> {y}", n, examples[(x, y)]] for (x, y), n in pairs.most_common(15)],
    }
    for pid in per_page:
        for key in _group_keys(docs[pid], round_of[pid]):
            result["groups"][key]["pages"] += 1
    counts = Counter(lab for rec in first.values() for _, _, lab in rec["labels"])
    result["first_pass_pages"] = len(first)
    result["first_pass_label_counts"] = dict(counts.most_common())
    # the hand gold by source, page type and language: pages, lines and lines per label
    every = {d.id: d for d in load_corpus(data, include_unlabeled=True) if d.id in first}
    table: dict[str, dict] = {}
    for pid, rec in first.items():
        if pid not in every:
            continue
        doc = every[pid]
        lang = str(doc.meta.get("lang") or "")[:2] or "undeclared"
        for key in ("all", f"source:{doc.meta['source']}", f"page_type:{doc.meta.get('page_type', 'article')}",
                    f"language:{lang}", f"round:{round_of[pid]}"):
            row = table.setdefault(key, {"pages": 0, "lines": 0, **dict.fromkeys(LABELS, 0)})
            row["pages"] += 1
            for _, _, lab in rec["labels"]:
                row["lines"] += 1
                row[lab] += 1
    result["hand_gold_counts"] = dict(sorted(table.items()))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    print(f"{result['pages']} pages, {result['lines']} lines: kappa fine {result['kappa_fine']:.3f}, "
          f"binary {result['kappa_binary']:.3f}, raw agreement {result['raw_agreement']:.3f}")
    for key, g in result["groups"].items():
        print(f"  {key:24} {g['pages']:3} pages {g['lines']:6} lines  kappa fine {g['kappa_fine']:.3f}  "
              f"binary {g['kappa_binary']:.3f}")
    print(f"first pass, {len(first)} pages: " + ", ".join(f"{k} {v}" for k, v in counts.most_common()))
    print("| group | pages | lines | " + " | ".join(LABELS) + " |")
    print("|---|" + "---:|" * (len(LABELS) + 2))
    for key, row in result["hand_gold_counts"].items():
        print(f"| {key} | {row['pages']} | {row['lines']:,} | " + " | ".join(f"{row[k]:,}" for k in LABELS) + " |")
    for pair, n, ex in result["disagreements"]:
        print(f"  first {pair} second: {n}   e.g. {ex[0]!r}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "agreement.json")
    args = parser.parse_args(argv)
    return run(**vars(args))


if __name__ == "__main__":
    sys.exit(main())
