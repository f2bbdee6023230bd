"""Grouped cross-validation of the learned detectors over both corpora (no site in two folds).

    python -m benchmarks.cross_validate --data data/ [--folds 5] [--variants text,html] [--out results/cv.json]

Each page is predicted by a model that never saw its site. Scrapinghub pages are scored with the
shingle metric, WCXB pages with word F1 (overall and per page type); both from
``boilerplate.eval.metrics``. The seeds are scored by a model trained on the corpora only. Also saves
the out-of-fold predictions (``results/cv_predictions_<variant>.jsonl``) for the paper figures, and
every out-of-fold probability row (``<out stem>_proba_<variant>.npz``) for ``benchmarks.decoders``.

The kind decision (``LearnedDetector``'s ``kind_offsets``) is chosen here, never on a test fold:
each fold's labels take the offsets :func:`~boilerplate.detectors.learned.tune_kind_offsets` fits
on the out-of-fold kind probabilities of the hand-read pages of the *other* folds; the offsets fit
on all folds are the ones a model trained on all pages ships with (``cv.json``, ``kind_offsets``).
Both decisions are reported (``fine`` is the one ``--kind-decision`` names, the shipped one by
default; ``fine_argmax`` and ``fine_offsets`` each), from the same fits. The models are fitted
without ``kind_offsets``: the offsets move labels only, never probabilities.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from boilerplate.detectors.learned import LearnedDetector, cache_features, tune_kind_offsets
from boilerplate.eval.dataset import read_jsonl
from boilerplate.eval.metrics import calibration
from boilerplate.labels import BODY, BODY_INDEX, KINDS, LABELS, N_LABELS

from .agreement import read_passes
from .common import (
    ROOT,
    TREE_COUNTS,
    environment,
    evaluate,
    fine_by,
    fine_scores,
    fork_map,
    load_corpus,
    site_folds,
)
from .eval_seeds import seed_scores
from .train_default import KIND_DECISION, SHIPPED_PARAMS

THRESHOLDS = tuple(np.round(np.arange(0.1, 0.91, 0.05), 2))  # the binary knob, swept for the PR curve
_SHARED: dict = {}  # what the fold workers read; fork shares it without pickling the corpus


def _run_task(task: tuple[str, int]) -> tuple[str, int, list[int], list, list, dict, tuple]:
    """One fit: ``(variant, fold)`` trains on the other folds and predicts this one, also with the
    booster cut to each of :data:`TREE_COUNTS` trees; ``(variant, -1)`` trains on
    every corpus page and predicts the seeds (text only)."""
    docs, folds, seeds = _SHARED["docs"], _SHARED["folds"], _SHARED["seeds"]
    variant, f = task
    params = _SHARED["params"][variant]
    html = variant == "html"
    if f < 0:
        train, test = list(docs), list(seeds)
    else:
        # the text model also trains on the seeds, as the shipped one does; they are never scored here
        train = [d for d, k in zip(docs, folds) if k != f] + ([] if html else list(seeds))
        test = [d for d, k in zip(docs, folds) if k == f]
    # One OpenMP thread per process: the booster's threads would otherwise oversubscribe the
    # cores and spin-wait (a fold took 10x longer).
    with threadpool_limits(_SHARED["threads"]):
        model = LearnedDetector(html=html, **params).fit(train)
    probas = model.predict_proba_many(test)
    labels = [model.labels_from_proba(d, p) for d, p in zip(test, probas)]
    idx = [i for i, k in enumerate(folds) if k == f] if f >= 0 else list(range(len(seeds)))
    fewer = {}  # n -> probabilities of each test page with the booster cut to n trees
    for n in TREE_COUNTS:
        if f >= 0 and n < params.get("max_iter", LearnedDetector().max_iter):
            fewer[n] = model.with_trees(n).predict_proba_many(test)
    return variant, f, idx, labels, probas, fewer, model.kinds_


def cross_predict_all(docs: list, folds: np.ndarray, variants: list[str], seeds: list, workers: int = 2,
                      params: dict[str, dict] | None = None) -> dict[str, dict]:
    """Out-of-fold labels (argmax kinds) and probabilities of every document for each variant, and
    the seed labels and probabilities of a text model trained on all corpus pages: every fit of
    every variant in one pool of ``workers`` processes (longest first), so no core idles between
    variants. ``params``: each variant's ``LearnedDetector`` parameters (default: the defaults)."""
    _SHARED.update(docs=docs, folds=folds, seeds=seeds, threads=1 if workers > 1 else None,
                   params={v: (params or {}).get(v, {}) for v in variants})
    k = int(folds.max()) + 1
    tasks = [(v, f) for v in variants for f in range(k)] + ([("text", -1)] if "text" in variants else [])
    tasks.sort(key=lambda t: t[1] >= 0)  # the all-pages seeds fit is the largest: start it first
    out = {v: {"preds": [None] * len(docs), "proba": [None] * len(docs), "kinds": {}, "trees": {}} for v in variants}
    t0 = time.perf_counter()
    for done, (variant, f, idx, labels, probs, fewer, kinds) in enumerate(fork_map(_run_task, tasks, workers), 1):
        out[variant]["kinds"][f] = kinds
        if f < 0:
            out[variant]["seeds"], out[variant]["seeds_proba"] = labels, probs
        else:
            for i, lab, p in zip(idx, labels, probs):
                out[variant]["preds"][i], out[variant]["proba"][i] = lab, p
            for n, cut_probas in fewer.items():
                per_doc = out[variant]["trees"].setdefault(n, [None] * len(docs))
                for i, p in zip(idx, cut_probas):
                    per_doc[i] = p
        print(f"  {variant} {'seeds model' if f < 0 else f'fold {f + 1}/{k}'} done, {done}/{len(tasks)} fits "
              f"({time.perf_counter() - t0:.0f} s)", file=sys.stderr, flush=True)
    return out


