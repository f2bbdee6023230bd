"""Sequence decoding of the kinds over saved out-of-fold probabilities (issue 15): no refit.

    python -m benchmarks.decoders --data data/ --cv results/cv_text.json [--out results/decoders_text.json]

``benchmarks.cross_validate`` saves every out-of-fold probability row (``<out stem>_proba_<variant>.npz``
beside its ``--out``). The shipped decision labels each line on its own: body where P(body) >=
threshold, else the likeliest kind after the kind offsets. Here the non-body lines' kinds are
decoded as a sequence instead (``LearnedDetector``'s ``kind_transition_weight``, the code
``predict`` runs): a first-order chain over the page's non-blank lines whose transition
log-probabilities, counted on fully fine-labeled pages' label sequences, are added with a weight ``w`` to
each line's offset log-probabilities, and the best path is found by Viterbi. The body decisions
stay as they are (a body line is fixed as body, any other line may not be body), so every binary
score is unchanged; only the kinds move.

Nothing is chosen on a test fold: for each fold the transitions are counted on the other folds'
fully fine-labeled pages (and the seeds, for text: the pages ``fit`` counts), the offsets are the fold's own (fitted on the other folds by the CV, saved in its
JSON), and ``w`` is the grid value that scores best on the other folds' pages. ``w = 0`` is the
shipped decision, so the baseline comes from the same rows. The weight a model trained on every
page would ship with (``w_all``) is the one that scores best over all folds' rows. ``--headline-run`` also keeps at most
one run of headline lines per page (:func:`one_headline_run`); with it, ``w = 0`` is no longer the
shipped decision, so run without it for the baseline.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from boilerplate.detectors.learned import LearnedDetector
from boilerplate.detectors.learned.sequence import label_chain, label_transitions
from boilerplate.eval.dataset import read_jsonl
from boilerplate.labels import HEADLINE, KINDS, LABEL_INDEX, LABELS, N_LABELS

from .common import ROOT, fine_scores, load_corpus
from .cross_validate import load_proba, proba_path

#: Transition weights tried (0: each line on its own, the shipped decision).
WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5)
KIND_COLUMNS = np.array([LABELS.index(k) for k in KINDS])


def chains(docs) -> list[np.ndarray]:
    """The label chains of the fully fine-labeled pages among ``docs`` (those ``fit`` counts)."""
    return [c for c in (label_chain(d.labels) for d in docs) if c is not None]


def decider(params: dict, offsets: tuple[float, ...], start: np.ndarray, trans: np.ndarray, w: float,
            kinds: tuple[str, ...] = KINDS) -> LearnedDetector:
    """A detector that labels saved probabilities as a fitted model with these kinds and offsets,
    this label chain and transition weight ``w`` would (``labels_from_proba``, the code ``predict``
    runs)."""
    det = LearnedDetector(**{**params, "kind_offsets": tuple(offsets), "kind_transition_weight": w})
    det.kinds_ = tuple(kinds)
    det.kind_start_, det.kind_transitions_ = start, trans
    return det


HEADLINE_INDEX = LABEL_INDEX[HEADLINE]


def one_headline_run(labels: np.ndarray, proba: np.ndarray, blank: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """``labels`` with at most one run of headline lines (a page has one title and its standfirst):
    the run holding the line of highest P(headline) stays, every other headline line takes its
    likeliest other kind (offsets added). Runs are consecutive non-blank lines.

    >>> p = np.full((4, N_LABELS), 0.01); p[:, 1] = [0.9, 0.8, 0.1, 0.6]; p[:, 6] = 0.3
    >>> one_headline_run(np.array([1, 1, 0, 1]), p, np.zeros(4, bool), np.zeros(6)).tolist()
    [1, 1, 0, 6]
    """
    rows = np.flatnonzero(~blank)
    lab = labels[rows]
    is_head = lab == HEADLINE_INDEX
    if is_head.sum() <= 1:
        return labels
    run_id = np.cumsum(np.r_[True, lab[1:] != lab[:-1]])
    best = run_id[np.flatnonzero(is_head)[np.argmax(proba[rows[is_head], HEADLINE_INDEX])]]
    move = rows[is_head & (run_id != best)]
    score = np.log(np.clip(proba[move][:, KIND_COLUMNS], 1e-300, None)) + offsets
    score[:, list(KIND_COLUMNS).index(HEADLINE_INDEX)] = -np.inf
    out = labels.copy()
    out[move] = KIND_COLUMNS[score.argmax(axis=1)]
    return out


def run(data: Path, cv: Path, out: Path | None, headline_run: bool = False, variant: str | None = None) -> dict:
    """The decoders' fine scores, per fold and overall, with ``w`` chosen on the other folds."""
    result = json.loads(cv.read_text())
    variant = variant or ("text" if "text" in result else "html")
    res = result[variant]
    params = result["params"][variant]
    saved = load_proba(proba_path(cv, variant))
    ids, folds, proba, kinds = saved["ids"], saved["folds"], saved["proba"], saved["kinds"]
    if len(ids) != result["pages"] or int(folds.max()) + 1 != result["folds"]:
        raise SystemExit(f"{proba_path(cv, variant)} holds {len(ids)} pages in {int(folds.max()) + 1} folds, "
                         f"{cv} {result['pages']} in {result['folds']}: not the same run")
    # the text model also trains on the seeds, so its chain counts them too (as fit() does)
    seeds = list(read_jsonl(ROOT / "fixtures" / "seeds.jsonl")) if variant == "text" else []
    docs = load_corpus(data)
    by_id = {d.id: d for d in docs}
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise SystemExit(f"{len(missing)} pages of the saved probabilities are not in {data} (first {missing[0]})")
    docs = [by_id[i] for i in ids]
    hand = np.array([bool(d.meta.get("annotator")) for d in docs])
    k = int(folds.max()) + 1
    offsets = {f: np.asarray(res["kind_offsets"]["by_fold"][str(f)], dtype=np.float64) for f in range(k)}

    def decide(pages, f, start, trans, w):
        det = decider(params, offsets[f], start, trans, w, kinds[f])
        out = {i: det.labels_from_proba(docs[i], proba[i]) for i in pages}
        if headline_run:
            for i, labs in out.items():
                blank = np.array([g is None for g in labs])
                idx = np.array([-1 if g is None else LABEL_INDEX[g] for g in labs])
                out[i] = [None if b else LABELS[k] for b, k in
                          zip(blank, one_headline_run(idx, proba[i], blank, offsets[f]))]
        return out

    chosen, preds = {}, {}
    for f in range(k):
        train = [i for i in np.flatnonzero(hand & (folds != f))]
        start, trans = label_transitions(chains([d for d, k in zip(docs, folds) if k != f] + seeds), N_LABELS)
        scores = {}
        for w in WEIGHTS:
            labs = decide(train, f, start, trans, w)
            scores[w] = fine_scores(docs, labs, train)["macro_f1"]
        w_best = max(WEIGHTS, key=lambda w: (scores[w], -w))
        chosen[f] = {"w": w_best, "train_macro_f1": scores}
        test = [i for i in np.flatnonzero(hand & (folds == f))]
        for w in WEIGHTS:
            labs = decide(test, f, start, trans, w)
            for i, v in labs.items():
                preds.setdefault(w, {})[i] = v
        for i in test:
            preds.setdefault("chosen", {})[i] = preds[w_best][i]
        print(f"fold {f + 1}/{k}: w = {w_best} (other folds' macro-F1 "
              + ", ".join(f"{w}: {s:.4f}" for w, s in scores.items()) + ")", file=sys.stderr, flush=True)
    hand_idx = list(np.flatnonzero(hand))
    # what a model trained on every page ships with: w chosen on all folds' rows, each page decided
    # with its own fold's offsets and a chain counted on every fully fine-labeled page
    start, trans = label_transitions(chains(docs + seeds), N_LABELS)
    on_all = {}
    for w in WEIGHTS:
        labs = {}
        for f in range(k):
            labs.update(decide([i for i in hand_idx if folds[i] == f], f, start, trans, w))
        on_all[w] = fine_scores(docs, labs, hand_idx)["macro_f1"]
    w_all = max(WEIGHTS, key=lambda w: (on_all[w], -w))
    print(f"all folds: w = {w_all} (" + ", ".join(f"{w}: {v:.4f}" for w, v in on_all.items()) + ")", file=sys.stderr)
    summary = {"variant": variant, "pages": len(hand_idx), "weights": list(WEIGHTS), "by_fold": chosen,
               "headline_run": headline_run, "w_all": w_all, "all_folds_macro_f1": on_all}
    for key, p in preds.items():
        fine = fine_scores(docs, p, hand_idx)
        summary[str(key)] = {"macro_f1": fine["macro_f1"], "per_label_f1": {lab: v["f1"] for lab, v in fine["per_label"].items()}}
    for key in ("0.0", "chosen"):
        s = summary[key]
        print(f"{'shipped (w = 0)' if key == '0.0' else 'w chosen on other folds'}: macro-F1 {s['macro_f1']:.4f}  "
              + " ".join(f"{lab} {v:.3f}" for lab, v in s["per_label_f1"].items()))
    if out is not None:
        out.write_text(json.dumps(summary, indent=1, default=float) + "\n")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--cv", type=Path, required=True, help="a cross_validate --out (its <stem>_proba_<variant>.npz beside it)")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--headline-run", action="store_true", help="also keep one run of headline lines a page")
    parser.add_argument("--variant", choices=("text", "html"), default=None, help="default: the one the CV ran")
    args = parser.parse_args(argv)
    run(args.data, args.cv, args.out, args.headline_run, args.variant)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
