"""Learned detectors (scikit-learn), text-only or HTML-aware, with a safe model format.

Three steps, each a scikit-learn estimator:

1. ``text model``: logistic regression on hashed words + scaled dense features -> P(body) per line.
2. ``sequence step`` (stacking): histogram gradient boosting on the dense features plus the text
   model's scores of the line and its neighbours (out-of-fold during ``fit``, so the booster
   learns how far to trust them) -> P(body).
3. ``kind model``: multinomial logistic regression over the six non-body labels, trained on the
   non-body lines of fully fine-labeled documents only (hand annotations, seeds) -> P(kind | not
   body). Alignment-labeled pages are left out: there only the title-matching line gets a kind
   (headline), and learning from them alone makes "headline" the answer for every other line.

``predict_proba`` returns ``[P(body), (1 - P(body)) * P(kind | not body)...]`` in ``LABELS`` order;
``threshold`` is the binary knob: a line is body when P(body) >= threshold.

Models are saved as one ``.npz`` of plain arrays plus a JSON header (format version, parameters,
label order) and loaded with ``allow_pickle=False``: loading never runs code from the file. The
booster's trees are exported to flat node arrays and evaluated with numpy.
"""

from __future__ import annotations

import copy
import functools
import io
import json
import logging
import lzma
import math
import operator
import time
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import numpy as np
import scipy.sparse as sp

from ...document import Document
from ...labels import BODY, BODY_INDEX, CHROME, GOLD_LABELS, KINDS, LABEL_INDEX, LABELS, N_LABELS, OTHER
from ..base import Detector
from .features import (
    COHESION_COLUMNS,
    COHESION_OFFSETS,
    COHESION_SIDE,
    COHESION_WINDOW,
    HASH_FEATURES,
    SHAPE_WORD_VALUE,
    char_ngram_rows,
    context_windows,
    dense_features_and_stats,
    edge_word_columns,
    feature_groups,
    feature_layout,
    hashed_cues,
    hashed_text,
    lexical_cohesion,
    nonblank_rows,
    run_features,
    segment_context,
    segment_ids,
    shape_word_columns,
    shape_word_matrix,
)
from .forest import (
    MAX_FOREST_NODES,
    MAX_NODE_RECORD_BYTES,
    check_array,
    check_finite,
    export_forest,
    export_multiclass_forest,
    forest_decision,
    multiclass_decision,
    truncate_forest,
    validate_forest,
    validate_multiclass_forest,
)
from .seqnet import (
    MAX_SEQ_NET,
    NOT_BODY,
    SEQ_NET_DTYPE,
    SEQ_NET_MEMBERS,
    check_members,
    check_seq_net,
    check_word_columns,
    fit_seq_net,
    require_torch,
    seq_net_arrays,
    seq_net_caps,
    seq_net_logits,
    table_scores,
    word_table,
)
from .sequence import label_chain, label_transitions, viterbi
from .silver import silver_kinds

#: Progress of :meth:`LearnedDetector.fit` (a fit on the full corpus takes tens of minutes): one
#: INFO record per stage with its seconds, and one per part of the out-of-fold loops of the text
#: model and the booster's kind evidence (the longest stages). Silent unless the application shows
#: INFO records (``boilerplate train`` does, on stderr).
log = logging.getLogger(__name__)

FORMAT = "boilerplate-model"
#: 2: the dense feature layout is saved and checked; 3: words hashed by hashing.py; 4: the word
#: weights stored as byte planes (:data:`PLANE_MEMBERS`).
FORMAT_VERSION = 4
#: The versions :meth:`LearnedDetector.load` reads (3: the same arrays, the word weights plain).
READ_VERSIONS = (3, 4)
#: The kind model's word weights are stored as float16 (they are most of a model file: 2.4M
#: weights for 1,548 hand-read pages); float32 files, as earlier versions wrote, load as well.
#: Half precision moves a weight by at most 2^-11 of itself, far below what moves a decision.
KIND_COEF_DTYPES = (np.float16, np.float32)
#: ``seq_net``'s training target of each gold label: its index, or "known not to be body".
SEQ_NET_TARGETS = {**LABEL_INDEX, OTHER: NOT_BODY}
#: Members written with LZMA (the rest with deflate); the reader takes either for any member.
LZMA_MEMBERS = ("kind_coef_indices", "kind_coef_indptr", "text_coef_idx", "kind_mlp_cols", "seq_net_cols")
#: The word weights, most of a model file's bytes, are written as byte planes (:func:`byte_planes`,
#: from format version 4): a weight's high bytes (sign, exponent) repeat and compress, its low
#: bytes do not, and apart deflate takes the first far further. Lossless: the two shipped files
#: went from 17.46 to 16.44 MB (stop 56, re-saved, the same probabilities to the bit).
PLANE_MEMBERS = ("text_coef_val", "kind_coef_data", "kind_mlp_w1", "seq_net_embed")
STACK_OFFSETS = (-3, -2, -1, 1, 2, 3)
#: The second kind stage's windows over the first stage's evidence: (offsets, half-width of the mean).
KIND_WINDOWS = (((-2, -1, 1, 2), 2), ((), 5), ((), 12))
KIND_STAGE_ITER = 100
#: With ``stack_kinds``, the booster sees the flat kind model's log-probabilities of the line, of
#: the non-blank lines at these offsets, and their mean over this half-width; and the page's mean of
#: the kinds' log-probabilities and of the text model's logit (what kind of page it is).
STACK_KIND_OFFSETS = (-2, -1, 1, 2)
STACK_KIND_WINDOW = 5
#: The default ``stack_kind_max_iter``: the out-of-fold kind fits that feed the booster stop after
#: this many solver iterations (at most ``kind_max_iter``): two more kind fits per model, which at
#: 500 iterations doubled a fit's time.
STACK_KIND_MAX_ITER = 100
#: A window half-width no page reaches: :func:`context_windows`' mean over it is the page mean.
PAGE_WINDOW = 1 << 40
#: With ``body_context``, a second booster sees the first booster's logit of the non-blank lines at
#: these offsets, and its mean over each of these half-widths (the last one the whole page).
BODY_CONTEXT_OFFSETS = (-3, -2, -1, 1, 2, 3)
BODY_CONTEXT_WINDOWS = (2, 6, 15, PAGE_WINDOW)
ABLATIONS = ("words", "lexicons", "context", "markup", "sequence", "runs")
KIND_STAGES = ("flat", "context", "context-linear")
#: The offsets :func:`tune_kind_offsets` tries for each kind's log-probability, swept kind by kind
#: (coordinate ascent) :data:`KIND_OFFSET_SWEEPS` times from all zero; a move is kept only if it
#: raises macro-F1 by more than :data:`KIND_OFFSET_MIN_GAIN`.
KIND_OFFSET_GRID = tuple(float(v) for v in np.round(np.arange(-2.0, 2.01, 0.25), 2))
KIND_OFFSET_SWEEPS = 2
KIND_OFFSET_MIN_GAIN = 1e-4
#: The largest offset ``kind_offsets`` may hold (the grid's bound, with room).
MAX_KIND_OFFSET = 10.0
#: The logit ``kind_mlp``'s network gives a kind its training lines lacked (a probability of ~0).
ABSENT_LOGIT = -50.0
#: ``kind_mlp``'s network: a hashed word enters it when at least this many of the fit's
#: kind-labeled lines hold it (rarer words are the linear kind model's alone; the file stays small),
#: and it trains this many epochs of Adam over batches of this many lines, with this L2 penalty.
KIND_MLP_MIN_COUNT = 5
KIND_MLP_EPOCHS = 20
KIND_MLP_BATCH = 2048
KIND_MLP_ALPHA = 1e-4
#: The most hidden units ``kind_mlp`` may ask for, the most word columns its network reads (the
#: most frequent, past it), and the largest weight a model file's network may hold: together they
#: bound what a file can make the reader allocate (the first layer at most 2^18 x 128 weights).
MAX_KIND_MLP = 128
MAX_KIND_MLP_WORDS = 1 << 17
MAX_KIND_MLP_WEIGHT = 1e4
#: With ``kind_mlp_decision``, the network's share of the kind probabilities the labels read (the
#: kind model's, or the second kind stage's, take the rest). 0.25 is the weight of stop 51's
#: screen over the saved out-of-fold rows of the rounds 1-36 text CV (``docs/measuring.md``),
#: where the plain mean (0.5) gained nothing.
KIND_MLP_DECISION_WEIGHT = 0.25


class ModelError(ValueError):
    """A model file is missing, corrupt, or from an incompatible version."""


#: The longest JSON header a model file may hold, in characters (the shipped ones have ~3,000).
MAX_HEADER_CHARS = 1 << 20
#: The most bytes an ``.npy`` member's own header may take (numpy's reader allows 10,000).
MAX_NPY_HEADER_BYTES = 1 << 14
#: The arrays of a model file (``.npy`` members of the ``.npz``). The binary forest's arrays are
#: always there; the second kind stage's are either absent or one of the two sets.
MODEL_MEMBERS = ("header", "scaler_mean", "scaler_scale", "text_coef_idx", "text_coef_val",
                 "kind_coef_data", "kind_coef_indices", "kind_coef_indptr", "kind_intercept",
                 "forest_nodes", "forest_sizes", "forest_feature", "forest_threshold", "forest_missing_left",
                 "forest_left", "forest_right", "forest_leaf", "forest_value", "forest_roots", "forest_baseline")
KIND2_FOREST_MEMBERS = ("kind2_nodes", "kind2_sizes", "kind2_class", "kind2_baseline", "kind2_order")
KIND2_LINEAR_MEMBERS = ("kind2_coef", "kind2_intercept")
#: The second P(body) booster of ``body_context``: the first booster's arrays under a ``body2_`` prefix.
BODY2_MEMBERS = tuple(f"body2_{name}" for name in MODEL_MEMBERS if name.startswith("forest_"))
#: The label chain of the sequence decision (``kind_transition_weight``); files saved before it lack it.
SEQUENCE_MEMBERS = ("kind_start", "kind_transitions")
#: ``kind_mlp``'s network: the word columns it reads, the first layer's weights (those words' rows,
#: then the dense features'), its biases, and the output layer (columns in ``kinds_`` order).
KIND_MLP_MEMBERS = ("kind_mlp_cols", "kind_mlp_w1", "kind_mlp_b1", "kind_mlp_w2", "kind_mlp_b2")
#: The largest ``kind_transition_weight``.
MAX_TRANSITION_WEIGHT = 10.0
#: The least log-probability a model file's chain may hold (add-one counts over any corpus stay far
#: above it: -log of a count of 10^21).
MIN_LOG_TRANSITION = -50.0
#: The JSON type(s) of each parameter in a header (ranges are checked by ``validate_params``).
PARAM_TYPES = {"html": bool, "C": float, "alpha": float, "max_iter": int, "learning_rate": float,
               "max_leaf_nodes": int, "stack_folds": int, "threshold": float, "random_state": (int, None),
               "ablate": list, "kind_max_iter": int, "silver_weight": float, "silver_max_per_kind": int,
               "kind_stage": str, "kind_class_weight": (str, None), "kind_window": int,
               "markup_words": bool, "kind_offsets": (list, None), "stack_kinds": bool,
               "stack_kind_max_iter": int, "shape_words": bool, "kind_transition_weight": float,
               "segment_context": bool, "cohesion": bool, "body_context": bool, "edge_words": bool,
               "body_cohesion": bool, "char_ngrams": bool, "kind_mlp": int, "seq_net": int,
               "kind_mlp_decision": bool, "kind_mlp_words": int}
HEADER_KEYS = ("format", "version", "labels", "kinds", "params", "hash_features", "n_features_dense",
               "feature_layout", "text_intercept")


@functools.cache
def _blas_controller():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _one_blas_thread(method):
    """``method`` run with BLAS on one thread (threadpoolctl's limit, as scikit-learn's KMeans
    does). A document's products are small (its lines by a few dozen columns): BLAS's threads gain
    nothing on them, and where the cores are busy, as in a pool of one process per core, they
    wait on each other (stop 56, ad hoc: ``clean_html`` on 181 pages 8.85 s with numpy's default
    threads beside two busy processes, 3.96 s with one; the same where the cores are free). The
    limit holds process-wide while the call lasts, as every BLAS thread setting does."""
    @functools.wraps(method)
    def limited(*args, **kwargs):
        with _blas_controller().limit(limits=1, user_api="blas"):
            return method(*args, **kwargs)
    return limited


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


def _logit(p: np.ndarray) -> np.ndarray:
    """The log-odds of probabilities ``p``, clipped to [1e-6, 1 - 1e-6] first (what the stacked
    stages read a probability as)."""
    return np.log(np.clip(p, 1e-6, 1 - 1e-6) / np.clip(1 - p, 1e-6, 1))


def _binary_oof(make, X, y: np.ndarray, group: np.ndarray, folds: int) -> np.ndarray | None:
    """Out-of-fold P(y) of the binary estimator ``make()`` makes, sites (``group``) split into
    ``folds`` parts, a part whose training rows hold one class getting that class's rate; None
    when there are fewer than two sites or ``folds`` < 2 (the caller falls back to in-sample)."""
    from sklearn.model_selection import GroupKFold

    n_groups = len(set(group))
    if n_groups < 2 or folds < 2:
        return None
    out = np.zeros(len(y))
    parts = min(folds, n_groups)
    for part, (tr, te) in enumerate(GroupKFold(n_splits=parts).split(X, y, group)):
        out[te] = y[tr].mean() if len(set(y[tr])) < 2 else make().fit(X[tr], y[tr]).predict_proba(X[te])[:, 1]
        log.info("fit: out-of-fold scores, part %d of %d", part + 1, parts)
    return out