def _offsets_on(docs: list, proba: list, indices) -> tuple[float, ...]:
    """:func:`tune_kind_offsets` on the hand-labeled non-body lines of the documents at ``indices``."""
    cols = [LABELS.index(k) for k in KINDS]
    log_p, kind = [], []
    for i in indices:
        gold = np.array([KINDS.index(g) if g in KINDS else -1 for g in docs[i].labels])
        log_p.append(np.log(np.clip(proba[i][gold >= 0][:, cols], 1e-300, None)))
        kind.append(gold[gold >= 0])
    if not sum(map(len, kind)):
        return (0.0,) * len(KINDS)
    return tuple(float(v) for v in tune_kind_offsets(np.vstack(log_p), np.concatenate(kind)))


def _decide(params: dict, kinds: tuple, offsets: tuple[float, ...] | None) -> LearnedDetector:
    """A detector that makes the labels of a fitted one with ``kinds_`` from its probabilities, with
    ``offsets`` as its ``kind_offsets`` (only the decision is used: ``labels_from_proba``)."""
    det = LearnedDetector(**{**params, "kind_offsets": offsets})
    det.kinds_ = kinds
    return det


def _labels(docs: list, folds: np.ndarray, proba: list, params: dict, kinds: dict, by_fold: dict | None) -> list:
    """Each document's labels from its out-of-fold probabilities, with its fold's offsets
    (``by_fold``; ``None``: argmax)."""
    preds: list = [None] * len(docs)
    for f in range(int(folds.max()) + 1):
        det = _decide(params, kinds[f], None if by_fold is None else by_fold[f])
        for i in np.flatnonzero(folds == f):
            preds[i] = det.labels_from_proba(docs[i], proba[i])
    return preds


