"""Every metric of the project, as plain functions.

* Scrapinghub article-extraction-benchmark: 4-token shingle precision/recall/F1, computed exactly
  as the benchmark's ``evaluate.py`` does (see ``shingle_counts`` .. ``score_scrapinghub``).
* WCXB (Web Content eXtraction Benchmark, Foley 2026, CC-BY-4.0): per-page bag-of-words
  precision/recall/F1 and ``with``/``without`` snippet rates (``word_prf`` .. ``score_wcxb``).
* Line-level classification: per-label P/R/F1, macro-F1, accuracy, confusion matrix.
* ``bootstrap_ci``: the one percentile-bootstrap used by all of the above.

Benchmark data is read from wherever the caller points (``../shared/data`` beside the checkout),
never copied into the project.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from functools import partial
from typing import Any

import numpy as np

__all__ = [
    "binary_prf",
    "bootstrap_ci",
    "confusion_matrix",
    "line_prf",
    "score_scrapinghub",
    "score_wcxb",
    "shingle_counts",
    "shingle_page_scores",
    "snippet_hits",
    "word_prf",
    "word_tokens",
]

# Both benchmarks tokenise as runs of \w (Unicode by default on str patterns).
_WORD_RE = re.compile(r"\w+")
SHINGLE_N = 4


# --------------------------------------------------------------------------------------------
# Bootstrap
# --------------------------------------------------------------------------------------------


def bootstrap_ci(
    values: Sequence[Any] | np.ndarray,
    stat: Callable[[np.ndarray], float] = np.mean,
    n_boot: int = 1000,
    seed: int = 0,
    alpha: float = 0.05,
) -> tuple[float, float]:
    """Percentile bootstrap ``(1 - alpha)`` interval of ``stat`` over the rows of ``values``.

    Rows (pages, documents) are resampled with replacement; ``values`` may be 1-D or 2-D (one row
    per unit, so a statistic can combine several per-unit columns). Returns ``(nan, nan)`` when
    there is nothing to resample.
    """
    arr = np.asarray(values, dtype=float)
    n = arr.shape[0] if arr.ndim else 0
    if n == 0 or n_boot <= 0:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    # One draw of all indices: the same seed gives the same resamples for every statistic, so
    # the P, R and F1 intervals of one call site come from the same bootstrap replicates.
    idx = rng.integers(0, n, size=(n_boot, n))
    stats = np.fromiter((stat(arr[row]) for row in idx), dtype=float, count=n_boot)
    # A resample can make a statistic undefined (e.g. every sampled page skipped); drop those.
    stats = stats[~np.isnan(stats)]
    if stats.size == 0:
        return (float("nan"), float("nan"))
    lo, hi = np.quantile(stats, [alpha / 2, 1 - alpha / 2])
    return (float(lo), float(hi))


def _harmonic(p: float, r: float) -> float:
    """F1 of two scores; 0 when both are 0, nan when either is undefined."""
    if np.isnan(p) or np.isnan(r):
        return float("nan")
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


# --------------------------------------------------------------------------------------------
# Scrapinghub article-extraction-benchmark
# --------------------------------------------------------------------------------------------


def shingle_counts(text: str | None, n: int = SHINGLE_N) -> Counter[str]:
    """Multiset of ``n``-token shingles of ``text``, tokens = ``\\w+`` runs, case kept.

    A text shorter than ``n`` tokens is a single shingle; the empty text has none.
    """
    tokens = _WORD_RE.findall(text or "")
    counts: Counter[str] = Counter()
    # max(1, ...) is the benchmark's: it yields one (possibly short) shingle for short texts.
    for i in range(max(1, len(tokens) - n + 1)):
        shingle = " ".join(tokens[i : i + n])
        if shingle:  # the empty text gives one empty shingle; the benchmark drops it
            counts[shingle] += 1
    return counts


def _shingle_tp_fp_fn(gold: str | None, pred: str | None) -> tuple[float, float, float]:
    """Per-page TP/FP/FN of shingle multisets, normalised to sum to 1 (when non-zero)."""
    true_c, pred_c = shingle_counts(gold), shingle_counts(pred)
    tp = fp = fn = 0.0
    for key in true_c.keys() | pred_c.keys():
        t, p = true_c.get(key, 0), pred_c.get(key, 0)
        tp += min(t, p)
        fp += max(0, p - t)
        fn += max(0, t - p)
    s = tp + fp + fn
    # Normalised so that long pages weigh no more than short ones.
    if s > 0:
        tp, fp, fn = tp / s, fp / s, fn / s
    return tp, fp, fn


def shingle_page_scores(gold: str | None, pred: str | None) -> tuple[float | None, float | None]:
    """(precision, recall) of one page; ``None`` where the quantity is undefined (page skipped).

    Both sides empty is a perfect page: (1.0, 1.0).
    """
    tp, fp, fn = _shingle_tp_fp_fn(gold, pred)
    if tp + fp + fn == 0:
        return 1.0, 1.0
    precision = tp / (tp + fp) if tp + fp > 0 else None
    recall = tp / (tp + fn) if tp + fn > 0 else None
    return precision, recall


def _shingle_stat(j: int, rows: np.ndarray) -> float:
    return _shingle_prf(rows)[j]


def _shingle_prf(rows: np.ndarray) -> tuple[float, float, float]:
    """Corpus P, R (means over pages, NaN = skipped) and F1 (harmonic of the two means)."""
    p_col, r_col = rows[:, 0], rows[:, 1]
    p = float(p_col[~np.isnan(p_col)].mean()) if (~np.isnan(p_col)).any() else float("nan")
    r = float(r_col[~np.isnan(r_col)].mean()) if (~np.isnan(r_col)).any() else float("nan")
    return p, r, _harmonic(p, r)


def score_scrapinghub(
    gold: Mapping[str, str],
    pred: Mapping[str, str],
    n_boot: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    """Score ``pred`` against ``gold`` with the Scrapinghub benchmark metric.

    Pages are the keys of ``gold``; a page missing from ``pred`` counts as an empty prediction,
    extra keys in ``pred`` are ignored. Returns precision, recall, f1, n_pages, the 95% bootstrap
    intervals ``*_ci`` (pages resampled) and ``pages`` (id, precision, recall; None = skipped).
    """
    ids = list(gold)
    pages = []
    rows = np.full((len(ids), 2), np.nan)
    for i, key in enumerate(ids):
        p, r = shingle_page_scores(gold[key], pred.get(key) or "")
        pages.append({"id": key, "precision": p, "recall": r})
        rows[i] = (np.nan if p is None else p, np.nan if r is None else r)
    precision, recall, f1 = _shingle_prf(rows) if ids else (float("nan"),) * 3
    out: dict[str, Any] = {"precision": precision, "recall": recall, "f1": f1, "n_pages": len(ids)}
    for j, name in enumerate(("precision", "recall", "f1")):
        out[f"{name}_ci"] = bootstrap_ci(rows, stat=partial(_shingle_stat, j), n_boot=n_boot, seed=seed)
    out["pages"] = pages
    return out


# --------------------------------------------------------------------------------------------
# WCXB
# --------------------------------------------------------------------------------------------


def word_tokens(text: str | None) -> list[str]:
    """WCXB tokens: lowercase ``\\w+`` runs."""
    return _WORD_RE.findall((text or "").lower())


def word_prf(gold: str | None, pred: str | None) -> tuple[float, float, float]:
    """Per-page bag-of-words (precision, recall, f1) with counts clipped by multiset overlap.

    Empty gold: all 1.0 if the extraction is empty too, else all 0.0. Empty extraction of a
    non-empty gold: all 0.0.
    """
    g, p = word_tokens(gold), word_tokens(pred)
    if not g:
        v = 1.0 if not p else 0.0
        return v, v, v
    if not p:
        return 0.0, 0.0, 0.0
    overlap = sum((Counter(g) & Counter(p)).values())
    precision, recall = overlap / len(p), overlap / len(g)
    return precision, recall, _harmonic(precision, recall)


def snippet_hits(pred: str | None, snippets: Iterable[str] | None) -> tuple[int, int]:
    """(found, total): how many snippets occur in ``pred`` as case-insensitive substrings."""
    snips = [s for s in (snippets or []) if s]  # an empty snippet would be trivially "found"
    hay = (pred or "").lower()
    return sum(s.lower() in hay for s in snips), len(snips)


def score_wcxb(
    gold: Mapping[str, str],
    pred: Mapping[str, str],
    with_snippets: Mapping[str, Sequence[str]] | None = None,
    without_snippets: Mapping[str, Sequence[str]] | None = None,
    n_boot: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    """Score ``pred`` against ``gold`` (id -> main_content) with the WCXB metric.

    precision/recall/f1 are means of page scores (f1 is the mean page F1, not the harmonic mean
    of the means). A page missing from ``pred`` is an empty extraction. ``with_rate`` /
    ``without_rate`` pool every snippet of every page (None when no snippets are given).
    Returns also ``*_ci`` bootstrap intervals, ``n_pages`` and ``pages`` (one dict per page).
    """
    pages: list[dict[str, Any]] = []
    w_found = w_total = wo_found = wo_total = 0
    for key, gtext in gold.items():
        ext = pred.get(key) or ""
        p, r, f = word_prf(gtext, ext)
        page: dict[str, Any] = {"id": key, "p": p, "r": r, "f1": f}
        if with_snippets is not None:
            found, total = snippet_hits(ext, with_snippets.get(key))
            page["with_found"], page["with_total"] = found, total
            w_found, w_total = w_found + found, w_total + total
        if without_snippets is not None:
            found, total = snippet_hits(ext, without_snippets.get(key))
            page["without_found"], page["without_total"] = found, total
            wo_found, wo_total = wo_found + found, wo_total + total
        pages.append(page)
    scores = np.array([[pg["p"], pg["r"], pg["f1"]] for pg in pages], dtype=float).reshape(-1, 3)
    means = scores.mean(axis=0) if len(pages) else np.full(3, np.nan)
    out: dict[str, Any] = {
        "precision": float(means[0]),
        "recall": float(means[1]),
        "f1": float(means[2]),
        "n_pages": len(pages),
    }
    for j, name in enumerate(("precision", "recall", "f1")):
        out[f"{name}_ci"] = bootstrap_ci(scores[:, j], n_boot=n_boot, seed=seed)
    out["with_rate"] = w_found / w_total if w_total else None
    out["without_rate"] = wo_found / wo_total if wo_total else None
    out["with_found"], out["with_total"] = w_found, w_total
    out["without_found"], out["without_total"] = wo_found, wo_total
    out["pages"] = pages
    return out


# --------------------------------------------------------------------------------------------
# Line-level classification
# --------------------------------------------------------------------------------------------


def _is_ignored(v: Any) -> bool:
    """Blank lines carry None or -1 and are not scored."""
    return v is None or (isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v == -1)


def _as_list(values: Sequence[Any] | np.ndarray) -> list[Any]:
    # Never np.asarray a Python list: ["body", -1] would become the strings "body", "-1".
    return values.tolist() if isinstance(values, np.ndarray) else list(values)


def _encode(
    y_true: Sequence[Hashable] | np.ndarray,
    y_pred: Sequence[Hashable] | np.ndarray,
    labels: Sequence[Hashable],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Integer codes of gold and predicted labels, and the mask of scored lines.

    ``labels`` get codes 0..k-1, any other value a distinct code >= k (so equality of codes is
    equality of labels), a None/-1 prediction code -1. Lines whose gold is None/-1 are masked
    out; a None/-1 prediction on a scored line is simply wrong, so abstaining earns nothing.
    """
    t_list, p_list = _as_list(y_true), _as_list(y_pred)
    if len(t_list) != len(p_list):
        raise ValueError(f"y_true has {len(t_list)} entries, y_pred {len(p_list)}")
    if (
        isinstance(y_true, np.ndarray)
        and isinstance(y_pred, np.ndarray)
        and y_true.dtype.kind in "iu"
        and y_pred.dtype.kind in "iu"
        and all(isinstance(lab, (int, np.integer)) for lab in labels)
    ):
        # Fast path for integer-coded labels: map through a lookup table, no Python loop.
        t_arr, p_arr = y_true.astype(np.int64).ravel(), y_pred.astype(np.int64).ravel()
        lab_arr = np.asarray(labels, dtype=np.int64)
        lo = min(int(t_arr.min(initial=0)), int(p_arr.min(initial=0)), int(lab_arr.min(initial=0)))
        hi = max(int(t_arr.max(initial=0)), int(p_arr.max(initial=0)), int(lab_arr.max(initial=0)))
        table = np.arange(hi - lo + 1, dtype=np.int64) + len(lab_arr) + 1  # others: codes >= k
        table[lab_arr - lo] = np.arange(len(lab_arr))
        p = np.where(p_arr == -1, -1, table[p_arr - lo])
        return table[t_arr - lo], p, t_arr != -1
    index: dict[Hashable, int] = {lab: i for i, lab in enumerate(labels)}

    def code(v: Hashable) -> int:
        return index.setdefault(v, len(index))  # unseen values get fresh codes >= k

    keep = np.fromiter((not _is_ignored(v) for v in t_list), dtype=bool, count=len(t_list))
    t = np.fromiter((-1 if _is_ignored(v) else code(v) for v in t_list), dtype=np.int64, count=len(t_list))
    p = np.fromiter((-1 if _is_ignored(v) else code(v) for v in p_list), dtype=np.int64, count=len(p_list))
    return t, p, keep