def _one_logit_per_class(coef: np.ndarray, intercept: np.ndarray, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """A scikit-learn classifier's output weights (one row per output) with one row per class: a
    binary one has a single logistic row for its second class, and the softmax of (0, z) is the
    sigmoid of z, so the first class gets a row of zeros."""
    if n_classes == 2 and len(coef) == 1:
        return np.vstack([np.zeros_like(coef), coef]), np.concatenate([[0.0], intercept])
    return coef, intercept


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def neighbour_words(hashed: sp.csr_matrix, blank: np.ndarray, half: int) -> sp.csr_matrix:
    """Per line, the mean of the hashed rows of the ``half`` non-blank lines on each side (not the
    line itself; blank lines get an empty row). One sparse product per document."""
    n = hashed.shape[0]
    order = np.flatnonzero(~blank)
    k = len(order)
    if not k or half <= 0:
        return sp.csr_matrix((n, hashed.shape[1]))
    half = min(half, k)  # no neighbour is further away than k lines: a huge window costs nothing
    offsets = [o for o in range(-half, half + 1) if o and abs(o) < k]
    if not offsets:
        return sp.csr_matrix((n, hashed.shape[1]))
    W = sp.diags([np.ones(k - abs(o)) for o in offsets], offsets, shape=(k, k), format="csr")
    W = sp.diags(1.0 / np.maximum(np.asarray(W.sum(axis=1)).ravel(), 1)) @ W
    S = sp.csr_matrix((np.ones(k), (order, np.arange(k))), shape=(n, k))  # scatter back to all lines
    return (S @ (W @ hashed[order])).tocsr()


def window_mean(values: np.ndarray, blank: np.ndarray, half: int) -> np.ndarray:
    """:func:`neighbour_words` for dense rows: per line, the mean of ``values`` over the ``half``
    non-blank lines on each side (not the line itself); blank lines get zeros. Applied to word
    scores, it gives the scores :func:`neighbour_words` rows would get."""
    out = np.zeros_like(values)
    order = np.flatnonzero(~blank)
    k = len(order)
    if not k or half <= 0:
        return out
    v = values[order]
    total = np.zeros_like(v)
    count = np.zeros(k)
    for o in range(1, min(half, k - 1) + 1):
        total[o:] += v[:-o]
        count[o:] += 1
        total[:-o] += v[o:]
        count[:-o] += 1
    out[order] = total / np.maximum(count, 1)[:, None]
    return out


def fit_sparse_logistic(X: sp.csr_matrix, y: np.ndarray, sample_weight: np.ndarray, **params):
    """A multinomial ``LogisticRegression`` fitted on the columns of ``X`` that hold a value in some
    row, its coefficients scattered back to all columns: ``(classes, coef, intercept)``.

    The same optimum as fitting on all of ``X``: under the L2 penalty a column that is zero in every
    row has zero gradient and stays at weight 0. But L-BFGS's own vector work scales with the number
    of coefficients, and of 2^19 hashed columns a few tens of thousands of training lines use a
    fraction, so this is several times faster.
    """
    from sklearn.linear_model import LogisticRegression

    X = sp.csr_matrix(X)
    active = np.flatnonzero(np.bincount(X.indices, minlength=X.shape[1]))
    model = LogisticRegression(**params).fit(X[:, active], y, sample_weight=sample_weight)
    raw, intercept = model.coef_, model.intercept_
    if len(model.classes_) == 2:  # one row, the second class's logit: as two rows, softmax gives the same
        raw, intercept = np.vstack([-raw / 2, raw / 2]), np.concatenate([-intercept / 2, intercept / 2])
    coef = np.zeros((len(model.classes_), X.shape[1]))
    coef[:, active] = raw
    return model.classes_, coef, intercept


def _offsets_ok(offsets: object) -> bool:
    try:
        values = np.asarray(offsets, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return values.shape == (len(KINDS),) and bool(np.isfinite(values).all()) \
        and bool((np.abs(values) <= MAX_KIND_OFFSET).all())


def tune_kind_offsets(log_p: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per-kind offsets to add to log-probabilities ``log_p`` (rows x kinds) before the argmax,
    chosen to maximise macro-F1 of that argmax against the kind indices ``y``.

    Coordinate ascent from all zero over :data:`KIND_OFFSET_GRID`, :data:`KIND_OFFSET_SWEEPS`
    sweeps over the kinds; a move is kept only if it gains more than :data:`KIND_OFFSET_MIN_GAIN`,
    so a kind whose offset does not matter keeps 0. Fit them on out-of-fold predictions, never on
    the lines they are then scored on (``benchmarks.cross_validate``).

    Examples
    --------
    >>> import numpy as np
    >>> log_p = np.log(np.array([[0.6, 0.4], [0.6, 0.4], [0.9, 0.1]]))
    >>> offsets = tune_kind_offsets(log_p, np.array([0, 1, 0]))  # kind 1 is never the argmax
    >>> (log_p + offsets).argmax(axis=1).tolist()  # now it is said where it is half right
    [1, 1, 0]
    """
    from sklearn.metrics import f1_score

    n_kinds = log_p.shape[1]
    labels = np.arange(n_kinds)
    offsets = np.zeros(n_kinds)

    def macro(pred: np.ndarray) -> float:
        return float(f1_score(y, pred, labels=labels, average="macro", zero_division=0))

    best = macro(log_p.argmax(axis=1))
    for _ in range(KIND_OFFSET_SWEEPS):
        for j in range(n_kinds):
            others = log_p + offsets
            others[:, j] = -np.inf
            rival, rival_at = others.max(axis=1), others.argmax(axis=1)
            for value in KIND_OFFSET_GRID:
                gain = macro(np.where(log_p[:, j] + value > rival, j, rival_at)) - best
                if gain > KIND_OFFSET_MIN_GAIN:
                    best += gain
                    offsets[j] = value
    return offsets


def _compute_features(html: bool):
    def compute(doc: Document):
        dense, st = dense_features_and_stats(doc, html=html)
        return hashed_text(doc), dense, hashed_cues(doc) if html else None, st.tokens
    return compute


def cache_features(doc: Document, html: bool) -> None:
    """Compute a document's features once and keep them on it (``Document.memo``), for repeated
    fits on the same pages (cross-validation). Kept values are dropped if the document changes."""
    doc.memo(("learned-features", html), _compute_features(html))


# --- the detector -----------------------------------------------------------------------------

class LearnedDetector(Detector):
    """Line classifier: text model, stacked sequence step, and kind model (see module doc).

    Parameters: ``html`` uses markup cues (documents must come from ``boilerplate.html.render``);
    ``alpha`` the text model's L2 penalty, ``C`` the kind model's inverse regularisation; ``max_iter``/``learning_rate``/``max_leaf_nodes``
    the booster's; ``stack_folds`` the folds for out-of-fold text scores; ``threshold`` the binary
    decision on P(body); ``random_state`` fixes every random choice. ``ablate`` removes feature
    groups, for ablation studies: any of ``ABLATIONS`` (words: the hashed n-grams; lexicons;
    context: neighbour windows; markup: HTML cues and markup words; sequence: the neighbours' scores
    in the booster; runs: the dateline and prefix-repeat columns and their run densities).
    ``kind_max_iter`` bounds the kind model's solver: most of the fitting time, and no effect on
    P(body). ``silver_weight`` > 0 adds *silver* kinds (``boilerplate.silver``, from the markup of
    rendered pages) of the non-body lines of alignment-labeled pages to the kind model's training,
    each with that sample weight, at most ``silver_max_per_kind`` lines per kind (drawn with
    ``random_state``); hand-labeled lines weigh 1. 0 (the default) trains on hand labels only.
    ``markup_words`` (with ``html``) adds each line's markup words, the words of its block's
    class/id, landmark and tag (:func:`~.features.hashed_cues`), to its hashed words, for the text
    and kind models; the ``markup`` ablation removes them too. Files saved before this parameter
    existed load with it off.
    ``kind_window`` > 0 gives the kind model the words of the run a line sits in: the mean hashed
    words of the ``kind_window`` non-blank lines before and after it, as a second block of hashed
    features beside the line's own.
    ``kind_stage`` is ``"flat"`` (the kind model alone decides the kind of each line) or
    ``"context"``: a second stage, a gradient-boosted classifier over the six kinds, sees the kind
    model's out-of-fold probabilities of the line and of its neighbours (offsets and window means
    over several sizes), the text model's score in the same windows, the dense features, and run
    features (the length of the run of lines of the same shape and the line's place in it);
    ``"context-linear"`` is the same stage as a logistic regression without the dense features.
    ``stack_kinds`` gives the P(body) booster the kind model's evidence too: the flat kind model's
    log-probabilities of the line, of the non-blank lines at :data:`STACK_KIND_OFFSETS` and their
    mean over :data:`STACK_KIND_WINDOW` lines on each side, and the page's means of them and of
    the text model's logit (out-of-fold during ``fit``, sites split into ``stack_folds`` parts,
    each part's kind fit stopped at ``stack_kind_max_iter`` iterations, at most ``kind_max_iter``),
    so a run that reads as an appeal or a teaser list can be dropped as a whole, and a listing
    page told from an article; cleaning then evaluates the kind model as well. With both, and
    ``stack_kind_max_iter >= kind_max_iter``, the kind stage reads the same out-of-fold kind
    probabilities (else it fits its own, as long as the kind model).
    ``shape_words`` adds each line's shape words (:func:`~.features.shape_words`: conjunctions of
    coarse buckets of its length, ending, case, digits, place on the page and its neighbours'
    lengths) to its hashed words, for the text and kind models (and, with ``kind_window``, the run
    words); files saved before this parameter existed load with it off.
    ``edge_words`` adds each non-blank line's first and last word as words of their own
    (:func:`~.features.edge_word_columns`: "^shop", "$more"), the same way; files saved before this
    parameter existed load with it off.
    ``kind_offsets`` is the kind decision's knob, as ``threshold`` is the binary one: ``None`` (a
    line that is not body takes its likeliest kind) or six numbers, one per kind in ``KINDS``
    order, added to the kinds' log-probabilities before the argmax. Argmax is the F1-best rule only
    for frequent classes (a rare kind, ``ad``, is said too seldom); :func:`tune_kind_offsets` finds
    offsets that maximise macro-F1 on out-of-fold predictions (``benchmarks.cross_validate``
    chooses the shipped ones so). ``predict_proba`` does not depend on them; only the labels do.
    ``segment_context`` (with a second kind stage) gives that stage each line's segment (a run of
    lines of one block group, or for text of one shape: :func:`~.features.segment_ids`) and the
    kind evidence over it and over the lines just before and after it
    (:func:`~.features.segment_context`); files saved before this parameter existed load with it off.
    ``cohesion`` (with a second kind stage) gives that stage each line's lexical cohesion with the
    page (:func:`~.features.lexical_cohesion`: how many of its content words other prose lines
    share), the line's and its neighbours'; files saved before this parameter existed load with it off.
    ``body_context`` adds a second P(body) booster (auto-context): it sees the first booster's rows
    plus the first booster's P(body) of the run around each line (its logit at
    :data:`BODY_CONTEXT_OFFSETS` and its means over the half-widths :data:`BODY_CONTEXT_WINDOWS`;
    out-of-fold during ``fit``, sites split into ``stack_folds`` parts, which fits ``stack_folds``
    more boosters; in-sample, and so overconfident, with ``stack_folds`` < 2 or a single site), so
    a line's decision can follow its neighbours' decisions, not only their features. It costs one
    more booster walk a page. Files saved before this parameter existed load with it off.
    ``char_ngrams`` adds each line's character n-grams (:func:`~.features.char_ngram_rows`: the
    parts of the words of its opening characters) to its hashed words, for the text and kind models
    (and the run words); the ``words`` ablation removes them too. Files saved before this parameter
    existed load with it off.
    ``body_cohesion`` gives the P(body) booster (and the second one, with ``body_context``) the
    same lexical cohesion columns, the line's and its neighbours': a paragraph that shares no content
    word with the page's prose (a donation appeal, a teaser for another story) reads less like the
    article. Cleaning then computes the cohesion too. Files saved before this parameter existed load
    with it off.
    ``kind_mlp`` > 0 gives the flat kind model a partner: a network with one hidden layer of that
    many units (rectified) over the line's own words (those at least :data:`KIND_MLP_MIN_COUNT`
    kind-labeled lines hold), its dense features and, with ``kind_window``, the same words in the
    run around it, fitted on the same lines and weights (at most :data:`KIND_MLP_EPOCHS` epochs); the flat
    kind probabilities are the mean of the two models' (wherever they are used: the booster's rows,
    the second kind stage, the labels). A linear model adds up its words' evidence; the network can
    weigh a word by the company it keeps. Files saved before this parameter existed load with it off.
    ``kind_mlp_decision`` (with ``kind_mlp``) keeps that network out of everything but the labels:
    the booster's rows and the second kind stage read the linear kinds alone, so P(body) is the
    model's without the network, and the kind probabilities the labels read are the linear ones
    (the second stage's, with one) mixed with the network's, which weighs
    :data:`KIND_MLP_DECISION_WEIGHT`. Files saved before this parameter existed load with it off.
    ``kind_mlp_words`` caps the word columns that network reads at the most frequent this many
    (rarer words are the linear kind model's alone). Each column costs two rows of ``kind_mlp``
    half-precision weights in the file, so it sets the file's size; files saved before this
    parameter existed load with the cap they were fitted under (:data:`MAX_KIND_MLP_WORDS`).
    ``seq_net`` > 0 gives P(body) a second opinion: a small convolutional network with that many
    channels over the page's lines (:mod:`~.seqnet`: each line's words and dense features, two
    convolutions five lines wide over the run around it, seven labels out), trained with PyTorch
    (needed to fit, not to clean), evaluated with numpy. P(body) is the mean of the booster's and
    the network's. Files saved before this parameter existed load with it off.
    ``kind_transition_weight`` > 0 decodes the kinds of a page's lines that are not body together,
    as one chain down its non-blank lines (:mod:`~.sequence`): each line's offset log-probabilities
    plus this weight times the log-probability of the step from the line above, over the
    transitions ``fit`` counts on the fully fine-labeled pages (``kind_start_``,
    ``kind_transitions_``); the body lines are fixed, so ``clean`` does not change. 0 (the
    default) labels each line alone.
    """

    def __init__(self, html: bool = False, C: float = 4.0, alpha: float = 1e-5, max_iter: int = 200, learning_rate: float = 0.1,
                 max_leaf_nodes: int = 31, stack_folds: int = 2, threshold: float = 0.5,
                 random_state: int = 0, ablate: tuple[str, ...] = (), kind_max_iter: int = 500,
                 silver_weight: float = 0.0, silver_max_per_kind: int = 5000, kind_stage: str = "flat",
                 kind_class_weight: str | None = None, kind_window: int = 0, markup_words: bool = True,
                 kind_offsets: tuple[float, ...] | None = None, stack_kinds: bool = False,
                 stack_kind_max_iter: int = STACK_KIND_MAX_ITER, shape_words: bool = False,
                 kind_transition_weight: float = 0.0, segment_context: bool = False, cohesion: bool = False,
                 body_context: bool = False, edge_words: bool = False, body_cohesion: bool = False,
                 char_ngrams: bool = False, kind_mlp: int = 0, seq_net: int = 0,
                 kind_mlp_decision: bool = False, kind_mlp_words: int = MAX_KIND_MLP_WORDS):
        self.html = html
        self.ablate = ablate
        self.kind_max_iter = kind_max_iter
        self.C = C
        self.alpha = alpha
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.stack_folds = stack_folds
        self.threshold = threshold
        self.random_state = random_state
        self.silver_weight = silver_weight
        self.silver_max_per_kind = silver_max_per_kind
        self.kind_stage = kind_stage
        self.kind_class_weight = kind_class_weight
        self.kind_window = kind_window
        self.markup_words = markup_words
        self.kind_offsets = kind_offsets
        self.stack_kinds = stack_kinds
        self.stack_kind_max_iter = stack_kind_max_iter
        self.shape_words = shape_words
        self.kind_transition_weight = kind_transition_weight
        self.segment_context = segment_context
        self.cohesion = cohesion
        self.body_context = body_context
        self.edge_words = edge_words
        self.body_cohesion = body_cohesion
        self.char_ngrams = char_ngrams
        self.kind_mlp = kind_mlp
        self.seq_net = seq_net
        self.kind_mlp_decision = kind_mlp_decision
        self.kind_mlp_words = kind_mlp_words

    # features ---------------------------------------------------------------------------------
    def _features(self, doc: Document) -> tuple[sp.csr_matrix, np.ndarray]:
        """A document's hashed words (with its shape words) and dense features, as fitted on."""
        return self._fit_features(doc, with_cohesion=False)[:2]

    def _fit_features(self, doc: Document, with_cohesion: bool = True) -> tuple[sp.csr_matrix, np.ndarray,
                                                                                np.ndarray | None]:
        """:meth:`_features` and the document's lexical cohesion (None without ``cohesion`` or
        ``body_cohesion``, or when ``with_cohesion`` is False)."""
        hashed, dense, shape, cohesion = self._split_features(doc, with_cohesion)
        if shape is not None:
            hashed = hashed + shape_word_matrix(shape[0], shape[1], len(dense))
        return hashed, dense, cohesion

    def _split_features(self, doc: Document, with_cohesion: bool = True) -> tuple[sp.csr_matrix, np.ndarray, tuple[np.ndarray, np.ndarray] | None,
                                                      np.ndarray | None]:
        """:meth:`_features` with the shape words apart, as :func:`~.features.shape_word_columns`
        gives them, with the edge words (:func:`~.features.edge_word_columns`) as more columns of the
        same lines (None without ``shape_words`` or ``edge_words``): cleaning adds their weights by indexing
        (:meth:`_word_scores`) instead of building a sparse sum, which costs more than the rest of
        a short document's word scores. Last, the document's :func:`~.features.lexical_cohesion`
        (None without ``cohesion`` or ``body_cohesion``, or when ``with_cohesion`` is False), from
        the tokens the dense features were counted from. With ``char_ngrams`` the hashed words
        include the lines' character n-grams."""
        # Cross-validation fits many models on the same pages: cache_features() keeps the
        # features on the document once, so each fold does not recompute them.
        hashed, dense, cue_words, tokens = doc.memo(("learned-features", self.html), _compute_features(self.html),
                                                    store=False)
        cohesion = (lexical_cohesion(doc.lines, dense[:, feature_layout(self.html).index("prose")], tokens)
                    if (self.cohesion or self.body_cohesion) and with_cohesion else None)
        if "words" in self.ablate:
            hashed = sp.csr_matrix(hashed.shape)
        elif self.char_ngrams:
            hashed = hashed + char_ngram_rows(doc)
        if self.html and self.markup_words and "markup" not in self.ablate and cue_words is not None:
            hashed = hashed + cue_words
        shape = shape_word_columns(dense, feature_layout(self.html)) if self.shape_words else None
        if self.edge_words and "words" not in self.ablate:  # the lines' own words: gone with them
            order = shape[0] if shape is not None else nonblank_rows(dense, feature_layout(self.html))
            edges = edge_word_columns(order, tokens)
            shape = (order, edges) if shape is None else (order, np.hstack([shape[1], edges]))
        if self.ablate:  # an ablated group is zeroed: it carries no information, the layout stays
            groups = feature_groups(self.html)
            drop = np.zeros(dense.shape[1], dtype=bool)
            for name in set(self.ablate) & set(groups):
                drop |= groups[name]
            if drop.any():
                dense = dense.copy()
                dense[:, drop] = 0.0
        return hashed, dense, shape, cohesion

    def _text_matrix(self, hashed: sp.csr_matrix, dense: np.ndarray) -> sp.csr_matrix:
        scaled = (dense - self.scaler_mean_) / self.scaler_scale_
        return sp.hstack([hashed, sp.csr_matrix(scaled)], format="csr")

    def _stack(self, dense: np.ndarray, text_score: np.ndarray, blank: np.ndarray,
               kind_p: np.ndarray | None = None, cohesion: np.ndarray | None = None) -> np.ndarray:
        """The booster's rows: the dense features, the text model's logit and its neighbours'; with
        ``stack_kinds`` (and ``kind_p``, the flat kind model's probabilities) also the kinds'
        log-probabilities of the line and the run around it; with ``body_cohesion`` (and
        ``cohesion``, the document's lexical cohesion) last the cohesion columns
        (:func:`_cohesion_columns`)."""
        logit = _logit(text_score)
        ctx = context_windows(logit[:, None], blank, offsets=STACK_OFFSETS)
        if "sequence" in self.ablate:
            ctx = np.zeros_like(ctx)
        cols = [dense, logit[:, None], ctx]
        if kind_p is not None:  # the callers pass it only with stack_kinds
            evidence = np.log(np.clip(kind_p, 1e-6, 1))
            around = context_windows(evidence, blank, offsets=STACK_KIND_OFFSETS, window=STACK_KIND_WINDOW)
            page = context_windows(np.column_stack([evidence, logit]), blank, offsets=(), window=PAGE_WINDOW)
            if "sequence" in self.ablate:
                around, page = np.zeros_like(around), np.zeros_like(page)
            cols += [evidence, around, page]
        if self.body_cohesion:
            cols += _cohesion_columns(cohesion, blank)
        return np.hstack(cols)

    def _body_context(self, p_body: np.ndarray, blank: np.ndarray) -> np.ndarray:
        """The columns ``body_context``'s second booster adds to :meth:`_stack`'s: the first
        booster's logit of the line, of the non-blank lines at :data:`BODY_CONTEXT_OFFSETS`, and its
        means over the half-widths :data:`BODY_CONTEXT_WINDOWS` (blank lines get zeros; the
        ``sequence`` ablation zeroes all but the line's own, as it does the first booster's)."""
        logit = _logit(p_body)[:, None]
        logit[blank] = 0.0
        near = context_windows(logit, blank, offsets=BODY_CONTEXT_OFFSETS, window=BODY_CONTEXT_WINDOWS[0])
        far = [context_windows(logit, blank, offsets=(), window=w) for w in BODY_CONTEXT_WINDOWS[1:]]
        around = np.hstack([near, *far])
        if "sequence" in self.ablate:
            around = np.zeros_like(around)
        return np.hstack([logit, around])

    # fit --------------------------------------------------------------------------------------
    def validate_params(self) -> LearnedDetector:
        """Check the parameters without fitting: ``fit`` does the same first.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            Naming the first parameter out of range, or set against another (``cohesion`` or
            ``segment_context`` without a second kind stage).

        Examples
        --------
        >>> LearnedDetector(C=2.0).validate_params().C
        2.0
        """
        checks = [
            ("html", lambda: isinstance(self.html, bool), "a bool"),
            ("C", lambda: self.C > 0, "> 0"),
            ("alpha", lambda: self.alpha > 0, "> 0"),
            ("max_iter", lambda: int(self.max_iter) == self.max_iter >= 1, "an integer >= 1"),
            ("learning_rate", lambda: self.learning_rate > 0, "> 0"),
            ("max_leaf_nodes", lambda: int(self.max_leaf_nodes) == self.max_leaf_nodes >= 2, "an integer >= 2"),
            ("stack_folds", lambda: int(self.stack_folds) == self.stack_folds >= 0, "an integer >= 0"),
            ("threshold", lambda: 0.0 <= self.threshold <= 1.0, "in [0, 1]"),
            ("ablate", lambda: set(self.ablate) <= set(ABLATIONS), f"a subset of {ABLATIONS}"),
            ("kind_max_iter", lambda: int(self.kind_max_iter) == self.kind_max_iter >= 1, "an integer >= 1"),
            ("silver_weight", lambda: self.silver_weight >= 0, ">= 0"),
            ("silver_max_per_kind", lambda: int(self.silver_max_per_kind) == self.silver_max_per_kind >= 0,
             "an integer >= 0"),
            ("kind_stage", lambda: self.kind_stage in KIND_STAGES, f"one of {KIND_STAGES}"),
            ("kind_class_weight", lambda: self.kind_class_weight in (None, "balanced"), "None or 'balanced'"),
            ("kind_window", lambda: int(self.kind_window) == self.kind_window >= 0, "an integer >= 0"),
            ("markup_words", lambda: isinstance(self.markup_words, bool), "a bool"),
            ("stack_kinds", lambda: isinstance(self.stack_kinds, bool), "a bool"),
            ("stack_kind_max_iter", lambda: int(self.stack_kind_max_iter) == self.stack_kind_max_iter >= 1,
             "an integer >= 1"),
            ("shape_words", lambda: isinstance(self.shape_words, bool), "a bool"),
            ("segment_context", lambda: isinstance(self.segment_context, bool)
             and not (self.segment_context and self.kind_stage == "flat"), "a bool, True only with a second kind stage"),
            ("cohesion", lambda: isinstance(self.cohesion, bool)
             and not (self.cohesion and self.kind_stage == "flat"), "a bool, True only with a second kind stage"),
            ("body_context", lambda: isinstance(self.body_context, bool), "a bool"),
            ("edge_words", lambda: isinstance(self.edge_words, bool), "a bool"),
            ("body_cohesion", lambda: isinstance(self.body_cohesion, bool), "a bool"),
            ("char_ngrams", lambda: isinstance(self.char_ngrams, bool), "a bool"),
            ("kind_mlp", lambda: isinstance(self.kind_mlp, int) and not isinstance(self.kind_mlp, bool)
             and 0 <= self.kind_mlp <= MAX_KIND_MLP, f"an integer in [0, {MAX_KIND_MLP}]"),
            ("kind_mlp_decision", lambda: isinstance(self.kind_mlp_decision, bool)
             and not (self.kind_mlp_decision and not self.kind_mlp), "a bool, True only with kind_mlp > 0"),
            ("kind_mlp_words", lambda: isinstance(self.kind_mlp_words, int) and not isinstance(self.kind_mlp_words, bool)
             and 1 <= self.kind_mlp_words <= MAX_KIND_MLP_WORDS, f"an integer in [1, {MAX_KIND_MLP_WORDS}]"),
            ("seq_net", lambda: isinstance(self.seq_net, int) and not isinstance(self.seq_net, bool)
             and 0 <= self.seq_net <= MAX_SEQ_NET, f"an integer in [0, {MAX_SEQ_NET}]"),
            ("kind_transition_weight", lambda: 0.0 <= self.kind_transition_weight <= MAX_TRANSITION_WEIGHT,
             f"in [0, {MAX_TRANSITION_WEIGHT}]"),
            ("kind_offsets", lambda: self.kind_offsets is None or _offsets_ok(self.kind_offsets),
             f"None or {len(KINDS)} finite numbers in [-{MAX_KIND_OFFSET}, {MAX_KIND_OFFSET}] ({', '.join(KINDS)})"),
        ]
        for name, holds, expected in checks:
            try:
                ok = holds()
            except (TypeError, ValueError):  # a value no check can read ("x" for a number): out of range
                ok = False
            if not ok:
                raise ValueError(f"LearnedDetector: {name} must be {expected}, got {getattr(self, name)!r}")
        return self

    def fit(self, documents: Iterable[Document] | None = None, y: Any = None) -> LearnedDetector:
        """Fit on labeled documents (``y`` is unused: the labels are ``doc.labels``)."""
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.linear_model import SGDClassifier

        self.validate_params()
        if self.seq_net:
            require_torch()  # before minutes of fitting, not after
        docs = [d for d in documents or () if d.labels is not None and len(d.lines)]
        if not docs:
            raise ValueError("fit needs at least one labeled document")
        hashed, dense, y_body, kinds, groups, blank, silver, chains = [], [], [], [], [], [], [], []
        targets: list[np.ndarray] = []  # seq_net's: each labeled line's label index, or NOT_BODY
        cohesion: list[np.ndarray | None] = []
        started = clock = time.perf_counter()

        def done(stage: str) -> None:  # one progress record: the stage and its seconds
            nonlocal clock
            now = time.perf_counter()
            log.info("fit: %s (%.0f s)", stage, now - clock)
            clock = now

        log.info("fit: documents %d, lines %d", len(docs), sum(len(d.lines) for d in docs))
        for doc in docs:
            h, x, c = self._fit_features(doc)
            labels = np.array(doc.labels, dtype=object)
            keep = labels != None  # noqa: E711 - elementwise
            hashed.append(h[keep])
            dense.append(x[keep])
            cohesion.append(None if c is None else c[keep])
            y_body.append(labels[keep] == BODY)
            if self.seq_net:
                try:
                    targets.append(np.array([SEQ_NET_TARGETS[label] for label in labels[keep]], dtype=np.int64))
                except KeyError as exc:
                    raise ValueError(f"document {doc.id!r}: label {exc.args[0]!r} is none of {', '.join(GOLD_LABELS)}") from None
            # the label chain down the page's labeled lines; None unless every one has a fine label
            page_chain = label_chain(list(labels[keep]))
            fully_fine = page_chain is not None
            kinds.append(labels[keep] if fully_fine else np.full(keep.sum(), None, dtype=object))
            if page_chain is not None:
                chains.append(page_chain)
            if self.silver_weight > 0 and not fully_fine and doc.cues is not None:
                sk = np.array(silver_kinds(doc), dtype=object)[keep]
                sk[labels[keep] == BODY] = None  # silver says which kind a non-body line is
                silver.append(sk)
            else:
                silver.append(np.full(keep.sum(), None, dtype=object))
            groups.append(np.full(keep.sum(), doc.meta.get("site") or doc.id, dtype=object))
            blank.append(~keep)
        H = sp.vstack(hashed, format="csr")
        D = np.vstack(dense)
        y = np.concatenate(y_body)
        kind = np.concatenate(kinds)
        silver_kind = np.concatenate(silver)
        group = np.concatenate(groups)
        self.scaler_mean_ = D.mean(axis=0)
        self.scaler_scale_ = np.where(D.std(axis=0) > 1e-9, D.std(axis=0), 1.0)
        X = self._text_matrix(H, D)
        done(f"features of {X.shape[0]} labeled lines")

        def text_model():
            # SGD on the log loss: the same logistic model as LogisticRegression, ~10x faster
            # on hundreds of thousands of lines with 2^18 hashed features.
            return SGDClassifier(loss="log_loss", alpha=self.alpha, max_iter=15, tol=None,
                                 random_state=self.random_state)

        # Out-of-fold text scores, folds grouped by site, so the stacked booster sees scores
        # as good (and as bad) as they will be on unseen pages.
        oof_or_none = _binary_oof(text_model, X, y, group, self.stack_folds)
        lr = text_model().fit(X, y)
        self.text_coef_ = lr.coef_.ravel().astype(np.float64)
        self.text_intercept_ = float(lr.intercept_[0])
        oof = lr.predict_proba(X)[:, 1] if oof_or_none is None else oof_or_none
        done("text model and its out-of-fold scores")

        if self.kind_window > 0:  # the kind models also see the words of the run around each line
            XK = sp.hstack([X, sp.vstack([neighbour_words(h, np.zeros(h.shape[0], dtype=bool), self.kind_window)
                                          for h in hashed], format="csr")], format="csr")
        else:
            XK = X
        fine = np.isin(kind, KINDS)
        weight = fine.astype(np.float64)
        if self.silver_weight > 0:
            rng = np.random.default_rng(self.random_state)
            for k in KINDS:
                rows = np.flatnonzero((silver_kind == k) & ~fine)
                if len(rows) > self.silver_max_per_kind:
                    rows = rng.choice(rows, self.silver_max_per_kind, replace=False)
                kind[rows] = k
                weight[rows] = self.silver_weight
            fine = weight > 0
        self.kinds_ = tuple(k for k in KINDS if (kind[fine] == k).any())
        self.kind_mlp_: dict[str, np.ndarray] | None = None
        kind_oof = None
        if self.stack_kinds and len(self.kinds_) >= 2:
            kind_oof = self._oof_kind_proba(XK, kind, weight, fine, group)

        # The booster needs each document's lines in order (blank rows dropped) for the windows.
        stacked, start = [], 0
        for d, c in zip(dense, cohesion):
            n = len(d)
            stacked.append(self._stack(d, oof[start:start + n], np.zeros(n, dtype=bool),
                                       None if kind_oof is None else kind_oof[start:start + n], c))
            start += n
        S = np.vstack(stacked)
        if kind_oof is not None:
            done("out-of-fold kind evidence for the booster")

        def booster():
            return HistGradientBoostingClassifier(max_iter=self.max_iter, learning_rate=self.learning_rate,
                                                  max_leaf_nodes=self.max_leaf_nodes, early_stopping=False,
                                                  random_state=self.random_state)

        hgb = booster().fit(S, y)
        self.forest_ = export_forest(hgb)
        done(f"P(body) booster, {self.max_iter} trees on {S.shape[1]} columns")
        self.seq_net_: dict[str, np.ndarray] | None = None
        if self.seq_net:
            self.seq_net_ = fit_seq_net(hashed, [(d - self.scaler_mean_) / self.scaler_scale_ for d in dense],
                                        targets, self.seq_net, self.random_state)
            done(f"line network, {self.seq_net} channels over {len(self.seq_net_['cols'])} words")
        self.body2_forest_: dict[str, Any] = {}
        if self.body_context:  # auto-context: the first booster's out-of-fold P(body) around each line
            first = _binary_oof(booster, S, y, group, self.stack_folds)
            if first is None:
                first = hgb.predict_proba(S)[:, 1]
            bounds = np.cumsum([0] + [len(d) for d in dense])
            S2 = np.hstack([S, np.vstack([self._body_context(first[a:b], np.zeros(b - a, dtype=bool))
                                          for a, b in zip(bounds[:-1], bounds[1:])])])
            self.body2_forest_ = export_forest(booster().fit(S2, y))
            done("second P(body) booster (body_context)")

        if len(self.kinds_) >= 2:
            classes, coef, intercept = fit_sparse_logistic(
                XK[fine], kind[fine], weight[fine], C=self.C, max_iter=self.kind_max_iter,
                random_state=self.random_state, class_weight=self.kind_class_weight)
            order = [list(classes).index(k) for k in self.kinds_]
            self.kind_coef_ = coef[order].astype(np.float64)
            self.kind_intercept_ = intercept[order].astype(np.float64)
            done(f"kind model over {len(self.kinds_)} kinds, {int(fine.sum())} lines")
            if self.kind_mlp:
                self.kind_mlp_ = self._fit_kind_mlp(XK[fine], kind[fine], weight[fine])
                done(f"kind network, {self.kind_mlp} hidden units over {len(self.kind_mlp_['cols'])} words")
        else:
            self.kind_coef_ = np.zeros((len(self.kinds_), XK.shape[1]))
            self.kind_intercept_ = np.zeros(len(self.kinds_))
        self.kind_forest_: dict[str, Any] = {}
        if self.kind_stage in ("context", "context-linear") and len(self.kinds_) >= 2:
            # the booster's out-of-fold kinds stand for the kind model only when fitted as long as it
            same_fit = self.stack_kind_max_iter >= self.kind_max_iter
            self._fit_kind_stage(XK, dense, cohesion, kind, weight, fine, group, oof, kind_oof if same_fit else None)
            done(f"second kind stage ({self.kind_stage})")
        chain_start, chain_steps = label_transitions(chains, N_LABELS)
        self.kind_start_: np.ndarray | None = chain_start
        self.kind_transitions_: np.ndarray | None = chain_steps
        self.n_features_dense_ = D.shape[1]
        self.feature_names_ = feature_layout(self.html).names
        log.info("fit: done in %.0f s", time.perf_counter() - started)
        return self

    def _oof_kind_proba(self, X, kind: np.ndarray, weight: np.ndarray, fine: np.ndarray,
                        group: np.ndarray) -> np.ndarray:
        """Out-of-fold flat kind probabilities of every training line (columns in ``kinds_`` order):
        the sites are split into ``stack_folds`` parts (at least 2), and each part's lines are
        predicted by a kind model fitted on the kind-labeled lines of the other parts' sites, so the
        booster learns how far to trust the kinds on sites the kind model never saw."""
        from sklearn.model_selection import GroupKFold

        out = np.full((X.shape[0], len(self.kinds_)), 1.0 / len(self.kinds_))
        n_parts = min(max(self.stack_folds, 2), len(set(group)))
        max_iter = min(self.kind_max_iter, self.stack_kind_max_iter)
        if n_parts < 2:
            return self._kind_proba_flat_fit(X, kind, weight, fine, X, max_iter=max_iter)
        for part, (tr, te) in enumerate(GroupKFold(n_splits=n_parts).split(np.zeros(len(group)), groups=group)):
            rows = tr[fine[tr]]
            if len(set(kind[rows])) >= 2:  # else the part keeps the uniform rows
                out[te] = self._kind_proba_flat_fit(X[rows], kind[rows], weight[rows], None, X[te], max_iter=max_iter)
            log.info("fit: out-of-fold kinds, part %d of %d", part + 1, n_parts)
        return out

    def _kind_proba_flat_fit(self, X, kind: np.ndarray, weight: np.ndarray, fine: np.ndarray | None,
                             X_new, max_iter: int | None = None) -> np.ndarray:
        """A flat kind model fitted on the rows of ``X`` (those in ``fine``, if given; ``max_iter``
        solver iterations, ``kind_max_iter`` by default), its probabilities of the rows of ``X_new``
        in ``kinds_`` order (0 for a kind it never saw); with ``kind_mlp``, the mean with a network
        fitted on the same rows (:meth:`_fit_kind_mlp`)."""
        if fine is not None:
            X, kind, weight = X[fine], kind[fine], weight[fine]
        classes, coef, intercept = fit_sparse_logistic(
            X, kind, weight, C=self.C, max_iter=max_iter or self.kind_max_iter, random_state=self.random_state,
            class_weight=self.kind_class_weight)
        part = _softmax(np.asarray(X_new @ coef.T) + intercept)
        classes = list(classes)
        proba = np.column_stack([part[:, classes.index(k)] if k in classes else np.zeros(len(part))
                                 for k in self.kinds_])
        if self._kind_mlp_mixed():
            proba = (proba + _softmax(self._kind_mlp_matrix_logits(self._fit_kind_mlp(X, kind, weight), X_new))) / 2
        return proba

    def _kind_proba_flat(self, X) -> np.ndarray:
        if len(self.kinds_) < 2:
            return np.ones((X.shape[0], len(self.kinds_)))
        proba = _softmax(np.asarray(X @ self.kind_coef_.T) + self.kind_intercept_)
        if self.kind_mlp_ is not None and self._kind_mlp_mixed():
            proba = (proba + _softmax(self._kind_mlp_matrix_logits(self.kind_mlp_, X))) / 2
        return proba

    def _kind_mlp_mixed(self) -> bool:
        """Whether ``kind_mlp``'s network is averaged into the flat kinds wherever they are read
        (not with ``kind_mlp_decision``, where it reaches the labels alone)."""
        return bool(self.kind_mlp) and not self.kind_mlp_decision

    def _fit_kind_mlp(self, X, kind: np.ndarray, weight: np.ndarray) -> dict[str, np.ndarray]:
        """``kind_mlp``'s network fitted on the rows of ``X`` (the kind model's columns: the hashed
        words, then the scaled dense features, then with ``kind_window`` the run words), as arrays:
        the word columns it reads (``cols``, of the line's own words and of the run's alike), the
        first layer (``w1``: those own words' rows, the dense features', then with ``kind_window``
        those run words'; ``b1``) and the output layer (``w2``, ``b2``: columns in ``kinds_``
        order, a kind the rows lack at a logit of :data:`ABSENT_LOGIT`)."""
        import warnings

        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier
        from sklearn.utils.class_weight import compute_sample_weight

        X = sp.csr_matrix(X)
        own = X.indices[X.indices < HASH_FEATURES]  # the lines' own words (one entry per line holding one)
        counts = np.bincount(own, minlength=HASH_FEATURES)
        cols = np.flatnonzero(counts >= KIND_MLP_MIN_COUNT)
        if len(cols) > self.kind_mlp_words:  # the most frequent, in column order
            cols = np.sort(cols[np.argsort(-counts[cols], kind="stable")[:self.kind_mlp_words]])
        inputs = self._kind_mlp_inputs(X, cols)
        if self.kind_class_weight is not None:  # weighed as the linear kind model weighs them
            weight = weight * compute_sample_weight(self.kind_class_weight, kind)
        net = MLPClassifier(hidden_layer_sizes=(self.kind_mlp,), alpha=KIND_MLP_ALPHA,
                            batch_size=min(KIND_MLP_BATCH, X.shape[0]),
                            max_iter=KIND_MLP_EPOCHS, random_state=self.random_state)
        with warnings.catch_warnings():  # at most KIND_MLP_EPOCHS epochs, by design
            warnings.simplefilter("ignore", ConvergenceWarning)
            net.fit(inputs, kind, sample_weight=weight)
        classes = list(net.classes_)
        w2, b2 = _one_logit_per_class(net.coefs_[1].T, net.intercepts_[1], len(classes))
        w2 = w2.T
        out_w = np.zeros((self.kind_mlp, len(self.kinds_)))
        out_b = np.full(len(self.kinds_), ABSENT_LOGIT)
        for j, k in enumerate(self.kinds_):
            if k in classes:
                out_w[:, j], out_b[j] = w2[:, classes.index(k)], b2[classes.index(k)]
        return {"cols": cols.astype(np.int64), "w1": net.coefs_[0].astype(np.float64),
                "b1": net.intercepts_[0].astype(np.float64), "w2": out_w, "b2": out_b}

    def _kind_mlp_inputs(self, X, cols: np.ndarray) -> sp.csr_matrix:
        """The network's inputs from the rows of ``X`` (the kind model's columns): the own words
        ``cols``, the scaled dense features, and with ``kind_window`` the run words ``cols``."""
        n_dense = len(self.scaler_mean_)
        blocks = [X[:, cols], X[:, HASH_FEATURES:HASH_FEATURES + n_dense]]
        if self.kind_window > 0:
            blocks.append(X[:, HASH_FEATURES + n_dense:][:, cols])
        return sp.hstack(blocks, format="csr")

    def _kind_mlp_matrix_logits(self, net: dict[str, np.ndarray], X) -> np.ndarray:
        """The network ``net``'s kind logits of the rows of ``X`` (the kind model's columns)."""
        inputs = self._kind_mlp_inputs(X, net["cols"])
        return np.maximum(np.asarray(inputs @ net["w1"]) + net["b1"], 0.0) @ net["w2"] + net["b2"]

    def _kind_mlp_tables(self) -> tuple[np.ndarray, np.ndarray]:
        """The fitted network's first layer as cleaning reads it: each hashed column's row in the
        word table (the last row, all zero, for a word the network does not read), and the table:
        the own words' weights, then with ``kind_window`` the run words' beside them (one product
        gives both). Kept beside the arrays they were made from, remade if those change."""
        net = cast(dict, self.kind_mlp_)
        cols, w1 = net["cols"], net["w1"]
        m = len(cols)
        return self._cached_table("_kind_mlp_cache", w1, lambda: word_table(
            cols, np.hstack([w1[:m], w1[len(w1) - m:]]) if self.kind_window > 0 else w1[:m]))

    def _cached_table(self, attr: str, source: np.ndarray, make) -> tuple[np.ndarray, np.ndarray]:
        """A network's word table (``make()``, :func:`~.seqnet.word_table`), kept in ``attr`` beside
        the array ``source`` it was made from and remade if that array changes."""
        cached = getattr(self, attr, None)
        if cached is None or cached[0] is not source:
            cached = (source, *make())
            setattr(self, attr, cached)
        return cached[1], cached[2]

    def _kind_mlp_logits(self, H: sp.csr_matrix, shape: tuple[np.ndarray, np.ndarray] | None,
                         Z: np.ndarray, blanks: list, bounds: np.ndarray) -> np.ndarray:
        """:meth:`_kind_mlp_matrix_logits` factored as cleaning computes the word scores: the
        hashed words ``H`` and the shape and edge words ``shape`` beside them (:meth:`_word_scores`)
        through the first layer's word rows, the scaled dense features ``Z`` through theirs, and
        with ``kind_window`` the run words' share as the window mean of the neighbours' scores
        through the run rows (each document's ``blanks``, rows ``bounds``)."""
        net = cast(dict, self.kind_mlp_)
        scores = table_scores(H, shape, *self._kind_mlp_tables(), SHAPE_WORD_VALUE)
        m, hidden_units = len(net["cols"]), net["w1"].shape[1]
        hidden = scores[:, :hidden_units] + Z @ net["w1"][m:m + Z.shape[1]] + net["b1"]
        if self.kind_window > 0:
            hidden += self._run_share(scores[:, hidden_units:], blanks, bounds)
        return np.maximum(hidden, 0.0, out=hidden) @ net["w2"] + net["b2"]

    def _with_seq_net(self, p_body: np.ndarray, H: sp.csr_matrix, shape: tuple[np.ndarray, np.ndarray] | None,
                      Z: np.ndarray, blanks: list, bounds: np.ndarray) -> np.ndarray:
        """P(body) as cleaning uses it: the booster's ``p_body``, with ``seq_net`` the mean with the
        line network's (:func:`~.seqnet.seq_net_logits`; ``H``, ``shape``, ``Z``, ``blanks`` and
        ``bounds`` as :meth:`_prepared` gives them)."""
        net = getattr(self, "seq_net_", None)
        if net is None or not len(p_body):
            return p_body
        table = self._cached_table("_seq_net_cache", net["embed"],
                                   lambda: word_table(net["cols"], net["embed"], SEQ_NET_DTYPE))
        vectors = table_scores(H, shape, *table, SHAPE_WORD_VALUE)
        return (p_body + _softmax(seq_net_logits(net, vectors, Z, blanks, bounds))[:, BODY_INDEX]) / 2

    def _run_share(self, scores: np.ndarray, blanks: list, bounds: np.ndarray) -> np.ndarray:
        """The run words' share of a linear score, from the lines' own word ``scores`` through the
        run words' weights: per document (its ``blanks``, rows ``bounds``), the window mean of the
        neighbours' (:func:`window_mean`, what :func:`neighbour_words` rows would score)."""
        return np.vstack([window_mean(scores[a:b], blank, self.kind_window)
                          for blank, a, b in zip(blanks, bounds[:-1], bounds[1:])])

    def _kind_stage_features(self, dense: np.ndarray, kind_p: np.ndarray, text_score: np.ndarray,
                             blank: np.ndarray, cohesion: np.ndarray | None = None) -> np.ndarray:
        """Second-stage rows of one document (all lines, blank ones included); ``cohesion`` its
        lexical cohesion (:meth:`_split_features`; required with ``cohesion``)."""
        logit = _logit(text_score)
        evidence = np.column_stack([np.log(np.clip(kind_p, 1e-6, 1)), logit])
        cols = [dense, evidence] if self.kind_stage == "context" else [evidence]
        for offsets, window in KIND_WINDOWS:
            cols.append(context_windows(evidence, blank, offsets=offsets, window=window))
        layout = feature_layout(self.html)
        cols.append(run_features(dense, blank, layout))
        if self.segment_context:
            cols.append(segment_context(evidence, segment_ids(dense, blank, layout)))
        if self.cohesion:
            cols += _cohesion_columns(cohesion, blank)
        return np.hstack(cols)

    def _stage_kind_proba(self, X, kind: np.ndarray, weight: np.ndarray, fine: np.ndarray,
                          group: np.ndarray) -> np.ndarray:
        """The kind stage's own out-of-fold kind probabilities, folds grouped by site: each
        kind-labeled line predicted by the part that did not train on its site, every other line
        (the neighbours' evidence) by the mean of the parts."""
        from sklearn.model_selection import GroupKFold

        rows = np.flatnonzero(fine)
        sites = group[rows]
        n_parts = min(self.stack_folds, len(set(sites)))
        if n_parts < 2:
            return self._kind_proba_flat(X)
        total = np.zeros((X.shape[0], len(self.kinds_)))
        count = np.zeros(X.shape[0])
        for tr, _ in GroupKFold(n_splits=n_parts).split(rows, groups=sites):
            held = np.ones(X.shape[0], dtype=bool)
            held[rows[tr]] = False
            total[held] += self._kind_proba_flat_fit(X[rows[tr]], kind[rows[tr]], weight[rows[tr]], None, X[held])
            count[held] += 1
        return total / np.maximum(count, 1)[:, None]

    def _fit_kind_stage(self, X, dense: list, cohesion: list, kind: np.ndarray, weight: np.ndarray, fine: np.ndarray,
                        group: np.ndarray, oof_text: np.ndarray, kind_oof: np.ndarray | None = None) -> None:
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.linear_model import LogisticRegression

        # Out-of-fold kind probabilities: the booster's (``kind_oof``, with ``stack_kinds`` and its
        # kind fits as long as the kind model's), so the stage costs no kind fits of its own; else
        # the stage's own (:meth:`_stage_kind_proba`).
        kind_p = kind_oof if kind_oof is not None else self._stage_kind_proba(X, kind, weight, fine, group)
        stage_rows, start = [], 0
        for d, c in zip(dense, cohesion):
            n = len(d)
            stage_rows.append(self._kind_stage_features(d, kind_p[start:start + n], oof_text[start:start + n],
                                                        np.zeros(n, dtype=bool), c))
            start += n
        S = np.vstack(stage_rows)
        if self.kind_stage == "context-linear":
            lr = LogisticRegression(C=1.0, max_iter=1000, random_state=self.random_state,
                                    class_weight=self.kind_class_weight)
            lr.fit(S[fine], kind[fine], sample_weight=weight[fine])
            coef, intercept = _one_logit_per_class(lr.coef_, lr.intercept_, len(lr.classes_))
            order = [list(lr.classes_).index(k) for k in self.kinds_]
            self.kind_forest_ = {"kind2_coef": coef[order].astype(np.float64),
                                 "kind2_intercept": intercept[order].astype(np.float64)}
            return
        hgb = HistGradientBoostingClassifier(max_iter=KIND_STAGE_ITER, learning_rate=0.1, max_leaf_nodes=31,
                                             early_stopping=False, random_state=self.random_state,
                                             class_weight=self.kind_class_weight)
        hgb.fit(S[fine], kind[fine], sample_weight=weight[fine])
        if list(hgb.classes_) != sorted(self.kinds_):
            return  # a kind missing from the stage's training rows: keep the flat model
        self.kind_forest_ = export_multiclass_forest(hgb, "kind2_")
        self.kind_forest_["kind2_order"] = np.array([list(hgb.classes_).index(k) for k in self.kinds_],
                                                    dtype=np.int64)

    # predict ----------------------------------------------------------------------------------
    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "forest_")

    def _check_fitted(self) -> None:
        if not self.__sklearn_is_fitted__():
            from sklearn.exceptions import NotFittedError  # imported on this error alone

            raise NotFittedError(f"this {type(self).__name__} is not fitted: call fit() or load a model")

    def predict_proba(self, doc: Document) -> np.ndarray:
        return self.predict_proba_many([doc])[0]

    def _prepared(self, docs: Sequence[Document], with_cohesion: bool = True):
        """The features of ``docs`` stacked for one model call: per-document (hashed, dense) pairs,
        the hashed words of all lines, the scaled dense features, each document's blank lines, the
        row bounds of each document, the shape and edge words of all lines (rows, columns) apart
        (None without ``shape_words`` or ``edge_words``; :meth:`_word_scores` adds them), and each document's lexical
        cohesion (None without ``cohesion`` or ``body_cohesion``, or when ``with_cohesion`` is False:
        without ``body_cohesion`` it feeds the kind stage alone, which P(body) never reads)."""
        split = [self._split_features(d, with_cohesion) for d in docs]
        feats = [(h, x) for h, x, _, _ in split]
        # one document (every clean() call) needs no stacking: its matrices are used as they are
        H = feats[0][0] if len(feats) == 1 else sp.vstack([h for h, _ in feats], format="csr")
        D = feats[0][1] if len(feats) == 1 else np.vstack([x for _, x in feats])
        Z = (D - self.scaler_mean_) / self.scaler_scale_
        blanks = [_blank(d) for d in docs]
        bounds = np.cumsum([0] + [len(x) for _, x in feats])
        shape = split[0][2] if len(split) == 1 else None
        parts = [(s[0] + a, s[1]) for (_, _, s, _), a in zip(split, bounds[:-1]) if s is not None]
        if len(split) > 1 and parts:  # whichever added words the documents have, each in its rows
            shape = (np.concatenate([r for r, _ in parts]), np.concatenate([c for _, c in parts]))
        return feats, H, Z, blanks, bounds, shape, [c for _, _, _, c in split]

    @staticmethod
    def _word_scores(H: sp.csr_matrix, shape: tuple[np.ndarray, np.ndarray] | None, weights: np.ndarray) -> np.ndarray:
        """``H @ weights`` for hashed words ``H`` and the shape and edge words ``shape`` (lines,
        columns) beside them: their share is their weights' sum, picked by index."""
        G = np.asarray(H @ weights)
        if shape is not None and len(shape[0]):
            G[shape[0]] += SHAPE_WORD_VALUE * weights[shape[1]].sum(axis=1)
        return G

    def _p_body(self, feats: list, Z: np.ndarray, text_words: np.ndarray, blanks: list,
                bounds: np.ndarray, kind_p: np.ndarray | None, cohesion: list) -> tuple[np.ndarray, np.ndarray]:
        """The text model's P(body) and the booster's, from the word share of the text model's
        score (``text_words``, the hashed words times their weights) and the scaled dense features
        (with ``stack_kinds``, also the flat kind probabilities ``kind_p``; with ``body_cohesion``,
        each document's lexical ``cohesion``)."""
        n_dense = Z.shape[1]
        text_score = _sigmoid(text_words + Z @ self.text_coef_[HASH_FEATURES:HASH_FEATURES + n_dense]
                              + self.text_intercept_)
        S = np.vstack([self._stack(x, text_score[a:b], blank, None if kind_p is None else kind_p[a:b], c)
                       for (_, x), c, blank, a, b in zip(feats, cohesion, blanks, bounds[:-1], bounds[1:])])
        if not len(S):
            return text_score, np.zeros(0)
        p_body = _sigmoid(forest_decision(self.forest_, S))
        if getattr(self, "body2_forest_", None):  # body_context: the second booster decides
            around = np.vstack([self._body_context(p_body[a:b], blank)
                                for blank, a, b in zip(blanks, bounds[:-1], bounds[1:])])
            p_body = _sigmoid(forest_decision(self.body2_forest_, np.hstack([S, around])))
        return text_score, p_body

    @_one_blas_thread
    def body_mask(self, doc: Document) -> np.ndarray:
        """The lines labeled body (P(body) >= ``threshold``, not blank), as :meth:`predict` decides
        them, without the kind model: what cleaning that keeps only the body needs.

        Examples
        --------
        >>> from boilerplate import Document
        >>> from boilerplate.detectors.learned import shipped_model
        >>> shipped_model("learned-text").body_mask(Document.from_text("Menu\\n\\nHome")).tolist()
        [False, False, False]
        """
        self._check_fitted()
        feats, H, Z, blanks, bounds, shape, cohesion = self._prepared([doc], with_cohesion=self.body_cohesion)
        if self._stacks_kinds():
            word_weights, n_kinds = self._word_weights()
            G = self._word_scores(H, shape, word_weights)
            _, p_body = self._p_body(feats, Z, G[:, 0], blanks, bounds,
                                     self._flat_kind_proba(G, Z, blanks, bounds, n_kinds, H, shape), cohesion)
        else:
            _, p_body = self._p_body(feats, Z, self._word_scores(H, shape, self.text_coef_[:HASH_FEATURES]),
                                     blanks, bounds, None, cohesion)
        p_body = self._with_seq_net(p_body, H, shape, Z, blanks, bounds)
        return (p_body >= self.threshold) & ~blanks[0]

    def _stacks_kinds(self) -> bool:
        """Whether the booster reads the flat kind probabilities (``stack_kinds`` and two kinds or more)."""
        return bool(self.stack_kinds) and len(self.kinds_) >= 2

    def _flat_kind_proba(self, G: np.ndarray, Z: np.ndarray, blanks: list, bounds: np.ndarray,
                         n_kinds: int, H: sp.csr_matrix, shape: tuple[np.ndarray, np.ndarray] | None) -> np.ndarray:
        """The flat kind model's P(kind | not body) of every line (columns in ``kinds_`` order), from
        the word scores ``G`` (:meth:`_word_weights`) and the scaled dense features ``Z``; with
        ``kind_mlp``, the mean with its network's, from the hashed words ``H`` and ``shape``
        (:meth:`_prepared`)."""
        if n_kinds < 2:
            return np.ones((len(Z), len(self.kinds_)))
        logit = G[:, 1:1 + n_kinds] + Z @ self._kind_dense_t() + self.kind_intercept_
        if self.kind_window > 0:
            logit += self._run_share(G[:, 1 + n_kinds:], blanks, bounds)
        proba = _softmax(logit)
        if getattr(self, "kind_mlp_", None) is not None and self._kind_mlp_mixed():
            proba = (proba + _softmax(self._kind_mlp_logits(H, shape, Z, blanks, bounds))) / 2
        return proba

    @_one_blas_thread
    def predict_proba_many(self, docs: Sequence[Document]) -> list[np.ndarray]:
        """(lines x labels) probabilities for several documents with one model call (faster).

        The linear models are evaluated factored, never building the wide matrix they were fitted
        on: one sparse product of the hashed words with all the word weights at once (the text
        model's, each kind's, and each kind's weights for the words of the run around a line),
        the dense features' share apart, and the run words' share as a window mean of the
        neighbours' word scores (the mean of the products is the product of the mean). The sums
        equal :meth:`_text_matrix`'s products up to floating-point rounding (~1e-15).
        """
        self._check_fitted()
        if not docs:
            return []
        feats, H, Z, blanks, bounds, shape, cohesion = self._prepared(docs)
        word_weights, n_kinds = self._word_weights()
        G = self._word_scores(H, shape, word_weights)  # (lines, 1 + kinds [+ kinds]): every word score at once
        kind_p = self._flat_kind_proba(G, Z, blanks, bounds, n_kinds, H, shape) if self.kinds_ else None
        text_score, p_body = self._p_body(feats, Z, G[:, 0], blanks, bounds,
                                          kind_p if self._stacks_kinds() else None, cohesion)
        p_body = self._with_seq_net(p_body, H, shape, Z, blanks, bounds)
        proba = np.zeros((len(p_body), N_LABELS))
        proba[:, BODY_INDEX] = p_body
        if kind_p is not None:
            if getattr(self, "kind_forest_", None):
                S = np.vstack([self._kind_stage_features(x, kind_p[a:b], text_score[a:b], blank, c)
                               for (_, x), c, blank, a, b in zip(feats, cohesion, blanks, bounds[:-1], bounds[1:])])
                if "kind2_coef" in self.kind_forest_:
                    kind_p = _softmax(S @ self.kind_forest_["kind2_coef"].T + self.kind_forest_["kind2_intercept"])
                else:
                    raw = multiclass_decision(self.kind_forest_, "kind2_", S)
                    kind_p = _softmax(raw)[:, self.kind_forest_["kind2_order"]]
            if self.kind_mlp_decision and getattr(self, "kind_mlp_", None) is not None:
                kind_p = ((1 - KIND_MLP_DECISION_WEIGHT) * kind_p
                          + KIND_MLP_DECISION_WEIGHT * _softmax(self._kind_mlp_logits(H, shape, Z, blanks, bounds)))
            for j, k in enumerate(self.kinds_):
                proba[:, LABELS.index(k)] = (1 - p_body) * kind_p[:, j]
        out = []
        for blank, a, b in zip(blanks, bounds[:-1], bounds[1:]):
            block = proba[a:b]
            block[blank] = 0.0
            out.append(block)
        return out

    def with_trees(self, n_trees: int) -> LearnedDetector:
        """A copy of this fitted detector whose P(body) booster keeps only its first ``n_trees``
        trees: the model a fit with ``max_iter=n_trees`` gives (each iteration adds one tree), at
        the cost of one fit. With ``body_context`` both boosters keep their first ``n_trees``: an
        approximation of that fit, as the second was fitted on the whole first one's P(body). For
        the trees' quality/speed curve (``benchmarks.cross_validate``, ``benchmarks.speed``). The
        kind model is shared, unchanged.

        Examples
        --------
        >>> from boilerplate.detectors.learned import shipped_model
        >>> shipped_model("learned-text").with_trees(50).max_iter
        50
        """
        self._check_fitted()
        out = copy.copy(self)
        out.forest_ = truncate_forest(self.forest_, n_trees)
        if getattr(self, "body2_forest_", None):
            out.body2_forest_ = truncate_forest(self.body2_forest_, n_trees)
        out.max_iter = len(out.forest_["forest_sizes"])
        return out

    def _word_weights(self) -> tuple[np.ndarray, int]:
        """The weights of the hashed words, (HASH_FEATURES, 1 + kinds [+ kinds]) C-contiguous: the
        text model's column, each kind's, and with ``kind_window`` each kind's weights for the run
        words; and the number of kind columns. Kept beside the coefficients they were made from,
        remade if those change."""
        key = (self.text_coef_, self.kind_coef_)
        cached = getattr(self, "_word_weights_cache", None)
        if cached is None or cached[0][0] is not key[0] or cached[0][1] is not key[1]:
            n_kinds = len(self.kinds_) if len(self.kinds_) >= 2 else 0
            n_dense = len(self.scaler_mean_)
            cols = [self.text_coef_[:HASH_FEATURES, None]]
            if n_kinds:
                cols.append(self.kind_coef_[:, :HASH_FEATURES].T)
                if self.kind_window > 0:
                    cols.append(self.kind_coef_[:, HASH_FEATURES + n_dense:].T)
            cached = self._word_weights_cache = (key, np.ascontiguousarray(np.hstack(cols)), n_kinds)
        return cached[1], cached[2]

    def _kind_dense_t(self) -> np.ndarray:
        n_dense = len(self.scaler_mean_)
        return self.kind_coef_[:, HASH_FEATURES:HASH_FEATURES + n_dense].T

    def labels_from_proba(self, doc: Document, proba: np.ndarray) -> list[str | None]:
        """Labels from :meth:`predict_proba` output: body at P(body) >= threshold, else the likeliest
        kind (with ``kind_offsets``, after adding them to the kinds' log-probabilities). With
        ``kind_transition_weight`` > 0 the kinds of the lines that are not body are decoded as one
        chain down the page (:meth:`_chain_labels`); the body lines stay as they are."""
        body = proba[:, BODY_INDEX] >= self.threshold
        if self.kinds_ and len(proba):
            cols = np.array([LABELS.index(k) for k in self.kinds_])
            score = proba[:, cols]
            if self.kind_offsets is not None or self.kind_transition_weight > 0:
                offsets = (np.zeros(len(cols)) if self.kind_offsets is None else
                           np.array([self.kind_offsets[KINDS.index(k)] for k in self.kinds_], dtype=np.float64))
                score = np.log(np.clip(score, 1e-300, None)) + offsets
            other = cols[score.argmax(axis=1)]
        elif self.kinds_:
            other = np.zeros(0, dtype=np.int64)
        else:
            other = np.full(len(proba), LABELS.index(CHROME))
        best = np.where(body, BODY_INDEX, other)
        blank = _blank(doc)
        if self.kind_transition_weight > 0 and self.kinds_ and len(proba):
            self._chain_labels(best, score, cols, body, ~blank)
        return [None if b else LABELS[k] for b, k in zip(blank.tolist(), best.tolist())]

    def _chain_labels(self, best: np.ndarray, score: np.ndarray, cols: np.ndarray, body: np.ndarray,
                      rows_mask: np.ndarray) -> None:
        """:meth:`labels_from_proba`'s label indices ``best`` (each line decided alone), redecided
        in place by the label chain over the lines of ``rows_mask`` (the non-blank ones): a body
        line is fixed as body and any other line may take any kind but body; each line scores its
        kinds' offset log-probabilities (``score``, columns ``cols``), each step down the page
        ``kind_transition_weight`` x the learned log transition (:func:`~.sequence.viterbi`)."""
        start, trans = getattr(self, "kind_start_", None), getattr(self, "kind_transitions_", None)
        if start is None or trans is None:
            raise ValueError("kind_transition_weight > 0 needs the label chain fit() learns; this model has none")
        rows = np.flatnonzero(rows_mask)
        full = np.full((len(rows), N_LABELS), -np.inf)
        fixed = body[rows]
        full[fixed, BODY_INDEX] = 0.0
        full[np.ix_(np.flatnonzero(~fixed), cols)] = score[rows[~fixed]]
        w = self.kind_transition_weight
        path = viterbi(full, w * start, w * trans)
        # a path through a ruled-out label (only a crafted chain can force one) keeps the line's own
        # decision, so the chain never makes a line body or takes it out of body
        allowed = np.isfinite(full[np.arange(len(rows)), path])
        best[rows[allowed]] = path[allowed]

    # explanation ------------------------------------------------------------------------------
    def _group_contributions(self, X, coef: np.ndarray) -> tuple[list[str], np.ndarray]:
        """Each feature group's share of the linear score ``X @ coef`` per line: (names, n x groups)."""
        layout = feature_layout(self.html)
        n_dense = len(layout)
        names = ["words"] + [name for name, _ in layout.blocks]
        parts = [np.asarray(X[:, :HASH_FEATURES] @ coef[:HASH_FEATURES]).ravel()]
        dense = X[:, HASH_FEATURES:HASH_FEATURES + n_dense].toarray() * coef[HASH_FEATURES:HASH_FEATURES + n_dense]
        for name, _ in layout.blocks:
            parts.append(dense[:, layout.mask(name)].sum(axis=1))
        if X.shape[1] > HASH_FEATURES + n_dense:  # kind_window: the words of the run around the line
            names.append("run words")
            parts.append(np.asarray(X[:, HASH_FEATURES + n_dense:] @ coef[HASH_FEATURES + n_dense:]).ravel())
        return names, np.column_stack(parts)

    def explain(self, doc: Document, top: int = 3) -> list[tuple[str | None, str]]:
        """Each line's label and why: the feature groups that pushed the deciding linear model most.

        For a body line that is the text model's logit of P(body); for another kind, the kind
        model's score of that kind against the mean of the other kinds. Groups are the hashed
        ``words``, the dense feature blocks of :func:`feature_layout` (shape, lexicons, document,
        context, markup, ...) and, with ``kind_window``, ``run words``. The stacked booster, the
        kind stage and ``kind_mlp``'s network refine these scores; their share is not itemised.
        Dense features are standardised, so a group's share is measured against the average
        training line.
        """
        proba = self.predict_proba(doc)
        labels = self.labels_from_proba(doc, proba)
        hashed, dense = self._features(doc)
        X = self._text_matrix(hashed, dense)
        names, body_parts = self._group_contributions(X, self.text_coef_)
        kind_parts = {}
        if len(self.kinds_) >= 2:
            blank = _blank(doc)
            XK = sp.hstack([X, neighbour_words(hashed, blank, self.kind_window)], format="csr") \
                if self.kind_window > 0 else X
            for j, kind in enumerate(self.kinds_):
                others = np.delete(self.kind_coef_, j, axis=0).mean(axis=0)
                kind_parts[kind] = self._group_contributions(XK, self.kind_coef_[j] - others)
        out: list[tuple[str | None, str]] = []
        for i, label in enumerate(labels):
            if label is None:
                out.append((None, "blank line"))
                continue
            if label == BODY or label not in kind_parts:
                group_names, row, what = names, body_parts[i], "P(body)"
            else:
                group_names, values = kind_parts[label]
                row, what = values[i], f"{label} over the other kinds"
            order = np.argsort(-np.abs(row))[:top]
            detail = ", ".join(f"{group_names[k]} {row[k]:+.1f}" for k in order)
            out.append((label, f"P={proba[i, LABELS.index(label)]:.2f}, P(body)={proba[i, BODY_INDEX]:.2f}; "
                               f"{what} pushed by {detail}"))
        return out

    # persistence ------------------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """Write the model as plain arrays + a JSON header (no pickle)."""
        self._check_fitted()
        if bool(getattr(self, "body2_forest_", None)) != self.body_context:
            raise ValueError(f"body_context is {self.body_context!r} but the model was fitted "
                             f"{'with' if getattr(self, 'body2_forest_', None) else 'without'} a second booster")
        header = {"format": FORMAT, "version": FORMAT_VERSION, "labels": list(LABELS),
                  "kinds": list(self.kinds_), "params": {**self.get_params(), "kind_offsets": None
                                                         if self.kind_offsets is None else
                                                         [float(v) for v in self.kind_offsets]},
                  "hash_features": HASH_FEATURES, "n_features_dense": self.n_features_dense_,
                  "feature_layout": list(self.feature_names_),
                  "text_intercept": self.text_intercept_}
        coef = sp.csr_matrix(self.text_coef_)
        arrays = {"header": np.array(json.dumps(header, sort_keys=True)),
                  "scaler_mean": self.scaler_mean_, "scaler_scale": self.scaler_scale_,
                  "text_coef_idx": coef.indices.astype(np.int64), "text_coef_val": coef.data.astype(np.float32),
                  "kind_coef_data": _half(sp.csr_matrix(self.kind_coef_).data),
                  "kind_coef_indices": sp.csr_matrix(self.kind_coef_).indices.astype(np.int64),
                  "kind_coef_indptr": sp.csr_matrix(self.kind_coef_).indptr.astype(np.int64),
                  "kind_intercept": self.kind_intercept_,
                  **{k: v for k, v in self.forest_.items() if not k.startswith("_")},
                  **{k: v for k, v in getattr(self, "kind_forest_", {}).items() if not k.startswith("_")},
                  **{f"body2_{k}": v for k, v in getattr(self, "body2_forest_", {}).items() if not k.startswith("_")}}
        if getattr(self, "kind_transitions_", None) is not None:
            arrays.update(kind_start=self.kind_start_, kind_transitions=self.kind_transitions_)
        net = getattr(self, "kind_mlp_", None)
        _check_fitted_as_declared("kind_mlp", self.kind_mlp, self.kind_mlp > 0 and len(self.kinds_) >= 2, net,
                                  "a kind network")
        if net is not None:
            arrays.update(kind_mlp_cols=net["cols"], kind_mlp_w1=_half(net["w1"]), kind_mlp_b1=net["b1"],
                          kind_mlp_w2=net["w2"], kind_mlp_b2=net["b2"])
        line_net = getattr(self, "seq_net_", None)
        _check_fitted_as_declared("seq_net", self.seq_net, self.seq_net > 0, line_net, "a line network")
        if line_net is not None:
            arrays.update(seq_net_arrays(line_net))
            try:  # what load would refuse is never written (a weight past half precision's range)
                check_seq_net(arrays, self.seq_net, len(self.scaler_mean_))
            except ValueError as exc:
                raise ValueError(f"cannot save the line network: {exc}") from None
        write_arrays(path, arrays)

    @classmethod
    def load(cls, path: str | Path) -> LearnedDetector:
        """Load a model saved by :meth:`save`; :class:`ModelError` (one line: the file and the
        problem) if it is missing, corrupt, incompatible, or crafted.

        Nothing in the file runs code (no pickle), and nothing is decompressed before it is known
        to fit the caps the header implies (:meth:`_member_caps`); every array is then checked
        (:meth:`_set_arrays`, :func:`~.forest.validate_forest`) before prediction can see it.
        """
        path = Path(path)
        if not path.is_file():
            raise ModelError(f"model file not found: {path}")
        try:
            zf = zipfile.ZipFile(path)
        except _READ_ERRORS as exc:
            raise ModelError(f"{path}: not a readable boilerplate model ({_one_line(exc)})") from None
        with zf:
            try:
                members = _model_members(zf)
                raw_header = _read_header(zf, members["header"])
            except _READ_ERRORS as exc:
                raise ModelError(f"{path}: not a readable boilerplate model ({_one_line(exc)})") from None
            try:
                params = validate_header(raw_header)
                header = cast(dict, raw_header)  # validate_header checked it is a dict
                det = cls(**{**params, "ablate": tuple(params.get("ablate", ())),  # JSON has lists, not tuples
                             "kind_offsets": None if params.get("kind_offsets") is None else tuple(params["kind_offsets"])})
                det.validate_params()
            except (ValueError, TypeError, OverflowError) as exc:
                raise ModelError(f"{path}: {_one_line(exc)}") from None
            try:
                caps = det._member_caps(len(header["kinds"]))
                planes = header["version"] >= 4  # PLANE_MEMBERS are byte planes: bytes, one per item
                if planes:
                    caps.update({name: (count * size, 1) for name, (count, size) in caps.items()
                                 if name in PLANE_MEMBERS})
                for info in members.values():  # every declared size, before anything is decompressed
                    _check_declared_size(info, *caps[info.filename[:-len(".npy")]])
                arrays = {name: _read_member(zf, info, *caps[name])
                          for name, info in members.items() if name != "header"}
                if planes:
                    arrays.update({name: from_byte_planes(name, a) for name, a in arrays.items()
                                   if name in PLANE_MEMBERS})
            except _READ_ERRORS as exc:
                raise ModelError(f"{path}: not a readable boilerplate model ({_one_line(exc)})") from None
        try:
            det._set_arrays(arrays, header)
        except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
            raise ModelError(f"{path}: corrupt model ({_one_line(exc)})") from None
        return det

    def _stage_widths(self, n_kinds: int) -> tuple[int, int]:
        """Columns of the rows the (first) booster and the second kind stage see (from the feature layout)."""
        row = np.zeros((1, len(feature_layout(self.html).names)))
        score, blank = np.full(1, 0.5), np.zeros(1, dtype=bool)
        k = max(n_kinds, 1)
        kind_p = np.full((1, k), 1 / k) if self.stack_kinds and n_kinds >= 2 else None
        cohesion = np.zeros((1, len(COHESION_COLUMNS)))
        return (self._stack(row, score, blank, kind_p, cohesion).shape[1],
                self._kind_stage_features(row, np.full((1, k), 1 / k), score, blank, cohesion).shape[1])

    def _member_caps(self, n_kinds: int) -> dict[str, tuple[int, int]]:
        """The most elements and the largest item (bytes) each array of a model file of these
        parameters and ``n_kinds`` kinds can need."""
        n_dense = len(feature_layout(self.html).names)
        n_text = HASH_FEATURES + n_dense
        n_kind = n_text + (HASH_FEATURES if self.kind_window > 0 else 0)
        n_kind2 = self._stage_widths(n_kinds)[1]
        hidden = self.kind_mlp if n_kinds >= 2 else 0  # a network needs two kinds or more
        plain, nodes = 8, MAX_NODE_RECORD_BYTES
        caps = {"header": (1, 4 * MAX_HEADER_CHARS),  # one string of 4-byte characters
                "scaler_mean": (n_dense, plain), "scaler_scale": (n_dense, plain),
                "text_coef_idx": (n_text, plain), "text_coef_val": (n_text, plain),
                "kind_coef_data": (n_kinds * n_kind, plain), "kind_coef_indices": (n_kinds * n_kind, plain),
                "kind_coef_indptr": (n_kinds + 1, plain), "kind_intercept": (n_kinds, plain),
                "forest_baseline": (1, plain), "kind2_baseline": (n_kinds, plain),
                "kind2_order": (n_kinds, plain), "kind2_intercept": (n_kinds, plain),
                "kind2_coef": (n_kinds * n_kind2, plain),
                "kind_start": (N_LABELS, plain), "kind_transitions": (N_LABELS * N_LABELS, plain),
                "kind_mlp_cols": (MAX_KIND_MLP_WORDS, plain),
                "kind_mlp_w1": ((2 * MAX_KIND_MLP_WORDS + n_dense) * hidden, 2),  # always half precision
                "kind_mlp_b1": (hidden, plain), "kind_mlp_w2": (hidden * n_kinds, plain), "kind_mlp_b2": (n_kinds, plain)}
        caps.update(seq_net_caps(self.seq_net, n_dense))
        caps["body2_forest_baseline"] = (1, plain)
        for name in (*MODEL_MEMBERS, *KIND2_FOREST_MEMBERS, *BODY2_MEMBERS):
            caps.setdefault(name, (MAX_FOREST_NODES, nodes if name.endswith("_nodes") else plain))
        return caps

    def _set_arrays(self, arrays: dict[str, np.ndarray], header: dict) -> None:
        """Check every array read from a model file against the header and set the fitted state.
        ``ValueError`` naming the first array that is wrong (dtype, shape, range, order, NaN/inf)."""
        kinds = tuple(header["kinds"])
        k = len(kinds)
        n_dense = len(feature_layout(self.html).names)
        n_text = HASH_FEATURES + n_dense
        n_kind = n_text + (HASH_FEATURES if self.kind_window > 0 else 0)
        n_stack, n_kind2 = self._stage_widths(k)

        for name in ("scaler_mean", "scaler_scale"):
            check_array(name, arrays[name], np.float64, (n_dense,))
            check_finite(name, arrays[name])
        if not (arrays["scaler_scale"] > 0).all():
            raise ValueError("scaler_scale: a scale that is not > 0")
        idx, val = arrays["text_coef_idx"], arrays["text_coef_val"]
        check_array("text_coef_idx", idx, np.int64, (None,))
        check_array("text_coef_val", val, np.float32, idx.shape)
        _check_indices("text_coef_idx", idx, n_text, np.zeros(len(idx), dtype=np.int64))
        check_finite("text_coef_val", val)
        data, indices, indptr = arrays["kind_coef_data"], arrays["kind_coef_indices"], arrays["kind_coef_indptr"]
        check_array("kind_coef_data", data, KIND_COEF_DTYPES[data.dtype.itemsize != 2], (None,))
        check_array("kind_coef_indices", indices, np.int64, data.shape)
        check_array("kind_coef_indptr", indptr, np.int64, (k + 1,))
        if indptr[0] != 0 or (np.diff(indptr) < 0).any() or indptr[-1] != len(data):
            raise ValueError(f"kind_coef_indptr: not row bounds of {k} rows over {len(data)} entries")
        _check_indices("kind_coef_indices", indices, n_kind, np.repeat(np.arange(k), np.diff(indptr)))
        check_finite("kind_coef_data", data)
        check_array("kind_intercept", arrays["kind_intercept"], np.float64, (k,))
        check_finite("kind_intercept", arrays["kind_intercept"])
        forest = {name: v for name, v in arrays.items() if name.startswith("forest_")}
        validate_forest(forest, n_stack)
        body2 = {name[len("body2_"):]: v for name, v in arrays.items() if name.startswith("body2_")}
        if self.body_context != bool(body2):
            raise ValueError(f"body_context is {self.body_context} but the file holds "
                             f"{'a' if body2 else 'no'} second booster")
        if body2:
            missing = [f"body2_{name}" for name in forest if name not in body2]
            if missing:
                raise ValueError(f"no array {', '.join(missing)}")
            n_around = self._body_context(np.full(1, 0.5), np.zeros(1, dtype=bool)).shape[1]
            try:
                validate_forest(body2, n_stack + n_around)
            except ValueError as exc:  # name the file's member, not the forest's own array
                raise ValueError(f"body2_{exc}") from None
        kind_forest = {name: v for name, v in arrays.items() if name.startswith("kind2_")}
        if kind_forest:
            _check_kind_stage(kind_forest, self.kind_stage, k, n_kind2)
        chain = _check_label_chain(arrays, self.kind_transition_weight)
        net = _check_kind_mlp(arrays, self.kind_mlp if k >= 2 else 0, n_dense, k, self.kind_window > 0,
                              self.kind_mlp_words)
        line_net = check_seq_net(arrays, self.seq_net, n_dense)

        self.scaler_mean_ = arrays["scaler_mean"].astype(np.float64)
        self.scaler_scale_ = arrays["scaler_scale"].astype(np.float64)
        coef = np.zeros(n_text)
        coef[idx] = val
        self.text_coef_ = coef
        self.text_intercept_ = float(header["text_intercept"])
        self.kinds_ = kinds
        self.kind_coef_ = sp.csr_matrix((data.astype(np.float64), indices, indptr), shape=(k, n_kind)).toarray()
        self.kind_intercept_ = arrays["kind_intercept"].astype(np.float64)
        self.forest_ = forest
        self.body2_forest_ = body2
        self.kind_forest_ = kind_forest
        self.kind_start_, self.kind_transitions_ = chain
        self.kind_mlp_ = net
        self.seq_net_ = line_net
        self.n_features_dense_ = n_dense
        self.feature_names_ = tuple(feature_layout(self.html).names)


