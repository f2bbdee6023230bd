"""The one detector interface.

A detector is a scikit-learn estimator over documents: hyper-parameters are the arguments of
``__init__`` (``get_params``/``set_params``/``sklearn.base.clone`` work), ``fit(documents)``
validates them, learns what it learns and returns ``self`` (rule-based detectors learn
nothing), ``predict_proba(doc)`` gives a (lines x labels) array with columns in
``boilerplate.labels.LABELS`` order (all-zero rows on blank lines), and ``predict(doc)`` the
label names (``None`` on blank lines).

``get_params``, ``set_params`` and ``clone`` are tested (``tests/test_baselines.py`` and others).
The generic ``sklearn.utils.estimator_checks`` do not apply: they fit and predict numeric arrays
``X`` (and ``y``), while a detector takes documents (a list of labeled :class:`Document` objects
in ``fit``, one per ``predict_proba`` call).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator

from ..document import Document
from ..labels import BODY, LABELS
from ..lines import is_blank


class Detector(BaseEstimator):
    """Base class: subclasses implement ``predict_proba``; ``fit`` may learn from documents.

    Examples
    --------
    >>> from boilerplate.detectors import get
    >>> from boilerplate import Document
    >>> get("rules").predict(Document.from_text("Menu\\nA long sentence of the article, with words."))
    ['chrome', ...]
    """

    def fit(self, documents: Iterable[Document] | None = None, y: Any = None) -> Detector:
        """Learn from ``documents`` (labeled :class:`Document` objects); returns ``self``."""
        return self

    def predict_proba(self, doc: Document) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    def predict(self, doc: Document) -> list[str | None]:
        """The label of every line of ``doc`` (``None`` on blank lines)."""
        return self.labels_from_proba(doc, self.predict_proba(doc))

    def body_mask(self, doc: Document) -> np.ndarray:
        """A boolean array over the lines of ``doc``: True where :meth:`predict` says body. What
        cleaning that keeps only the body needs; a detector may compute it for less (the learned
        ones skip their kind model)."""
        return np.fromiter((name == BODY for name in self.predict(doc)), dtype=bool, count=len(doc.lines))

    def labels_from_proba(self, doc: Document, proba: np.ndarray) -> list[str | None]:
        """Label names from :meth:`predict_proba` output (the likeliest label; ``None`` on blank
        lines), so a caller that needs both runs the detector once."""
        best = proba.argmax(axis=1) if len(proba) else np.zeros(0, dtype=int)
        return [None if is_blank(line) else LABELS[k] for line, k in zip(doc.lines, best)]

    def __sklearn_is_fitted__(self) -> bool:
        return True  # rule-based detectors need no fitting; learned ones override this