def confusion_matrix(
    y_true: Sequence[Hashable] | np.ndarray,
    y_pred: Sequence[Hashable] | np.ndarray,
    labels: Sequence[Hashable],
) -> np.ndarray:
    """k x k counts, rows = gold label, columns = predicted label, in the order of ``labels``.

    Lines with gold None/-1, or with a gold or predicted label outside ``labels``, are left out.
    """
    from sklearn.metrics import confusion_matrix as sk_confusion

    t, p, keep = _encode(y_true, y_pred, labels)
    return sk_confusion(t[keep], p[keep], labels=np.arange(len(labels)))


def line_prf(
    y_true: Sequence[Hashable] | np.ndarray,
    y_pred: Sequence[Hashable] | np.ndarray,
    labels: Sequence[Hashable],
    macro_labels: Sequence[Hashable] | None = None,
) -> dict[str, Any]:
    """Per-label precision/recall/F1/support, macro-F1 over ``macro_labels`` (default: all
    ``labels``) and accuracy, over the lines whose gold is not None/-1 (``sklearn.metrics``,
    ``zero_division=0``).

    Returns ``{"per_label": {label: {precision, recall, f1, support}}, "macro_f1", "accuracy",
    "n"}``. Labels outside ``labels`` still count as errors of the listed ones.
    """
    from sklearn.metrics import precision_recall_fscore_support

    t, p, keep = _encode(y_true, y_pred, labels)
    t, p = t[keep], p[keep]
    chosen = list(labels) if macro_labels is None else list(macro_labels)
    unknown = [lab for lab in chosen if lab not in list(labels)]
    if unknown:
        raise ValueError(f"macro_labels not in labels: {unknown}")
    n = int(t.size)
    if n:
        precision, recall, f1, support = precision_recall_fscore_support(
            t, p, labels=np.arange(len(labels)), zero_division=0)
    else:
        precision = recall = f1 = support = np.zeros(len(labels))
    per_label = {lab: {"precision": float(precision[i]), "recall": float(recall[i]), "f1": float(f1[i]),
                       "support": int(support[i])} for i, lab in enumerate(labels)}
    macro = float(np.mean([per_label[lab]["f1"] for lab in chosen])) if chosen else float("nan")
    return {
        "per_label": per_label,
        "macro_f1": macro,
        "accuracy": float((t == p).mean()) if n else float("nan"),
        "n": n,
    }


