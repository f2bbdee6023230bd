"""Quick comparison of kind-model designs on one fixed split of the hand-read pages.

    python -m benchmarks.kind_designs --data data/ [--designs JSON ...]

Trains each ``LearnedDetector`` variant on two thirds of the hand-read pages (sorted by id, every
third page held out; at most one page per site, so held-out sites are unseen) and prints
macro-F1 over the six non-body labels and per-label F1 on the held-out third. One split, HTML
model, booster shortened to 50 trees: indicative, for choosing what to run through the full
grouped CV (``benchmarks.cross_validate``), not a result in itself.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

from boilerplate.detectors.learned import LearnedDetector

from .common import ROOT, fine_scores, load_corpus

DESIGNS = ('{"kind_stage": "flat"}', '{"kind_stage": "context"}', '{"kind_stage": "context-linear"}',
           '{"kind_window": 2}', '{"kind_window": 5}', '{"kind_class_weight": "balanced"}')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--designs", nargs="*", default=list(DESIGNS))
    args = parser.parse_args(argv)
    docs = sorted((d for d in load_corpus(args.data) if d.meta.get("annotator")), key=lambda d: d.id)
    train = [d for i, d in enumerate(docs) if i % 3]
    test = [d for i, d in enumerate(docs) if not i % 3]
    print(f"{len(train)} training pages, {len(test)} held-out pages", flush=True)
    for design in args.designs:
        t0 = time.perf_counter()
        with threadpool_limits(1):
            model = LearnedDetector(html=True, max_iter=50, **json.loads(design)).fit(train)
        pred = [model.predict(d) for d in test]
        res = fine_scores(test, pred)
        print(f"{design:40} {time.perf_counter() - t0:5.0f} s  macro-F1 {res['macro_f1']:.3f}  " +
              " ".join(f"{k} {v['f1']:.2f}" for k, v in res["per_label"].items()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