def body_calibration(docs: list, p_body: list, subset=None) -> dict:
    """:func:`~boilerplate.eval.metrics.calibration` of the out-of-fold P(body) of the labeled lines
    of ``docs`` (all, or the indexes in ``subset``) against their gold."""
    subset = range(len(docs)) if subset is None else subset
    pb = [p for i in subset for p, g in zip(p_body[i], docs[i].labels) if g is not None]
    yb = [g == BODY for i in subset for g in docs[i].labels if g is not None]
    return calibration(pb, yb)


def kind_decisions(docs: list, folds: np.ndarray, predicted: dict, params: dict, seeds: list) -> dict:
    """The labels of every document with each fold's kind offsets fitted on the other folds' hand
    pages (:func:`_offsets_on`), those offsets, and the offsets fitted on all folds (what a model
    trained on all pages ships with), which also decide the seeds' labels."""
    hand = [i for i, d in enumerate(docs) if d.meta.get("annotator")]
    proba = predicted["proba"]
    by_fold = {f: _offsets_on(docs, proba, [i for i in hand if folds[i] != f]) for f in range(int(folds.max()) + 1)}
    out = {"preds": _labels(docs, folds, proba, params, predicted["kinds"], by_fold), "by_fold": by_fold,
           "all": _offsets_on(docs, proba, hand)}
    if "seeds_proba" in predicted:
        det = _decide(params, predicted["kinds"][-1], out["all"])
        out["seeds"] = [det.labels_from_proba(d, p) for d, p in zip(seeds, predicted["seeds_proba"])]
    return out


#: Decision knobs the CV never takes from a setting: it fits the offsets per fold itself, and it
#: labels each line alone; the label chain's weight is chosen on its saved rows by
#: ``benchmarks.decoders``.
DECIDED_ELSEWHERE = ("kind_offsets", "kind_transition_weight")


def variant_params(variants: list[str], params: dict | None = None) -> dict[str, dict]:
    """Each variant's ``LearnedDetector`` parameters: ``params`` for all, or (``None``) each shipped
    model's own (``SHIPPED_PARAMS``); without :data:`DECIDED_ELSEWHERE`.

    >>> variant_params(["text"], {"C": 2.0, "kind_offsets": None, "kind_transition_weight": 0.1})
    {'text': {'C': 2.0}}
    """
    return {v: {k: x for k, x in (SHIPPED_PARAMS[f"learned-{v}"] if params is None else params).items()
                if k not in DECIDED_ELSEWHERE} for v in variants}


def binary_scores(docs: list, p_body: list, gold: dict, threshold: float) -> dict:
    """Corpus precision, recall and F1 (each corpus with its metric, overall and WCXB articles) when
    a line is body at P(body) >= ``threshold``."""
    preds = [[BODY if p >= threshold else "chrome" for p in pb] for pb in p_body]  # blank lines have P(body) 0
    res = evaluate(docs, preds, gold, n_boot=0)
    out = {src: {k: v for k, v in r["all"].items() if k in ("precision", "recall", "f1")}
           for src, r in res.items() if "all" in r}
    if "article" in res.get("wcxb", {}):
        out["wcxb_article"] = {k: v for k, v in res["wcxb"]["article"].items() if k in ("precision", "recall", "f1")}
    return out


def threshold_sweep(docs: list, p_body: list, gold: dict) -> list[dict]:
    """:func:`binary_scores` when a line is body at P(body) >= t, for each t of :data:`THRESHOLDS`."""
    return [{"threshold": float(t), **binary_scores(docs, p_body, gold, t)} for t in THRESHOLDS]


#: The spans of annotation rounds scored apart (``fine_by_rounds``): 1-20 are the 970 pages of
#: the cross-validation before stop 33, 21-26 the pages that stop added, 27-29 read after its run,
#: 30-33 the pages stop 34 read after its run.
ROUND_SPANS = ((1, 20), (21, 26), (27, 29), (30, 33))


