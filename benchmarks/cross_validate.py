"""Grouped cross-validation of the learned detectors over both corpora (no site in two folds).

    python -m benchmarks.cross_validate --data data/ [--folds 5] [--variants text,html] [--out results/cv.json]

Each page is predicted by a model that never saw its site. Scrapinghub pages are scored with the
shingle metric, WCXB pages with word F1 (overall and per page type); both from
``boilerplate.eval.metrics``. The seeds are scored by a model trained on the corpora only. Also saves
the out-of-fold predictions (``results/cv_predictions_<variant>.jsonl``) for the paper figures.
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
from boilerplate.eval.dataset import read_jsonl
from boilerplate.eval.metrics import calibration, line_prf
from boilerplate.labels import BODY, LABELS

from .common import ROOT, evaluate, fine_by, fine_scores, load_corpus, site_folds
from .train_default import SHIPPED_PARAMS

THRESHOLDS = tuple(np.round(np.arange(0.1, 0.91, 0.05), 2))  # the binary knob, swept for the PR curve
_SHARED: dict = {}  # what the fold workers read; fork shares it without pickling the corpus


def _run_fold(f: int) -> tuple[list[int], list, list]:
    docs, folds, html, extra = _SHARED["docs"], _SHARED["folds"], _SHARED["html"], _SHARED["extra"]
    train = [d for d, k in zip(docs, folds) if k != f]
    test_idx = [i for i, k in enumerate(folds) if k == f]
    # One OpenMP thread per fold process: the booster's threads would otherwise oversubscribe the
    # cores and spin-wait (a fold took 10x longer).
    with threadpool_limits(_SHARED["threads"]):
        model = LearnedDetector(html=html, **_SHARED["params"]).fit(train + extra)
    probas = model.predict_proba_many([docs[i] for i in test_idx])
    labels = [model.labels_from_proba(docs[i], p) for i, p in zip(test_idx, probas)]
    return test_idx, labels, [p[:, LABELS.index(BODY)] for p in probas]


def cross_predict(docs: list, folds: np.ndarray, html: bool, extra: list, workers: int = 2,
                  params: dict | None = None) -> tuple[list, list]:
    """Out-of-fold labels and P(body) for every document (folds fitted in ``workers`` processes)."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    _SHARED.update(docs=docs, folds=folds, html=html, extra=extra, threads=1 if workers > 1 else None,
                   params=params or {})
    preds: list = [None] * len(docs)
    p_body: list = [None] * len(docs)
    k = int(folds.max()) + 1
    t0 = time.perf_counter()
    if workers > 1:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork"))
        results = pool.map(_run_fold, range(k))
    else:
        pool, results = None, map(_run_fold, range(k))
    for done, (idx, labels, probs) in enumerate(results, 1):
        for i, lab, pb in zip(idx, labels, probs):
            preds[i], p_body[i] = lab, pb
        print(f"  fold {done}/{k} done ({time.perf_counter() - t0:.0f} s)", file=sys.stderr, flush=True)
    if pool is not None:
        pool.shutdown()
    return preds, p_body


def threshold_sweep(docs: list, p_body: list, gold: dict) -> list[dict]:
    """Corpus F1 (each corpus with its metric) when a line is body at P(body) >= t, for each t."""
    sweep = []
    for t in THRESHOLDS:
        preds = [[BODY if p >= t else "chrome" for p in pb] for pb in p_body]  # blank lines have P(body) 0
        res = evaluate(docs, preds, gold, n_boot=0)
        sweep.append({"threshold": float(t), **{src: {k: v for k, v in r["all"].items() if k in ("precision", "recall", "f1")}
                                                 for src, r in res.items() if "all" in r}})
    return sweep