def binary_prf(
    y_true_bool: Sequence[Any] | np.ndarray, y_pred_bool: Sequence[Any] | np.ndarray
) -> dict[str, float]:
    """Precision/recall/F1/accuracy of the positive class, plus tp/fp/fn/tn.

    Entries whose gold is None/-1 are ignored; 0 where a ratio is undefined.
    """
    from sklearn.metrics import confusion_matrix as sk_confusion
    from sklearn.metrics import precision_recall_fscore_support

    t_list, p_list = _as_list(y_true_bool), _as_list(y_pred_bool)
    if len(t_list) != len(p_list):
        raise ValueError(f"y_true has {len(t_list)} entries, y_pred {len(p_list)}")
    keep = np.fromiter((not _is_ignored(v) for v in t_list), dtype=bool, count=len(t_list))
    # A None/-1 prediction on a scored line is "not positive".
    t = np.array([bool(v) for v in t_list], dtype=bool)[keep]
    p = np.array([False if _is_ignored(v) else bool(v) for v in p_list], dtype=bool)[keep]
    tn, fp, fn, tp = (int(x) for x in sk_confusion(t, p, labels=[False, True]).ravel()) if len(t) else (0, 0, 0, 0)
    precision, recall, f1, _ = precision_recall_fscore_support(
        t, p, average="binary", zero_division=0) if len(t) else (0.0, 0.0, 0.0, None)
    n = tp + fp + fn + tn
    return {
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
        "accuracy": (tp + tn) / n if n else float("nan"),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
    }