def round_span(round_: int) -> str:
    """The :data:`ROUND_SPANS` entry holding ``round_``, as ``"rounds A-B"`` (``"round N"`` past them)."""
    return next((f"rounds {a}-{b}" for a, b in ROUND_SPANS if a <= round_ <= b), f"round {round_}")


def breakdowns(docs: list, preds: list, hand: list[int]) -> dict:
    """Binary (body vs rest) and fine scores of the hand-read pages ``hand`` per source, per
    declared language, per page type (WCXB's types; the other corpora's pages are articles) and
    per span of annotation rounds (:data:`ROUND_SPANS`: an earlier run's pages, and the new ones)."""
    _, _, round_of = read_passes()
    return {"fine_by_source": fine_by(docs, preds, hand, lambda d: d.meta["source"]),
            "fine_by_language": fine_by(docs, preds, hand, lambda d: str(d.meta.get("lang") or "")[:2] or "undeclared"),
            "fine_by_page_type": fine_by(docs, preds, hand, lambda d: d.meta.get("page_type") or "article"),
            "fine_by_rounds": fine_by(docs, preds, hand, lambda d: round_span(round_of.get(d.id, 0)))}


def cv_predictions(results: Path, variant: str = "html") -> dict[str, list]:
    """Out-of-fold labels per page id, as :func:`run` saves them (``cv_predictions_<variant>.jsonl``
    in ``results``); ``SystemExit`` naming the file if it is absent."""
    path = results / f"cv_predictions_{variant}.jsonl"
    if not path.is_file():
        raise SystemExit(f"{path} missing (run the cv step: python -m benchmarks.run --steps cv)")
    return {rec["id"]: rec["pred"] for rec in map(json.loads, path.read_text().splitlines())}


def rescore_breakdowns(data: Path = ROOT / "data", out: Path = ROOT / "results" / "cv.json") -> int:
    """Recompute :func:`breakdowns` from a finished run's saved predictions
    (``cv_predictions_<variant>.jsonl`` beside ``out``) and write them into ``out``: a breakdown
    added after a run needs no refit. Every page of the run must be in the corpus, unchanged."""
    results = json.loads(out.read_text())
    docs = {d.id: d for d in load_corpus(data)}
    for variant in ("text", "html"):
        path = out.parent / f"cv_predictions_{variant}.jsonl"
        if variant not in results or not path.is_file():
            continue
        preds = cv_predictions(out.parent, variant)
        missing = [i for i, pred in preds.items() if i not in docs or len(docs[i].lines) != len(pred)]
        if missing:
            raise SystemExit(f"{path}: {len(missing)} pages not in the corpus as predicted, e.g. {missing[0]}")
        run_docs = [docs[i] for i in preds]
        hand = [i for i, d in enumerate(run_docs) if d.meta.get("annotator")]
        if len(hand) != results[variant].get("fine", {}).get("pages"):
            raise SystemExit(f"{out}: the corpus's hand-read pages are not the run's ({len(hand)} now, "
                             f"{results[variant].get('fine', {}).get('pages')} then): rerun the cross-validation")
        results[variant].update(breakdowns(run_docs, list(preds.values()), hand))
    out.write_text(json.dumps(results, indent=1, sort_keys=True, default=float) + "\n")
    return 0


def proba_path(out: Path, variant: str) -> Path:
    """Where a run with ``--out out`` saves a variant's rows: ``<out stem>_proba_<variant>.npz``."""
    return out.parent / f"{out.stem}_proba_{variant}.npz"


