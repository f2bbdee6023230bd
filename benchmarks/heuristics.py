"""Score the heuristic detectors (ours and the baselines) on both corpora, with speed.

    python -m benchmarks.heuristics --data data/ [--detectors rules,c4,gopher,justext] [--out results/heuristics.json]

These detectors learn nothing, so every page is a test page. Metrics as in benchmarks.cross_validate.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from boilerplate import detectors as registry

from .common import ROOT, evaluate, fine_scores, load_corpus


def run(*, data: Path = ROOT / "data", detectors: str = "rules,c4,gopher,justext",
        limit: int | None = None, bootstrap: int = 1000, out: Path = ROOT / "results" / "heuristics.json") -> int:
    """The step itself, with the command line's options as keyword arguments."""
    docs = load_corpus(data, limit)
    gold = json.loads((data / "gold.json").read_text())
    n_lines = sum(len(d.lines) for d in docs)
    results = {}
    for name in detectors.split(","):
        det = registry.get(name)
        t0 = time.perf_counter()
        preds = [det.predict(d) for d in docs]
        seconds = time.perf_counter() - t0
        res = evaluate(docs, preds, gold, n_boot=bootstrap)
        res["lines_per_s"] = n_lines / seconds
        hand = [i for i, d in enumerate(docs) if d.meta.get("annotator")]
        if hand:  # fine-grained, on the hand-annotated pages (these detectors learn nothing: all are test pages)
            res["fine"] = fine_scores(docs, preds, hand)
        results[name] = res
        print(f"{name:8} scrapinghub F1 {res['scrapinghub']['all']['f1']:.4f}  wcxb F1 {res['wcxb']['all']['f1']:.4f}  "
              f"wcxb article {res['wcxb']['article']['f1']:.4f}  {res['lines_per_s']:.0f} lines/s", flush=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1, sort_keys=True, default=float) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--detectors", default="rules,c4,gopher,justext")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples for the intervals")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "heuristics.json")
    args = parser.parse_args(argv)
    return run(**vars(args))


if __name__ == "__main__":
    sys.exit(main())
