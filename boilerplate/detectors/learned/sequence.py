"""The kinds of a page's lines decoded as a sequence: label transitions and Viterbi.

A teaser list, an appeal box, a footer are runs: the line after a teaser is likelier a teaser
than an ad. :func:`label_transitions` counts how labels follow each other down the hand-read pages
(non-blank lines, in order); :func:`viterbi` finds the label path that best trades each line's own
log-probabilities against those transitions. :class:`~.model.LearnedDetector` uses both when its
``kind_transition_weight`` is above 0, for the kinds of the lines it does not call body (the body
decision, and so ``clean``, does not change).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from ...compiled import compiled
from ...labels import LABEL_INDEX

#: Add-one smoothing of the transition and start counts: a pair never seen keeps a finite cost.
TRANSITION_SMOOTHING = 1.0


def label_chain(labels: Sequence[str | None]) -> np.ndarray | None:
    """The label indices of a page's labeled lines in order (blank lines, ``None``, skipped), if
    every one is one of ``LABELS`` (a fully fine-labeled page, whose chain :func:`label_transitions`
    counts), else ``None`` (a page with coarse gold, such as ``other``).

    Examples
    --------
    >>> label_chain(["chrome", None, "body", "teaser"]).tolist()
    [6, 0, 5]
    >>> label_chain(["other", "body"]) is None
    True
    """
    kept = [g for g in labels if g is not None]
    if not all(g in LABEL_INDEX for g in kept):
        return None
    return np.fromiter(map(LABEL_INDEX.__getitem__, kept), np.int64, len(kept))


def label_transitions(label_rows: Iterable[np.ndarray], n_labels: int) -> tuple[np.ndarray, np.ndarray]:
    """Log start and transition probabilities, ``(n_labels,)`` and ``(n_labels, n_labels)``, of
    label-index sequences (each a page's non-blank lines in order), add-one smoothed.

    Examples
    --------
    >>> import numpy as np
    >>> start, trans = label_transitions([np.array([1, 1, 0, 0])], 3)
    >>> bool(trans[1, 1] > trans[1, 2]) and bool(start[1] > start[0])
    True
    >>> np.allclose(np.exp(trans).sum(axis=1), 1.0)
    True
    """
    counts = np.full((n_labels, n_labels), TRANSITION_SMOOTHING)
    first = np.full(n_labels, TRANSITION_SMOOTHING)
    for row in label_rows:
        row = np.asarray(row, dtype=np.int64)
        if len(row):
            first[row[0]] += 1
            np.add.at(counts, (row[:-1], row[1:]), 1)
    return np.log(first / first.sum()), np.log(counts / counts.sum(axis=1, keepdims=True))


def viterbi(score: np.ndarray, start: np.ndarray, trans: np.ndarray) -> np.ndarray:
    """The label path ``y`` maximising ``start[y0] + sum score[i, yi] + sum trans[y(i-1), yi]``
    (``score``: lines x labels, ``-inf`` where a label is ruled out). One compiled pass with numba,
    else a loop over the lines with the label step vectorised: the same path.

    Examples
    --------
    >>> import numpy as np
    >>> s = np.log(np.array([[0.6, 0.4], [0.45, 0.55], [0.6, 0.4]]))
    >>> t = np.log(np.array([[0.9, 0.1], [0.1, 0.9]]))
    >>> viterbi(s, np.zeros(2), t).tolist()  # the middle line follows its neighbours
    [0, 0, 0]
    >>> viterbi(s, np.zeros(2), np.zeros((2, 2))).tolist()  # no transitions: each line alone
    [0, 1, 0]
    """
    score = np.ascontiguousarray(score, dtype=np.float64)
    if len(score) == 0:
        return np.zeros(0, dtype=np.int64)
    kernel = compiled(_viterbi)
    args = (score, np.ascontiguousarray(start, dtype=np.float64), np.ascontiguousarray(trans, dtype=np.float64))
    return kernel(*args) if kernel is not None else _viterbi_numpy(*args)


def _viterbi_numpy(score: np.ndarray, start: np.ndarray, trans: np.ndarray) -> np.ndarray:
    n, k = score.shape
    back = np.zeros((n, k), dtype=np.int64)
    v = start + score[0]
    columns = np.arange(k)
    for i in range(1, n):
        cand = v[:, None] + trans
        back[i] = cand.argmax(axis=0)
        v = cand[back[i], columns] + score[i]
    return _trace(back, int(v.argmax()))


def _trace(back: np.ndarray, last: int) -> np.ndarray:
    path = np.zeros(len(back), dtype=np.int64)
    path[-1] = last
    for i in range(len(back) - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    return path


def _viterbi(score, start, trans):  # pragma: no cover - compiled
    # The numpy path's recursion, label pair by label pair; ties go to the lower label, as argmax.
    n, k = score.shape
    back = np.zeros((n, k), dtype=np.int64)
    v = start + score[0]
    nv = np.empty(k)
    for i in range(1, n):
        for b in range(k):
            best = -np.inf
            arg = 0
            for a in range(k):
                c = v[a] + trans[a, b]
                if c > best:
                    best = c
                    arg = a
            nv[b] = best + score[i, b]
            back[i, b] = arg
        v[:] = nv
    last = 0
    for b in range(1, k):
        if v[b] > v[last]:
            last = b
    path = np.zeros(n, dtype=np.int64)
    path[n - 1] = last
    for i in range(n - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    return path