def save_proba(path: Path, docs: list, folds: np.ndarray, predicted: dict) -> None:
    """Every out-of-fold probability row (all seven labels, float32), for decisions studied after
    the fits (:func:`load_proba`): ``proba`` stacks the pages' rows in corpus order, ``bounds`` holds
    each page's first row and the end, ``fold`` each page's fold, ``kinds`` each fold model's kinds
    (``|``-joined, the seeds model's last); the seeds model's rows likewise."""
    rows = predicted["proba"]
    seeds = predicted.get("seeds_proba") or []
    kinds = predicted.get("kinds", {})
    np.savez_compressed(
        path, ids=np.array([d.id for d in docs]), fold=np.asarray(folds, dtype=np.int8),
        proba=np.vstack(rows).astype(np.float32), bounds=np.cumsum([0] + [len(p) for p in rows]),
        kinds=np.array(["|".join(kinds.get(f, KINDS)) for f in [*range(int(np.max(folds)) + 1), -1]]),
        seeds_proba=(np.vstack(seeds) if seeds else np.zeros((0, N_LABELS))).astype(np.float32),
        seeds_bounds=np.cumsum([0] + [len(p) for p in seeds]))


def load_proba(path: Path) -> dict:
    """What :func:`save_proba` wrote: ``ids``, ``folds``, ``proba`` (each page's rows), ``kinds``
    (each fold's, the seeds model's under -1) and ``seeds_proba``."""
    with np.load(path, allow_pickle=False) as z:
        split = [z["proba"][a:b].astype(np.float64) for a, b in zip(z["bounds"][:-1], z["bounds"][1:])]
        seeds = [z["seeds_proba"][a:b].astype(np.float64) for a, b in zip(z["seeds_bounds"][:-1], z["seeds_bounds"][1:])]
        folds = z["fold"].astype(int)
        names = [str(k) for k in z["kinds"]] if "kinds" in z.files else ["|".join(KINDS)] * (int(folds.max()) + 2)
        kinds = {f: tuple(k.split("|")) for f, k in zip([*range(len(names) - 1), -1], names)}
        return {"ids": [str(i) for i in z["ids"]], "folds": folds, "proba": split, "kinds": kinds,
                "seeds_proba": seeds}