def _cohesion_columns(cohesion: np.ndarray | None, blank: np.ndarray) -> list[np.ndarray]:
    """A document's lexical cohesion (:func:`~.features.lexical_cohesion`) as a stage reads it: the
    line's columns, then the first :data:`~.features.COHESION_SIDE` of them on the lines beside it
    (:data:`~.features.COHESION_OFFSETS`) and their window mean (:data:`~.features.COHESION_WINDOW`)."""
    if cohesion is None:
        raise ValueError("cohesion columns need the document's lexical cohesion")
    return [cohesion, context_windows(cohesion[:, :COHESION_SIDE], blank, offsets=COHESION_OFFSETS,
                                      window=COHESION_WINDOW)]


def _check_fitted_as_declared(name: str, value: object, declared: bool, fitted: object, what: str) -> None:
    """``ValueError`` unless the model holds ``what`` (``fitted`` is not None) exactly when the
    parameter ``name`` (of ``value``) declares one (``declared``): a file load would refuse."""
    if (fitted is not None) != declared:
        raise ValueError(f"{name} is {value!r} but the model was fitted {'with' if fitted is not None else 'without'} {what}")


def _blank(doc: Document) -> np.ndarray:
    """Which of a document's lines are blank (nothing but white space)."""
    return np.fromiter(map(operator.not_, map(str.strip, doc.lines)), bool, len(doc.lines))


