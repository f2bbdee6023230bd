"""The detectors wing: one interface (:class:`Detector`), one registry, and the detectors.

- ``base``: the :class:`Detector` estimator interface;
- ``registry``: the name -> factory table (:func:`get`, :func:`available`);
- ``linestats``, ``stopwords``, ``lexicons``: per-line statistics and cues shared by detectors;
- ``rules``: the fine-grained rule detector; ``baselines``: C4, Gopher and jusText line filters;
- ``learned``: the scikit-learn detectors, their features, forest evaluator and model files.
"""

from .base import Detector
from .registry import FALLBACK_DETECTOR, available, default_for, get, register

__all__ = ["FALLBACK_DETECTOR", "Detector", "available", "default_for", "get", "register"]