def run(*, data: Path = ROOT / "data", scrapinghub: str | None = None, wcxb: str | None = None,
        folds: int = 5, params: dict | None = None, variants: str = "text,html", limit: int | None = None,
        workers: int = 2, bootstrap: int = 1000, out: Path = ROOT / "results" / "cv.json",
        kind_decision: str = KIND_DECISION) -> int:
    """The step itself, with the command line's options as keyword arguments; ``params`` (one
    setting for every variant) default to each shipped model's own (``SHIPPED_PARAMS``)."""
    variant_list = variants.split(",")
    by_variant = variant_params(variant_list, params)
    for variant, setting in by_variant.items():  # a misspelt name or a bad value fails here, not in every fold's worker
        if "html" in setting:
            raise SystemExit("--params: html is the variant's own (--variants text,html), not a parameter to set")
        try:
            LearnedDetector(html=variant == "html").set_params(**setting).validate_params()
        except (ValueError, TypeError) as exc:
            raise SystemExit(f"--params: {str(exc).splitlines()[0]}") from None
    if kind_decision not in ("argmax", "offsets"):
        raise SystemExit(f"--kind-decision must be 'argmax' or 'offsets', got {kind_decision!r}")
    docs = load_corpus(data, limit)
    gold = json.loads((data / "gold.json").read_text())
    fold_of = site_folds(docs, folds)
    seeds = list(read_jsonl(ROOT / "fixtures" / "seeds.jsonl"))
    results = {"folds": folds, "params": by_variant, "pages": len(docs), "sites": len({d.meta["site"] for d in docs}),
               "kind_decision": kind_decision, "environment": environment(data)}
    out.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    for variant in variant_list:
        for d in docs + seeds:
            cache_features(d, html=variant == "html" and d.cues is not None)
    print(f"features {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    predicted = cross_predict_all(docs, fold_of, variant_list, seeds, workers=workers, params=by_variant)
    for variant in variant_list:
        html = variant == "html"
        params = by_variant[variant]
        body = BODY_INDEX
        preds = predicted[variant]["preds"]
        p_body = [p[:, body] for p in predicted[variant]["proba"]]
        decided = kind_decisions(docs, fold_of, predicted[variant], params, seeds)
        argmax_preds, seed_preds = preds, predicted[variant].get("seeds")
        if kind_decision == "offsets":  # the shipped decision: offsets fitted on the other folds
            preds, seed_preds = decided["preds"], decided.get("seeds")
        res = evaluate(docs, preds, gold, n_boot=bootstrap)
        res["kind_offsets"] = {"kinds": list(KINDS), "all": list(decided["all"]),
                               "by_fold": {str(f): list(v) for f, v in decided["by_fold"].items()}}
        res["threshold_sweep"] = threshold_sweep(docs, p_body, gold)
        # the trees' quality curve: the same folds, the booster cut to fewer trees (binary, and fine
        # on the hand-read pages: the kinds go to the lines the cut booster calls not body)
        hand = [i for i, d in enumerate(docs) if d.meta.get("annotator")]
        res["trees"] = {}
        for n, cut_proba in sorted(predicted[variant]["trees"].items()):
            res["trees"][str(n)] = binary_scores(docs, [p[:, body] for p in cut_proba], gold,
                                                 params.get("threshold", LearnedDetector().threshold))
            labs = _labels(docs, fold_of, cut_proba, params, predicted[variant]["kinds"],
                           decided["by_fold"] if kind_decision == "offsets" else None)
            if hand:
                res["trees"][str(n)]["fine_macro_f1"] = fine_scores(docs, labs, hand)["macro_f1"]
            res["trees"][str(n)]["ece"] = body_calibration(docs, [p[:, body] for p in cut_proba])["ece"]
        # of P(body), out of fold, against the line gold (alignment or hand)
        res["calibration"] = {"all": body_calibration(docs, p_body), "hand": body_calibration(docs, p_body, hand)}
        if hand:  # fine-grained: the hand-annotated pages, each predicted by a model that never saw its site
            res["fine"] = fine_scores(docs, preds, hand)
            res["fine"]["pages"] = len(hand)
            res["fine_argmax"] = fine_scores(docs, argmax_preds, hand)
            res["fine_offsets"] = fine_scores(docs, decided["preds"], hand)
            res.update(breakdowns(docs, preds, hand))
        if not html:  # seeds: a model that never saw them
            res["seeds"] = seed_scores(seeds, seed_preds)
        results[variant] = res
        with open(out.parent / f"cv_predictions_{variant}.jsonl", "w") as fh:
            for d, p, pb in zip(docs, preds, p_body):
                fh.write(json.dumps({"id": d.id, "pred": p, "p_body": np.round(pb, 4).tolist()}) + "\n")
        save_proba(proba_path(out, variant), docs, fold_of, predicted[variant])
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
                        help="LearnedDetector hyper-parameters as JSON, for every variant (default: each "
                             f"shipped model's own, {json.dumps(SHIPPED_PARAMS)})")
    parser.add_argument("--variants", default="text,html")
    parser.add_argument("--limit", type=int, default=None, help="pages per corpus (quick runs)")
    parser.add_argument("--workers", type=int, default=2, help="folds fitted in parallel processes")
    parser.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples for the intervals")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "cv.json")
    parser.add_argument("--kind-decision", choices=("argmax", "offsets"), default=KIND_DECISION,
                        help="the labels scored as 'fine' (both are reported): argmax, or kind offsets "
                             f"fitted on the other folds (default: {KIND_DECISION}, the shipped one)")
    parser.add_argument("--rescore-breakdowns", action="store_true",
                        help="fit nothing: recompute the per-source, per-language, per-page-type and per-round "
                             "scores of --out from its saved predictions")
    args = parser.parse_args(argv)
    if args.rescore_breakdowns:
        return rescore_breakdowns(args.data, args.out)
    del args.rescore_breakdowns
    return run(**vars(args))


if __name__ == "__main__":
    sys.exit(main())