def run(*, data: Path = ROOT / "data", scrapinghub: str | None = None, wcxb: str | None = None,
        folds: int = 5, params: dict | None = None, variants: str = "text,html", limit: int | None = None,
        workers: int = 2, bootstrap: int = 1000, out: Path = ROOT / "results" / "cv.json") -> int:
    """The step itself, with the command line's options as keyword arguments; ``params`` default to
    the shipped models' setting (``SHIPPED_PARAMS``)."""
    params = dict(SHIPPED_PARAMS) if params is None else params
    docs = load_corpus(data, limit)
    gold = json.loads((data / "gold.json").read_text())
    fold_of = site_folds(docs, folds)
    seeds = list(read_jsonl(ROOT / "fixtures" / "seeds.jsonl"))
    results = {"folds": folds, "params": params, "pages": len(docs), "sites": len({d.meta["site"] for d in docs})}
    out.parent.mkdir(parents=True, exist_ok=True)
    for variant in variants.split(","):
        html = variant == "html"
        t0 = time.perf_counter()
        for d in docs + seeds:
            cache_features(d, html=html and d.cues is not None)
        print(f"[{variant}] features {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
        preds, p_body = cross_predict(docs, fold_of, html, [] if html else seeds, workers=workers,
                                      params=params)
        res = evaluate(docs, preds, gold, n_boot=bootstrap)
        res["threshold_sweep"] = threshold_sweep(docs, p_body, gold)
        res["calibration"] = {}  # of P(body), out of fold, against the line gold (alignment or hand)
        for name, subset in (("all", range(len(docs))), ("hand", [i for i, d in enumerate(docs) if d.meta.get("annotator")])):
            pb = [p for i in subset for p, g in zip(p_body[i], docs[i].labels) if g is not None]
            yb = [g == BODY for i in subset for g in docs[i].labels if g is not None]
            res["calibration"][name] = calibration(pb, yb)
        hand = [i for i, d in enumerate(docs) if d.meta.get("annotator")]
        if hand:  # fine-grained: the hand-annotated pages, each predicted by a model that never saw its site
            res["fine"] = fine_scores(docs, preds, hand)
            res["fine"]["pages"] = len(hand)
            # per source and per declared language: binary (body vs rest) and fine, same predictions
            res["fine_by_source"] = fine_by(docs, preds, hand, lambda d: d.meta["source"])
            res["fine_by_language"] = fine_by(docs, preds, hand,
                                              lambda d: str(d.meta.get("lang") or "")[:2] or "undeclared")
        if not html:  # seeds: a model that never saw them
            model = LearnedDetector(html=False, **params).fit(docs)
            sp = [model.predict(d) for d in seeds]
            res["seeds"] = line_prf([g for d in seeds for g in d.labels], [p for s in sp for p in s], LABELS)
            res["seeds"]["pred"] = sp
            res["seeds"]["body_lines_dropped"] = [t for d, s in zip(seeds, sp) for t, g, p in zip(d.lines, d.labels, s)
                                                  if g == BODY and p != BODY]
            res["seeds"]["appeal_ad_teaser_kept"] = [t for d, s in zip(seeds, sp) for t, g, p in zip(d.lines, d.labels, s)
                                                     if g in ("appeal", "ad", "teaser") and p == BODY]
        results[variant] = res
        with open(out.parent / f"cv_predictions_{variant}.jsonl", "w") as fh:
            for d, p, pb in zip(docs, preds, p_body):
                fh.write(json.dumps({"id": d.id, "pred": p, "p_body": np.round(pb, 4).tolist()}) + "\n")
        sh = res.get("scrapinghub", {}).get("all", {})
        wc = res.get("wcxb", {})
        print(f"[{variant}] scrapinghub F1 {sh.get('f1', float('nan')):.4f}  "
              f"wcxb F1 {wc.get('all', {}).get('f1', float('nan')):.4f}  "
              f"wcxb article F1 {wc.get('article', {}).get('f1', float('nan')):.4f}  "
              f"ECE {res['calibration']['all']['ece']:.4f}  "
              f"fine macro-F1 {res.get('fine', {}).get('macro_f1', float('nan')):.3f}  " +
              " ".join(f"{k} {v['f1']:.2f}" for k, v in res.get("fine", {}).get("per_label", {}).items()))
    out.write_text(json.dumps(results, indent=1, sort_keys=True, default=float) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--scrapinghub", default=None, help="corpus dir, for the gold text")
    parser.add_argument("--wcxb", default=None)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--params", type=json.loads, default=None,
                        help=f"LearnedDetector hyper-parameters as JSON (default: the shipped {json.dumps(SHIPPED_PARAMS)})")
    parser.add_argument("--variants", default="text,html")
    parser.add_argument("--limit", type=int, default=None, help="pages per corpus (quick runs)")
    parser.add_argument("--workers", type=int, default=2, help="folds fitted in parallel processes")
    parser.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples for the intervals")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "cv.json")
    args = parser.parse_args(argv)
    return run(**vars(args))


if __name__ == "__main__":
    sys.exit(main())
