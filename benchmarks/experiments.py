"""Learning curve and feature-group ablation of the learned detector, over every site-grouped fold.

    python -m benchmarks.experiments --data data/ [--variant html] [--folds 5] [--out results/experiments.json]

Both use the site-grouped folds of ``benchmarks.cross_validate``; each point is fitted once per
fold, on the other folds' sites, and scored on the held-out fold with each corpus's own metric
(binary body F1). Learning curve: trained on the first ``fraction`` of the training sites (in a
fixed shuffled order) for growing fractions. Ablation: the full training set with one feature group
zeroed (``LearnedDetector(ablate=)``); its effect is the *paired* difference to the full model on
the same fold. Each point reports the per-fold scores, their mean and a 95% interval over the folds
(Student's t on the fold scores, or on the paired differences).

The fits are cheaper than the shipped model's (``EXPERIMENT_PARAMS``: fewer boosting rounds, and
the kind model, which does not touch P(body), barely fitted): the experiments compare settings
with each other, and the absolute level is the cross-validation's.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from scipy import stats
from threadpoolctl import threadpool_limits

from boilerplate.detectors.learned import ABLATIONS, LearnedDetector, cache_features

from .common import ROOT, evaluate, fork_map, load_corpus, site_folds

CURVE_FRACTIONS = (0.1, 0.3, 1.0)
#: What the experiment fits change from the shipped setting, to fit 5 folds x 8 points in minutes.
EXPERIMENT_PARAMS: dict = {"max_iter": 30, "kind_max_iter": 5}
SOURCES = ("scrapinghub", "wcxb")

_SHARED: dict = {}  # read by the worker processes (fork shares it without pickling the corpus)


def interval(values: list[float]) -> dict:
    """Mean and 95% t-interval over folds of ``values`` (NaN-free)."""
    v = np.asarray(values, dtype=float)
    mean = float(v.mean())
    if len(v) < 2:
        return {"mean": mean, "ci": [mean, mean]}
    half = float(stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v)))
    return {"mean": mean, "ci": [mean - half, mean + half]}


def _fit_point(task: tuple[str, object, int]) -> dict:
    """One point on one fold: ("curve", fraction, fold) or ("ablation", group or None, fold)."""
    docs, folds, gold, html, sites = (_SHARED[k] for k in ("docs", "folds", "gold", "html", "sites"))
    kind, value, fold = task
    train = [d for d, k in zip(docs, folds) if k != fold]
    test = [d for d, k in zip(docs, folds) if k == fold]
    ablate: tuple = ()
    if kind == "curve":
        training_sites = {d.meta["site"] for d in train}
        order = [s for s in sites if s in training_sites]
        keep = set(order[:max(1, round(float(value) * len(order)))])  # type: ignore[arg-type]
        train = [d for d in train if d.meta["site"] in keep]
        row = {"fraction": value, "sites": len(keep), "pages": len(train)}
    else:
        ablate = (value,) if value else ()
        row = {"without": value or "(none)", "pages": len(train)}
    with threadpool_limits(_SHARED["threads"]):
        model = LearnedDetector(html=html, ablate=ablate, **_SHARED["params"]).fit(train)
    res = evaluate(test, [model.predict(d) for d in test], gold, n_boot=0)
    return {**row, "fold": fold, **{src: round(r["all"]["f1"], 4) for src, r in res.items() if "all" in r}}


def summarise(rows: list[dict]) -> dict:
    """Per-point fold scores, mean and interval; for the ablation also the paired change."""
    full = {r["fold"]: r for r in rows if r.get("without") == "(none)"}
    curve, ablation = [], []
    for key, out in (("fraction", curve), ("without", ablation)):
        for value in dict.fromkeys(r[key] for r in rows if key in r):
            pts = sorted((r for r in rows if r.get(key) == value), key=lambda r: r["fold"])
            entry: dict = {key: value, "pages": float(np.mean([r["pages"] for r in pts])), "folds": len(pts)}
            if key == "fraction":
                entry["sites"] = float(np.mean([r["sites"] for r in pts]))
            for src in SOURCES:
                scores = [r[src] for r in pts if src in r]
                if not scores:
                    continue
                entry[src] = {"per_fold": scores, **interval(scores)}
                if key == "without" and value != "(none)":
                    delta = [r[src] - full[r["fold"]][src] for r in pts if r["fold"] in full and src in full[r["fold"]]]
                    entry[src]["change"] = {"per_fold": [round(x, 4) for x in delta], **interval(delta)}
            out.append(entry)
    return {"learning_curve": sorted(curve, key=lambda e: e["fraction"]), "ablation": ablation}


def run_experiments(docs: list, folds: np.ndarray, gold: dict, html: bool, workers: int = 2, params: dict | None = None,
                    fractions=CURVE_FRACTIONS, groups=None, seed: int = 0, log=print) -> dict:
    """Learning curve and ablation on every fold held out; (point, fold) fits in ``workers`` processes."""
    sites = sorted({d.meta["site"] for d in docs})
    np.random.default_rng(seed).shuffle(sites)
    _SHARED.update(docs=docs, folds=folds, gold=gold, html=html, sites=sites,
                   threads=1 if workers > 1 else None, params=params or {})
    groups = [g for g in (ABLATIONS if groups is None else groups) if html or g != "markup"]
    points: list[tuple[str, object]] = [("ablation", None), *[("ablation", g) for g in groups],
                                        *[("curve", f) for f in fractions if f < 1.0]]
    tasks = [(kind, value, fold) for kind, value in points for fold in range(int(folds.max()) + 1)]
    t0 = time.perf_counter()
    rows = []
    for row in fork_map(_fit_point, tasks, workers):
        rows.append(row)
        log(f"  {len(rows)}/{len(tasks)} {row} ({time.perf_counter() - t0:.0f} s)")
    # the full-data point of the curve is the ablation's "(none)" row: fitted once per fold
    rows += [{**{k: v for k, v in r.items() if k != "without"}, "fraction": 1.0,
              "sites": len({d.meta["site"] for d, k in zip(docs, folds) if k != r["fold"]})}
             for r in rows if r.get("without") == "(none)"]
    return {"rows": rows, **summarise(rows)}


def run(*, data: Path = ROOT / "data", variant: str = "html", folds: int = 5,
        params: dict | None = None, workers: int = 2, limit: int | None = None,
        fractions: tuple[float, ...] = CURVE_FRACTIONS, groups: tuple[str, ...] | None = None,
        out: Path = ROOT / "results" / "experiments.json") -> int:
    """The step itself, with the command line's options as keyword arguments (``groups``: the
    feature groups ablated, default all of ``ABLATIONS``)."""
    params = dict(EXPERIMENT_PARAMS) if params is None else params
    docs = load_corpus(data, limit)
    gold = json.loads((data / "gold.json").read_text())
    html = variant == "html"
    for d in docs:
        cache_features(d, html=html)
    fold_of = site_folds(docs, folds)
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    t0 = time.perf_counter()
    result = {"variant": variant, "folds": folds, "pages": len(docs), "params": params,
              **run_experiments(docs, fold_of, gold, html, workers=workers, params=params, fractions=fractions,
                                groups=groups, log=log)}
    result["seconds"] = round(time.perf_counter() - t0, 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--variant", default="html", choices=("text", "html"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--params", type=json.loads, default=None,
                        help=f"LearnedDetector hyper-parameters as JSON (default {json.dumps(EXPERIMENT_PARAMS)})")
    parser.add_argument("--workers", type=int, default=2, help="fits in parallel processes")
    parser.add_argument("--limit", type=int, default=None, help="pages per corpus (quick runs)")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "experiments.json")
    args = parser.parse_args(argv)
    return run(**vars(args))


if __name__ == "__main__":
    sys.exit(main())
