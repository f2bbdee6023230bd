"""One detector interface and one registry.

A detector is a scikit-learn-style estimator over documents: hyper-parameters in ``__init__``,
``fit(documents)`` returns ``self`` (rule-based detectors learn nothing), ``predict_proba(doc)``
gives a (lines x labels) array with columns in ``boilerplate.labels.LABELS`` order (all-zero rows
on blank lines), and ``predict(doc)`` the label names (``None`` on blank lines).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from .document import Document
from .labels import LABELS
from .lines import is_blank

_REGISTRY: dict[str, Callable[[], Detector]] = {}
FALLBACK_DETECTOR = "rules"


class Detector:
    """Base class: subclasses implement ``predict_proba``; ``fit`` may learn from documents."""

    def fit(self, documents: Iterable[Document]) -> Detector:
        return self

    def predict_proba(self, doc: Document) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    def predict(self, doc: Document) -> list[str | None]:
        return self.labels_from_proba(doc, self.predict_proba(doc))

    def labels_from_proba(self, doc: Document, proba: np.ndarray) -> list[str | None]:
        """Label names from :meth:`predict_proba` output (the likeliest label; ``None`` on blank
        lines), so a caller that needs both runs the detector once."""
        best = proba.argmax(axis=1) if len(proba) else np.zeros(0, dtype=int)
        return [None if is_blank(line) else LABELS[k] for line, k in zip(doc.lines, best)]

    def get_params(self) -> dict:
        return {k: v for k, v in vars(self).items() if not k.endswith("_") and not k.startswith("_")}


def register(name: str) -> Callable:
    """Class decorator: make a detector available as ``get(name)``."""
    def wrap(factory: Callable[[], Detector]) -> Callable[[], Detector]:
        _REGISTRY[name] = factory
        return factory
    return wrap


def available() -> list[str]:
    """Names of the registered detectors."""
    _load_builtin()
    return sorted(_REGISTRY)


def get(name: str = FALLBACK_DETECTOR, **params) -> Detector:
    """A fresh detector by registry name; ``ValueError`` naming the choices if unknown."""
    _load_builtin()
    if name not in _REGISTRY:
        raise ValueError(f"unknown detector {name!r}; available: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name](**params)


def default_for(html: bool) -> str:
    """The detector ``clean``/``label`` use when none is given: the shipped learned model for the
    input kind (HTML-aware for HTML, text-only for text), or ``rules`` if no model is installed."""
    from .learned import SHIPPED

    name = "learned-html" if html else "learned-text"
    return name if SHIPPED[name].is_file() else FALLBACK_DETECTOR


def _load_builtin() -> None:
    # Detector modules register themselves on import; imported lazily to keep `import boilerplate` light.
    from . import baselines, learned, rules  # noqa: F401
