"""Quick comparison of kind-model designs on the hand-read pages alone.

    python -m benchmarks.kind_designs --data data/ [--designs JSON ...] [--splits 3] [--text]

The hand-read pages are split into ``--splits`` parts by site (``site_folds``, so a held-out site
is never in training); each ``LearnedDetector`` variant is trained on the other parts and predicts
each part in turn, and the pooled out-of-part predictions give macro-F1 over the six non-body
labels and per-label F1. HTML model unless ``--text``, booster shortened to 50 trees, no aligned
pages in training: indicative, for choosing what to run through the full grouped CV
(``benchmarks.cross_validate``), not a result in itself.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from boilerplate.detectors.learned import LearnedDetector, cache_features

from .common import ROOT, fine_scores, load_corpus, site_folds

DESIGNS = ('{"kind_stage": "flat"}', '{"kind_stage": "context"}', '{"kind_stage": "context-linear"}',
           '{"kind_window": 2}', '{"kind_window": 5}', '{"kind_class_weight": "balanced"}')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--designs", nargs="*", default=list(DESIGNS))
    parser.add_argument("--splits", type=int, default=3, help="parts of the hand-read pages, by site")
    parser.add_argument("--text", action="store_true", help="the text-only model (default: HTML)")
    args = parser.parse_args(argv)
    html = not args.text
    docs = sorted((d for d in load_corpus(args.data) if d.meta.get("annotator")), key=lambda d: d.id)
    part = site_folds(docs, args.splits)
    for d in docs:
        cache_features(d, html=html)
    print(f"{len(docs)} hand-read pages in {args.splits} parts by site", flush=True)
    for design in args.designs:
        t0 = time.perf_counter()
        pred: list = [None] * len(docs)
        for k in range(args.splits):
            train = [d for d, p in zip(docs, part) if p != k]
            with threadpool_limits(1):
                model = LearnedDetector(html=html, max_iter=50, **json.loads(design)).fit(train)
            for i in np.flatnonzero(part == k):
                pred[i] = model.predict(docs[i])
        res = fine_scores(docs, pred)
        print(f"{design:40} {time.perf_counter() - t0:5.0f} s  macro-F1 {res['macro_f1']:.3f}  " +
              " ".join(f"{k} {v['f1']:.2f}" for k, v in res["per_label"].items()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