# --- reading and checking model files ---------------------------------------------------------
def _check_kind_mlp(arrays: dict[str, np.ndarray], hidden: int, n_dense: int, n_kinds: int,
                    run: bool, max_words: int) -> dict[str, np.ndarray] | None:
    """``kind_mlp``'s network from a model file, checked: every array when the parameters say there
    is a network of ``hidden`` units (``kind_mlp`` with two kinds or more), none otherwise; word
    columns increasing, among the hashed ones and at most ``max_words`` (``kind_mlp_words``);
    layers of the implied shapes (the first with the run words' rows too when ``run``), all finite."""
    if not check_members(arrays, KIND_MLP_MEMBERS, bool(hidden), "no network (kind_mlp 0, or fewer than two kinds)",
                         f"kind_mlp is {hidden}"):
        return None
    cols, w1 = arrays["kind_mlp_cols"], arrays["kind_mlp_w1"]
    check_word_columns("kind_mlp_cols", cols, max_words)
    rows = len(cols) * (2 if run else 1) + n_dense
    check_array("kind_mlp_w1", w1, np.float16, (rows, hidden))
    shapes = {"kind_mlp_b1": (hidden,), "kind_mlp_w2": (hidden, n_kinds), "kind_mlp_b2": (n_kinds,)}
    for name, shape in shapes.items():
        check_array(name, arrays[name], np.float64, shape)
    for name in KIND_MLP_MEMBERS[1:]:
        check_finite(name, arrays[name])
        if np.abs(arrays[name]).max(initial=0) > MAX_KIND_MLP_WEIGHT:
            raise ValueError(f"{name}: a weight over {MAX_KIND_MLP_WEIGHT:g} in size")
    return {"cols": cols, "w1": w1.astype(np.float64), "b1": arrays["kind_mlp_b1"],
            "w2": arrays["kind_mlp_w2"], "b2": arrays["kind_mlp_b2"]}


