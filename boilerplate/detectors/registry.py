"""One explicit table: detector name -> factory.

``get(name, **params)`` returns a fresh detector; the shipped learned models take only their
decision ``threshold`` (they are fitted). ``register`` adds a user's own detector to the table.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from .base import Detector
from .baselines import C4LineFilter, GopherLineFilter, JusTextLines
from .learned import SHIPPED, shipped_model
from .rules import RuleDetector

#: What ``clean``/``label`` use when no learned model is installed.
FALLBACK_DETECTOR = "rules"

_FACTORIES: dict[str, Callable[..., Detector]] = {
    "rules": RuleDetector,
    "c4": C4LineFilter,
    "gopher": GopherLineFilter,
    "justext": JusTextLines,
    "learned-text": partial(shipped_model, "learned-text"),
    "learned-html": partial(shipped_model, "learned-html"),
}


def register(name: str, factory: Callable[..., Detector]) -> None:
    """Make ``factory(**params)`` available as ``get(name, **params)``; ``ValueError`` if taken."""
    if name in _FACTORIES:
        raise ValueError(f"a detector named {name!r} is already registered")
    _FACTORIES[name] = factory


def available() -> list[str]:
    """Names of the registered detectors."""
    return sorted(_FACTORIES)


def get(name: str = FALLBACK_DETECTOR, **params: object) -> Detector:
    """A fresh detector by registry name; ``ValueError`` naming the choices if unknown."""
    if name not in _FACTORIES:
        raise ValueError(f"unknown detector {name!r}; available: {', '.join(available())}")
    return _FACTORIES[name](**params)


def default_for(html: bool) -> str:
    """The detector ``clean``/``label`` use when none is given: the shipped learned model for the
    input kind (HTML-aware for HTML, text-only for text), or ``rules`` if no model is installed."""
    name = "learned-html" if html else "learned-text"
    return name if SHIPPED[name].is_file() else FALLBACK_DETECTOR
