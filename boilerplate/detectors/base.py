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

:class:`Detector` implements that contract itself (``get_params``, ``set_params`` and the repr,
as ``sklearn.base.BaseEstimator`` does them) instead of inheriting ``BaseEstimator``: importing
scikit-learn imports SciPy's statistics and pandas, more than a second of every process's start,
and cleaning never needs it. Only fitting a learned detector imports scikit-learn, when it runs.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..document import Document
from ..labels import BODY, LABELS
from ..lines import is_blank


def _init_parameters(cls: type) -> list[inspect.Parameter]:
    """The hyper-parameters of a detector class: the named arguments of its ``__init__``."""
    init = cls.__init__  # type: ignore[misc]
    if init is object.__init__:
        return []
    params = [p for p in inspect.signature(init).parameters.values() if p.name != "self"]
    for p in params:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            raise TypeError(f"{cls.__name__}: hyper-parameters are named arguments of __init__, "
                            f"not *args or **kwargs")
    return sorted(params, key=lambda p: p.name)


def _same(value: object, default: object) -> bool:
    """Whether a parameter still has its default (for the repr; arrays and odd types compare unequal)."""
    if value is default:
        return True
    try:
        return type(value) is type(default) and bool(value == default)
    except (TypeError, ValueError):
        return False


class Detector:
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

    # the estimator contract (as sklearn.base.BaseEstimator has it) -----------------------------
    @classmethod
    def _get_param_names(cls) -> list[str]:
        return [p.name for p in _init_parameters(cls)]

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The hyper-parameters (``__init__``'s arguments) and their values; with ``deep``, also
        those of parameters that are estimators themselves, as ``name__parameter``."""
        out: dict[str, Any] = {}
        for name in self._get_param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                out.update((f"{name}__{key}", v) for key, v in value.get_params().items())
            out[name] = value
        return out

    def set_params(self, **params: Any) -> Detector:
        """Set hyper-parameters (``name__parameter`` reaches into an estimator parameter); returns
        ``self``. ``ValueError`` naming a parameter the detector does not have."""
        valid = self.get_params(deep=True)
        nested: dict[str, dict[str, Any]] = {}
        for key, value in params.items():
            name, delim, sub = key.partition("__")
            if name not in valid:
                raise ValueError(f"invalid parameter {name!r} for {type(self).__name__}; "
                                 f"valid parameters are {sorted(self._get_param_names())}")
            if delim:
                nested.setdefault(name, {})[sub] = value
            else:
                setattr(self, name, value)
                valid[name] = value
        for name, sub_params in nested.items():
            valid[name].set_params(**sub_params)
        return self

    def __repr__(self) -> str:
        changed = [f"{p.name}={getattr(self, p.name)!r}" for p in _init_parameters(type(self))
                   if not _same(getattr(self, p.name), p.default)]
        return f"{type(self).__name__}({', '.join(changed)})"

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