def _check_label_chain(arrays: dict[str, np.ndarray], weight: float) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The label chain of a model file (log start and transition probabilities), checked: both
    arrays or neither, float64 of the label set's shape, finite, each row a distribution. Files
    saved before the chain existed have neither (``(None, None)``), which only a model that uses
    it (``weight`` > 0) rejects."""
    present = [name for name in SEQUENCE_MEMBERS if name in arrays]
    if not present:
        if weight > 0:
            raise ValueError("kind_transition_weight > 0 but the file has no label chain")
        return None, None
    if len(present) != len(SEQUENCE_MEMBERS):
        raise ValueError(f"{present[0]} without {[n for n in SEQUENCE_MEMBERS if n not in present][0]}")
    start, trans = arrays["kind_start"], arrays["kind_transitions"]
    check_array("kind_start", start, np.float64, (N_LABELS,))
    check_array("kind_transitions", trans, np.float64, (N_LABELS, N_LABELS))
    check_finite("kind_start", start)
    check_finite("kind_transitions", trans)
    for name, rows in (("kind_start", start[None, :]), ("kind_transitions", trans)):
        # fit's add-one counts give log-probabilities in (MIN_LOG_TRANSITION, 0]; anything else is
        # crafted (a huge negative one could make the chain's sums -inf and a line body)
        if not ((rows <= 0) & (rows >= MIN_LOG_TRANSITION)).all():
            raise ValueError(f"{name}: a log-probability outside [{MIN_LOG_TRANSITION}, 0]")
        if not np.allclose(np.exp(rows).sum(axis=1), 1.0, atol=1e-6):
            raise ValueError(f"{name}: a row that is not a log-probability distribution")
    return start.astype(np.float64), trans.astype(np.float64)


#: What reading a damaged zip or ``.npy`` member can raise (never a ``MemoryError``: sizes are capped).
_READ_ERRORS = (OSError, EOFError, ValueError, KeyError, RuntimeError, NotImplementedError,
                zipfile.BadZipFile, zlib.error, lzma.LZMAError)


def _half(values: np.ndarray) -> np.ndarray:
    """``values`` as float16 for a model file; ``ValueError`` if one does not fit (|x| > 65504)."""
    out = values.astype(np.float16)
    if not np.isfinite(out).all():
        raise ValueError("a kind weight does not fit in float16: the model cannot be saved")
    return out


def _one_line(exc: BaseException) -> str:
    """An exception's message on one line, not too long for a one-line error."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _json_type_ok(value: object, types: object) -> bool:
    """Whether a JSON value is of one of ``types`` (``float`` takes any number; ``bool`` is no number)."""
    for t in types if isinstance(types, tuple) else (types,):
        if t is None and value is None or t is bool and isinstance(value, bool):
            return True
        if t in (int, float) and not isinstance(value, bool) and isinstance(value, int if t is int else (int, float)):
            return True
        if t in (str, list) and isinstance(value, t):
            return True
    return False


