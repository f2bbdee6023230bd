"""Quick comparison of kind-model designs on the hand-read pages alone.

    python -m benchmarks.kind_designs --data data/ [--designs JSON ...] [--splits 3] [--text] [--chain] [--group]

The hand-read pages are split into ``--splits`` parts by site (``site_folds``, so a held-out site
is never in training); each ``LearnedDetector`` variant is trained on the other parts and predicts
each part in turn, and the pooled out-of-part predictions give macro-F1 over the six non-body
labels and per-label F1. HTML model unless ``--text``, booster shortened to 50 trees, no aligned
pages in training: indicative, for choosing what to run through the full grouped CV
(``benchmarks.cross_validate``), not a result in itself.

``--chain`` also decodes each design's out-of-part kinds as a linear chain (a CRF-like second
design): forward-backward over a page's lines, with transitions counted on the training parts'
hand labels and the kind probabilities divided by the training prior to a power, lines over the
body threshold pinned to body (the binary decision is unchanged); it prints the grid of the two
powers. The grid is scored on the held-out parts, so its best cell is optimistic by construction.

``--group`` (HTML) decodes each non-body line's kind from its own kind probabilities mixed with the
mean over its block group (the lines sharing its DOM path and class/id, as the markup features
group them): ``(1 - w) * own + w * group mean`` for each weight of :data:`GROUP_WEIGHTS` (a block
votes on what it is for). Lines over the body threshold stay body. Same caveat: the grid is
scored on the held-out parts.
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
from boilerplate.detectors.learned.features import block_groups
from boilerplate.labels import BODY, KINDS, LABELS

from .common import ROOT, fine_scores, load_corpus, site_folds

#: The chain's states: the six kinds, then body.
STATES = (*KINDS, BODY)
CHAIN_PRIOR_POWERS = (0.0, 0.5, 1.0)
CHAIN_TRANSITION_POWERS = (0.0, 0.5, 1.0)
GROUP_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)


def forward_backward(emission: np.ndarray, transition: np.ndarray) -> np.ndarray:
    """Posterior state marginals of a chain (rows of ``emission`` >= 0, ``transition`` row-stochastic)."""
    n, _ = emission.shape
    alpha, beta = np.zeros_like(emission), np.ones_like(emission)
    for i in range(n):
        a = emission[i] * (alpha[i - 1] @ transition if i else 1.0)
        alpha[i] = a / max(a.sum(), 1e-300)
    for i in range(n - 2, -1, -1):
        b = transition @ (emission[i + 1] * beta[i + 1])
        beta[i] = b / max(b.sum(), 1e-300)
    post = alpha * beta
    return post / np.maximum(post.sum(axis=1, keepdims=True), 1e-300)


def _non_body_kinds(lines: list[str], proba: np.ndarray, threshold: float):
    """One page's non-blank rows: their mask, which are body (P(body) >= ``threshold``, decided as
    the shipped model decides), and their kind probabilities rescaled to sum to 1."""
    keep = np.array([bool(line.strip()) for line in lines], dtype=bool)
    p = proba[keep]
    kind_p = p[:, [LABELS.index(k) for k in KINDS]]
    return keep, p[:, LABELS.index(BODY)] >= threshold, kind_p / np.maximum(kind_p.sum(axis=1, keepdims=True), 1e-300)


def _page_labels(n: int, keep: np.ndarray, body: np.ndarray, kind: np.ndarray) -> list:
    """Labels of all ``n`` lines: None for blank ones, body or ``KINDS[kind]`` for the rest."""
    out: list = [None] * n
    for i, b, j in zip(np.flatnonzero(keep), body, kind):
        out[i] = BODY if b else KINDS[j]
    return out


def chain_labels(lines: list[str], proba: np.ndarray, transition: np.ndarray, prior: np.ndarray,
                 prior_power: float, transition_power: float, threshold: float = 0.5) -> list:
    """One page's labels with the kinds decoded as a chain (see the module doc)."""
    keep, body, kind_p = _non_body_kinds(lines, proba, threshold)
    emit = np.zeros((len(kind_p), len(STATES)))
    emit[:, :len(KINDS)] = kind_p / prior ** prior_power
    emit[body] = np.eye(len(STATES))[-1]
    trans = transition ** transition_power
    post = forward_backward(emit, trans / trans.sum(axis=1, keepdims=True))
    return _page_labels(len(lines), keep, body, post[:, :len(KINDS)].argmax(axis=1))