def cohen_kappa(a: Sequence, b: Sequence) -> float:
    """Cohen's kappa (``sklearn.metrics.cohen_kappa_score``) between two annotators' labels of the
    same items; entries None/-1 in either are skipped. 1.0 when both give one and the same label
    throughout (where the formula is 0/0)."""
    from sklearn.metrics import cohen_kappa_score

    pairs = [(str(x), str(y)) for x, y in zip(a, b) if not _is_ignored(x) and not _is_ignored(y)]
    if not pairs:
        return float("nan")
    x, y = zip(*pairs)
    if len(set(x) | set(y)) == 1:
        return 1.0
    return float(cohen_kappa_score(x, y))


def calibration(p: Sequence[float] | np.ndarray, y: Sequence[bool] | np.ndarray, bins: int = 10) -> dict[str, Any]:
    """Expected calibration error of probabilities ``p`` for binary outcomes ``y`` (equal-width
    bins over [0, 1]; ECE = sum over bins of the bin's share times |mean p - observed rate|), with
    the per-bin table for a reliability diagram (``sklearn.calibration.calibration_curve`` gives the
    same rates but not the bin counts the ECE weighs them by)."""
    p = np.asarray(p, dtype=np.float64)
    y = np.asarray(y, dtype=bool)
    if not len(p):
        return {"ece": float("nan"), "bins": []}
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    count = np.bincount(which, minlength=bins)
    mean_p = np.bincount(which, weights=p, minlength=bins) / np.maximum(count, 1)
    rate = np.bincount(which, weights=y, minlength=bins) / np.maximum(count, 1)
    ece = float((count / len(p) * np.abs(mean_p - rate)).sum())
    return {"ece": ece, "bins": [{"lo": float(edges[i]), "hi": float(edges[i + 1]), "n": int(count[i]),
                                  "mean_p": float(mean_p[i]), "rate": float(rate[i])} for i in range(bins)]}