def validate_header(header: object) -> dict:
    """Check a model file's JSON header and return the detector's parameters; ``ValueError`` naming
    the first problem: not an object, another format or version, a missing key, parameters of the
    wrong type, unknown kinds, another label set or feature layout, a non-finite intercept."""
    if not isinstance(header, dict):
        raise ValueError(f"the header is a JSON {type(header).__name__}, not an object: not a boilerplate model file")
    if header.get("format") != FORMAT:
        raise ValueError("not a boilerplate model file")
    if header.get("version") not in READ_VERSIONS:
        raise ValueError(f"model format version {_short(header.get('version'))}, this library reads "
                         f"versions {', '.join(map(str, READ_VERSIONS))}: retrain with `boilerplate train`")
    missing = [key for key in HEADER_KEYS if key not in header]
    if missing:
        raise ValueError(f"the header lacks {', '.join(missing)}")
    if header["labels"] != list(LABELS) or header["hash_features"] != HASH_FEATURES:
        raise ValueError("model was trained with a different label set or feature layout")
    params = header["params"]
    if not isinstance(params, dict):
        raise ValueError(f"header params is a JSON {type(params).__name__}, not an object")
    unknown = sorted(set(params) - set(PARAM_TYPES))
    if unknown:
        raise ValueError(f"header params: unknown parameter(s) {', '.join(map(_short, unknown))}")
    for name, value in params.items():
        if not _json_type_ok(value, PARAM_TYPES[name]):
            raise ValueError(f"header params: {name} is {_short(value)}, of the wrong type")
    if not all(isinstance(a, str) for a in params.get("ablate", [])):
        raise ValueError(f"header params: ablate is {_short(params['ablate'])}, not a list of names")
    kinds = header["kinds"]
    if (not isinstance(kinds, list) or not all(isinstance(kind, str) for kind in kinds)
            or len(set(kinds)) != len(kinds) or not set(kinds) <= set(KINDS)):
        raise ValueError(f"header kinds {_short(kinds)} are not distinct labels among {', '.join(KINDS)}")
    layout = list(feature_layout(params.get("html", False)).names)
    if header["feature_layout"] != layout or header["n_features_dense"] != len(layout):
        raise ValueError("model was trained on a different dense feature layout than this library computes: "
                         "retrain with `boilerplate train`")
    intercept = header["text_intercept"]
    if not _json_type_ok(intercept, float) or not math.isfinite(intercept):
        raise ValueError(f"header text_intercept {_short(intercept)} is not a finite number")
    params.setdefault("markup_words", False)  # files from before the parameter were trained without them
    return params


