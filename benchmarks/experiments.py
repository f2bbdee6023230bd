"""Learning curve and feature-group ablation of the learned detectors, on one held-out fold.

    python -m benchmarks.experiments --data data/ [--variant html] [--out results/experiments.json]

Both use the site-grouped folds of ``benchmarks.cross_validate`` and hold out fold 0 (no site of
it is trained on); a full 5-fold run per point would cost 5x more. Learning curve: the model
trained on the first ``n`` training sites' pages (sites in a fixed shuffled order) for growing
``n``. Ablation: the full training set with one feature group removed (``LearnedDetector(ablate=)``).
Each point is scored with each corpus's own metric (no bootstrap: one split).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from boilerplate.detectors.learned import ABLATIONS, LearnedDetector, cache_features

from .common import ROOT, evaluate, load_corpus, site_folds

CURVE_FRACTIONS = (0.05, 0.1, 0.25, 0.5, 1.0)


_SHARED: dict = {}  # read by the worker processes (fork shares it without pickling the corpus)


def _score(model: LearnedDetector, test: list, gold: dict) -> dict:
    res = evaluate(test, [model.predict(d) for d in test], gold, n_boot=0)
    return {src: round(r["all"]["f1"], 4) for src, r in res.items() if "all" in r}


def _fit_point(config: tuple[str, object]) -> dict:
    """One experiment point: ("curve", fraction) or ("ablation", group or None)."""
    docs, folds, gold, html, sites = (_SHARED[k] for k in ("docs", "folds", "gold", "html", "sites"))
    train = [d for d, k in zip(docs, folds) if k != 0]
    test = [d for d, k in zip(docs, folds) if k == 0]
    kind, value = config
    ablate: tuple = ()
    if kind == "curve":
        keep = set(sites[:max(1, round(value * len(sites)))])
        train = [d for d in train if d.meta["site"] in keep]
        row = {"fraction": value, "sites": len(keep), "pages": len(train)}
    else:
        ablate = (value,) if value else ()
        row = {"without": value or "(none)", "sites": len(sites), "pages": len(train)}
    with threadpool_limits(_SHARED["threads"]):
        model = LearnedDetector(html=html, ablate=ablate, **_SHARED["params"]).fit(train)
    return {**row, **_score(model, test, gold)}


def run_experiments(docs: list, folds: np.ndarray, gold: dict, html: bool, workers: int = 2, params: dict | None = None,
                    fractions=CURVE_FRACTIONS, seed: int = 0, log=print) -> dict:
    """Learning curve and ablation on fold 0 held out; points fitted in ``workers`` processes."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    sites = sorted({d.meta["site"] for d, k in zip(docs, folds) if k != 0})
    np.random.default_rng(seed).shuffle(sites)
    _SHARED.update(docs=docs, folds=folds, gold=gold, html=html, sites=sites,
                   threads=1 if workers > 1 else None, params=params or {})
    groups = [g for g in ABLATIONS if html or g != "markup"]
    # the full-data point of the curve is the ablation's "(none)" row: fitted once
    configs = [("ablation", None), *[("ablation", g) for g in groups],
               *[("curve", f) for f in fractions if f < 1.0]]
    t0 = time.perf_counter()
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork")) as pool:
            rows = []
            for row in pool.map(_fit_point, configs):
                rows.append(row)
                log(f"  {len(rows)}/{len(configs)} {row} ({time.perf_counter() - t0:.0f} s)")
    else:
        rows = [_fit_point(c) for c in configs]
    ablation = [r for c, r in zip(configs, rows) if c[0] == "ablation"]
    curve = [r for c, r in zip(configs, rows) if c[0] == "curve"]
    full = dict(ablation[0], fraction=1.0)
    full.pop("without")
    return {"learning_curve": [*curve, full], "ablation": ablation}


def run(*, data: Path = ROOT / "data", variant: str = "html", folds: int = 5,
        params: dict | None = None, workers: int = 2,
        out: Path = ROOT / "results" / "experiments.json") -> int:
    """The step itself, with the command line's options as keyword arguments."""
    # The scores here are body/not-body F1, which the kind model does not touch: its solver is
    # bounded by default to save most of the fitting time.
    params = {"kind_max_iter": 20} if params is None else params
    docs = load_corpus(data)
    gold = json.loads((data / "gold.json").read_text())
    html = variant == "html"
    for d in docs:
        cache_features(d, html=html)
    fold_of = site_folds(docs, folds)
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    result = {"variant": variant, "held_out_pages": int((fold_of == 0).sum()), "params": params,
              **run_experiments(docs, fold_of, gold, html, workers=workers, params=params, log=log)}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--variant", default="html", choices=("text", "html"))
    parser.add_argument("--folds", type=int, default=5)
    # The scores here are body/not-body F1, which the kind model does not touch: its solver is
    # bounded by default to save most of the fitting time.
    parser.add_argument("--params", type=json.loads, default={"kind_max_iter": 20},
                        help='LearnedDetector hyper-parameters as JSON, e.g. \'{"max_iter": 50}\'')
    parser.add_argument("--workers", type=int, default=2, help="points fitted in parallel processes")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "experiments.json")
    args = parser.parse_args(argv)
    return run(**vars(args))


if __name__ == "__main__":
    sys.exit(main())