def group_labels(doc, proba: np.ndarray, weight: float, threshold: float = 0.5) -> list:
    """One HTML page's labels with each line's kind probabilities mixed with its block group's mean
    (:func:`~boilerplate.detectors.learned.features.block_groups`; see the module doc)."""
    keep, body, kind_p = _non_body_kinds(doc.lines, proba, threshold)
    group = block_groups(doc.cues)[keep]
    sums = np.zeros((group.max() + 1 if len(group) else 0, len(KINDS)))
    np.add.at(sums, group, kind_p)
    mean = sums[group] / np.bincount(group, minlength=len(sums))[group][:, None]
    return _page_labels(len(doc.lines), keep, body, ((1 - weight) * kind_p + weight * mean).argmax(axis=1))


def chain_statistics(docs: list) -> tuple[np.ndarray, np.ndarray]:
    """Transitions between consecutive non-blank hand labels (add-one smoothed) and the kinds' prior."""
    counts = np.ones((len(STATES), len(STATES)))
    for d in docs:
        seq = np.array([STATES.index(lab) for lab in d.labels if lab is not None])
        np.add.at(counts, (seq[:-1], seq[1:]), 1.0)
    prior = counts.sum(axis=0)[:len(KINDS)]
    return counts / counts.sum(axis=1, keepdims=True), prior / prior.sum()


DESIGNS = ('{"kind_stage": "flat"}', '{"kind_stage": "context"}', '{"kind_stage": "context-linear"}',
           '{"kind_window": 2}', '{"kind_window": 5}', '{"kind_class_weight": "balanced"}',
           '{"kind_window": 2, "kind_decision": "macro-f1"}')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--designs", nargs="*", default=list(DESIGNS))
    parser.add_argument("--splits", type=int, default=3, help="parts of the hand-read pages, by site")
    parser.add_argument("--text", action="store_true", help="the text-only model (default: HTML)")
    parser.add_argument("--chain", action="store_true", help="also decode the kinds as a linear chain")
    parser.add_argument("--group", action="store_true", help="also decode the kinds mixed with their block group's (HTML)")
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
        proba: list = [None] * len(docs)
        for k in range(args.splits):
            train = [d for d, p in zip(docs, part) if p != k]
            with threadpool_limits(1):
                model = LearnedDetector(html=html, max_iter=50, **json.loads(design)).fit(train)
            for i in np.flatnonzero(part == k):
                proba[i] = model.predict_proba(docs[i])
                pred[i] = model.labels_from_proba(docs[i], proba[i])
        _report(design, time.perf_counter() - t0, fine_scores(docs, pred))
        if args.chain:
            stats = [chain_statistics([d for d, p in zip(docs, part) if p != k]) for k in range(args.splits)]
            for a in CHAIN_PRIOR_POWERS:
                for b in CHAIN_TRANSITION_POWERS:
                    chained = [chain_labels(d.lines, proba[i], *stats[part[i]], a, b) for i, d in enumerate(docs)]
                    _report(f"  chain prior^{a} transitions^{b}", 0, fine_scores(docs, chained))
        if args.group and html:
            for w in GROUP_WEIGHTS:
                grouped = [group_labels(d, proba[i], w) for i, d in enumerate(docs)]
                _report(f"  block group weight {w}", 0, fine_scores(docs, grouped))
    return 0


def _report(name: str, seconds: float, res: dict) -> None:
    print(f"{name:40} {seconds:5.0f} s  macro-F1 {res['macro_f1']:.3f}  " +
          " ".join(f"{k} {v['f1']:.2f}" for k, v in res["per_label"].items()), flush=True)


if __name__ == "__main__":
    sys.exit(main())