def byte_planes(values: np.ndarray) -> np.ndarray:
    """A float array as its byte planes: uint8 of shape ``(itemsize, *values.shape)``, plane ``i``
    the ``i``-th byte (little-endian) of every value, in the values' order.

    >>> byte_planes(np.array([1.0, -2.0], dtype=np.float16)).tolist()
    [[0, 0], [60, 192]]
    """
    if values.dtype.kind != "f":
        raise ValueError(f"byte planes are of float arrays, not {values.dtype}")
    k = values.dtype.itemsize
    little = np.ascontiguousarray(values, dtype=values.dtype.newbyteorder("<"))
    return np.ascontiguousarray(np.moveaxis(little.view(np.uint8).reshape(*values.shape, k), -1, 0))


def from_byte_planes(name: str, planes: np.ndarray) -> np.ndarray:
    """The float array :func:`byte_planes` made ``planes`` from; ``ValueError`` naming the member
    ``name`` unless ``planes`` is uint8 with 2, 4 or 8 planes.

    >>> from_byte_planes("w", byte_planes(np.array([1.0, -2.0], dtype=np.float16))).tolist()
    [1.0, -2.0]
    """
    if planes.dtype != np.uint8 or planes.ndim < 2 or planes.shape[0] not in (2, 4, 8):
        raise ValueError(f"{name}: byte planes of dtype {planes.dtype} and shape {planes.shape}, not 2, 4 "
                         "or 8 planes of uint8")
    k = planes.shape[0]
    little = np.ascontiguousarray(np.moveaxis(planes, 0, -1)).view(f"<f{k}")[..., 0]
    return little.astype(f"f{k}")


