"""The learned (scikit-learn) detectors.

- ``features``: the dense feature layout (:class:`FeatureLayout`) and hashed words, per document;
- ``forest``: boosted trees exported to plain arrays and evaluated without pickle;
- ``silver``: silver kinds of lines from page markup (extra, weaker supervision for ``fit``);
- ``model``: :class:`LearnedDetector`, its safe model format, and the shipped models.
"""

from .model import (
    ABLATIONS,
    SHIPPED,
    LearnedDetector,
    ModelError,
    cache_features,
    shipped_model,
    tune_kind_offsets,
)

__all__ = ["ABLATIONS", "SHIPPED", "LearnedDetector", "ModelError", "cache_features", "shipped_model",
           "tune_kind_offsets"]