def write_arrays(path: str | Path, arrays: dict[str, np.ndarray]) -> None:
    """Write a model file: one ``.npy`` member per array (no pickle), in a zip that ``np.load`` and
    :meth:`LearnedDetector.load` read. Index arrays repeat (every kind row has the columns of the
    training words) and are small integers: LZMA's long window takes them to ~1% of their size,
    where deflate leaves ~20%. The weights of :data:`PLANE_MEMBERS` are written as their byte
    planes (:func:`byte_planes`; ``np.load`` gives the planes, :func:`read_arrays` the weights)
    with deflate, which reads faster than LZMA.
    """
    with open(path, "wb") as fh, zipfile.ZipFile(fh, "w") as zf:
        for name, array in arrays.items():
            if name in PLANE_MEMBERS and np.asarray(array).dtype.kind == "f":
                array = byte_planes(np.asarray(array))
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.asanyarray(array), allow_pickle=False)
            method = zipfile.ZIP_LZMA if name in LZMA_MEMBERS else zipfile.ZIP_DEFLATED
            zf.writestr(zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0)), buf.getvalue(),
                        compress_type=method)


def read_arrays(path: str | Path) -> dict[str, np.ndarray]:
    """The arrays of a model file as :func:`write_arrays` was given them (the byte planes of
    :data:`PLANE_MEMBERS` joined back into weights; the header as its JSON string), read by
    ``np.load`` without pickle and without :meth:`LearnedDetector.load`'s checks: for tools that
    rewrite a file's arrays, not for prediction."""
    with np.load(path, allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    return {name: from_byte_planes(name, a) if name in PLANE_MEMBERS and a.dtype == np.uint8 else a
            for name, a in arrays.items()}


def _model_members(zf: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The ``.npy`` members of a model file by array name; ``ValueError`` on an unknown or repeated
    member (never loaded) or a missing one."""
    known = {*MODEL_MEMBERS, *KIND2_FOREST_MEMBERS, *KIND2_LINEAR_MEMBERS, *SEQUENCE_MEMBERS, *BODY2_MEMBERS,
             *KIND_MLP_MEMBERS, *SEQ_NET_MEMBERS}
    members: dict[str, zipfile.ZipInfo] = {}
    for info in zf.infolist():
        name = info.filename[:-len(".npy")] if info.filename.endswith(".npy") else None
        if name not in known or name in members:
            raise ValueError(f"unexpected member {_short(info.filename)}")
        members[name] = info
    missing = [name for name in MODEL_MEMBERS if name not in members]
    if missing:
        raise ValueError(f"no array {', '.join(missing)}")
    return members


def _check_declared_size(info: zipfile.ZipInfo, max_count: int, max_itemsize: int) -> None:
    """``ValueError`` if a member declares more bytes than ``max_count`` items of ``max_itemsize``
    (and an ``.npy`` header) can take; reading never decompresses past the declared size."""
    cap = max_count * max_itemsize + MAX_NPY_HEADER_BYTES
    if info.file_size > cap:
        raise ValueError(f"{info.filename} declares {info.file_size} bytes, over the {cap} a model "
                         "of this header can need")


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, max_count: int, max_itemsize: int) -> np.ndarray:
    """One ``.npy`` member, read without pickle: its header's dtype and shape are checked against
    the caps and its declared size before the data is read. ``ValueError`` on any mismatch."""
    name = info.filename
    _check_declared_size(info, max_count, max_itemsize)
    with zf.open(info) as fh:
        version = np.lib.format.read_magic(fh)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh, max_header_size=MAX_NPY_HEADER_BYTES)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh, max_header_size=MAX_NPY_HEADER_BYTES)
        else:
            raise ValueError(f"{name}: .npy format version {version} is not read")
        if dtype.hasobject:
            raise ValueError(f"{name}: holds Python objects (they would need pickle)")
        if any(d < 0 for d in shape) or math.prod(shape) > max_count or not 0 < dtype.itemsize <= max_itemsize:
            raise ValueError(f"{name}: an array of shape {shape} and dtype {dtype}, more than a model of "
                             "this header can need")
        count = math.prod(shape)
        nbytes = count * dtype.itemsize
        if info.file_size != fh.tell() + nbytes:
            raise ValueError(f"{name}: {info.file_size} bytes, not what its shape {shape} and dtype {dtype} take")
        data = fh.read(nbytes)
    if len(data) != nbytes:
        raise ValueError(f"{name}: truncated")
    array = np.frombuffer(bytearray(data), dtype=dtype, count=count)
    return array.reshape(shape[::-1]).T if fortran else array.reshape(shape)


def _read_header(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> object:
    """The parsed JSON header of a model file (a JSON value of any type: see :func:`validate_header`)."""
    array = _read_member(zf, info, 1, 4 * MAX_HEADER_CHARS)
    if array.dtype.kind != "U" or array.shape != ():
        raise ValueError(f"header: an array of shape {array.shape} and dtype {array.dtype}, not a string")
    return json.loads(str(array[()]))


def _check_indices(name: str, indices: np.ndarray, n: int, rows: np.ndarray) -> None:
    """``ValueError`` unless every index is in ``[0, n)`` and strictly increasing within each row
    (``rows``: the row of each index), as scipy's canonical CSR arrays are."""
    if len(indices) and (indices.min() < 0 or indices.max() >= n):
        raise ValueError(f"{name}: index outside [0, {n}) (min {indices.min()}, max {indices.max()})")
    if ((rows[1:] == rows[:-1]) & (indices[1:] <= indices[:-1])).any():
        raise ValueError(f"{name}: indices not strictly increasing")


def _check_kind_stage(kind_forest: dict[str, np.ndarray], kind_stage: str, n_kinds: int, n_features: int) -> None:
    """Check the second kind stage's arrays (a forest over ``n_features`` columns for
    ``kind_stage="context"``, a linear model for ``"context-linear"``) against ``n_kinds`` kinds."""
    names = set(kind_forest)
    if names == set(KIND2_FOREST_MEMBERS) and kind_stage == "context" and n_kinds >= 2:
        validate_multiclass_forest(kind_forest, "kind2_", n_features, n_kinds)
        order = kind_forest["kind2_order"]
        check_array("kind2_order", order, np.int64, (n_kinds,))
        if not np.array_equal(np.sort(order), np.arange(n_kinds)):
            raise ValueError(f"kind2_order: not a permutation of the {n_kinds} kinds")
    elif names == set(KIND2_LINEAR_MEMBERS) and kind_stage == "context-linear" and n_kinds >= 2:
        check_array("kind2_coef", kind_forest["kind2_coef"], np.float64, (n_kinds, n_features))
        check_array("kind2_intercept", kind_forest["kind2_intercept"], np.float64, (n_kinds,))
        check_finite("kind2_coef", kind_forest["kind2_coef"])
        check_finite("kind2_intercept", kind_forest["kind2_intercept"])
    else:
        raise ValueError(f"kind-stage arrays {', '.join(sorted(names))} do not fit kind_stage={kind_stage!r} "
                         f"with {n_kinds} kinds")


# --- shipped models ---------------------------------------------------------------------------
MODEL_DIR = Path(__file__).resolve().parent / "models"
SHIPPED = {"learned-text": MODEL_DIR / "text.npz", "learned-html": MODEL_DIR / "html.npz"}


def shipped_model(name: str, **params: object) -> LearnedDetector:
    """The model shipped with the package under ``name`` (``learned-text`` or ``learned-html``),
    with ``params`` (only :data:`SHIPPED_SETTABLE`, e.g. ``threshold``) set on it.

    The file is read once per process; each call returns a shallow copy, so changing one copy's
    ``threshold`` (or refitting it) leaves the others alone.
    """
    unknown = sorted(set(params) - set(SHIPPED_SETTABLE))
    if unknown:
        raise ValueError(f"{name} is a fitted model: only {', '.join(SHIPPED_SETTABLE)} can be set, "
                         f"not {', '.join(unknown)}")
    det = copy.copy(_load_cached(SHIPPED[name]))
    if params:
        det.set_params(**params)
        det.validate_params()  # a fitted model is not refitted: check the new knobs here
        if det.kind_transition_weight > 0 and det.kind_transitions_ is None:
            raise ValueError(f"{name} has no label chain: kind_transition_weight must stay 0")
    return det


@lru_cache(maxsize=4)
def _load_cached(path: Path) -> LearnedDetector:
    return LearnedDetector.load(path)


#: What can be set on a shipped (fitted) model through the registry: the decision knobs only.
SHIPPED_SETTABLE = ("threshold", "kind_offsets", "kind_transition_weight")
