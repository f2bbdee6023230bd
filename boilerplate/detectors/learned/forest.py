"""The booster's trees as plain arrays: export from scikit-learn, and evaluation.

A fitted ``HistGradientBoostingClassifier`` is flattened into node arrays (saved in the model
file without pickle) and evaluated by a tree walk of our own, compiled by numba (no private
scikit-learn module is used to predict), or, without numba, by the same walk in numpy.

The compiled walk trusts the node arrays: a feature or child index out of range reads outside
them (a crash), a cycle never ends. :func:`validate_forest` and
:func:`validate_multiclass_forest` check node arrays read from a file before either evaluator
sees them, in time linear in the number of nodes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ...compiled import compiled

#: The most nodes (all trees together) a forest in a model file may hold. The shipped models have
#: 12,200; 1,000 trees of 255 leaves would have about 510,000.
MAX_FOREST_NODES = 1 << 20
#: The largest node record accepted (scikit-learn's is 56 bytes).
MAX_NODE_RECORD_BYTES = 128
#: The node fields that prediction reads, with the dtypes scikit-learn writes (native byte order:
#: the compiled predictors accept no other).
NODE_FIELDS = {"value": np.float64, "feature_idx": np.int64, "num_threshold": np.float64,
               "missing_go_to_left": np.uint8, "left": np.uint32, "right": np.uint32,
               "is_leaf": np.uint8, "is_categorical": np.uint8}


# --- validation -------------------------------------------------------------------------------

def check_array(name: str, a: np.ndarray, dtype, shape: tuple[int | None, ...]) -> None:
    """``ValueError`` unless ``a`` has ``dtype``'s kind and item size (either byte order) and
    ``shape`` (``None``: any length on that axis)."""
    want = np.dtype(dtype)
    if a.dtype.names is not None or a.dtype.kind != want.kind or a.dtype.itemsize != want.itemsize:
        raise ValueError(f"{name}: dtype {a.dtype}, expected {want}")
    if a.ndim != len(shape) or any(s is not None and s != t for s, t in zip(shape, a.shape)):
        expected = "(" + ", ".join("n" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
        raise ValueError(f"{name}: shape {a.shape}, expected {expected}")


def check_finite(name: str, a: np.ndarray) -> None:
    """``ValueError`` naming the first NaN or infinite entry of ``a``."""
    bad = ~np.isfinite(a)
    if bad.any():
        i = tuple(int(j) for j in np.unravel_index(int(np.argmax(bad)), a.shape)) if a.ndim else ()
        raise ValueError(f"{name}{list(i) if i else ''}: {a[i]} is not finite")


def _first(name: str, bad: np.ndarray, problem: str) -> None:
    if bad.any():
        raise ValueError(f"{name}[{int(np.argmax(bad))}]: {problem}")


def validate_nodes(prefix: str, nodes: np.ndarray, sizes: np.ndarray, n_features: int) -> np.ndarray:
    """Check the node records ``<prefix>nodes`` of consecutive trees of ``sizes`` nodes each, for
    rows of ``n_features`` columns; return each tree's first node. ``ValueError`` on the first defect.

    Checked: the record fields and dtypes (:data:`NODE_FIELDS`), at most :data:`MAX_FOREST_NODES`
    nodes, tree sizes >= 1 that add up, 0/1 flags, no categorical split (no bitsets are saved),
    feature indices in ``[0, n_features)``, finite values, thresholds neither NaN nor -inf
    (scikit-learn writes +inf for a split that sends only missing values right), and children of
    every split node inside its own tree and *after* it. scikit-learn numbers each tree's nodes in
    preorder (a node, its left subtree, its right subtree), so its trees always pass; and a tree in
    which every child comes after its parent has no cycle and every path ends in a leaf (the last
    node of a tree can only be one).
    """
    name = f"{prefix}nodes"
    if nodes.dtype.names is None:
        raise ValueError(f"{name}: not an array of node records")
    for field, dtype in NODE_FIELDS.items():
        fields: Mapping[str, Any] = nodes.dtype.fields or {}
        if field not in fields or fields[field][0] != np.dtype(dtype):
            raise ValueError(f"{name}: field {field!r} missing or not {np.dtype(dtype)}")
    if nodes.ndim != 1 or not 1 <= len(nodes) <= MAX_FOREST_NODES:
        raise ValueError(f"{name}: shape {nodes.shape}, expected 1 to {MAX_FOREST_NODES} nodes")
    n = len(nodes)
    check_array(f"{prefix}sizes", sizes, np.int64, (None,))
    if not 1 <= len(sizes) <= n or sizes.min() < 1 or sizes.max() > n or int(sizes.sum()) != n:
        raise ValueError(f"{prefix}sizes: {len(sizes)} tree sizes that are not >= 1 or do not add up to "
                         f"the {n} nodes")
    sizes = sizes.astype(np.int64)
    roots = np.cumsum(sizes) - sizes
    start = np.repeat(roots, sizes)
    end = start + np.repeat(sizes, sizes)
    for flag in ("is_leaf", "missing_go_to_left"):
        _first(name, nodes[flag] > 1, f"{flag} is {nodes[flag].max()}, not 0 or 1")
    _first(name, nodes["is_categorical"] != 0, "a categorical split (not supported)")
    feature = nodes["feature_idx"]
    _first(name, (feature < 0) | (feature >= n_features),
           f"feature index outside [0, {n_features}) (min {feature.min()}, max {feature.max()})")
    _first(name, ~np.isfinite(nodes["value"]), "value is not finite")
    threshold = nodes["num_threshold"]
    _first(name, np.isnan(threshold) | np.isneginf(threshold), "threshold is NaN or -inf")
    split = nodes["is_leaf"] == 0
    here = np.arange(n)
    for child in ("left", "right"):
        at = nodes[child].astype(np.int64) + start
        _first(name, split & ((at <= here) | (at >= end)),
               f"{child} child is not a later node of the same tree (a cycle, or outside the tree)")
    return roots


def validate_forest(forest: dict[str, np.ndarray], n_features: int) -> None:
    """Check a binary forest (the arrays of :func:`export_forest`, read from a file) for rows of
    ``n_features`` columns: the node records by :func:`validate_nodes`, and every flat array (the
    numpy walk's) equal to what the export derives from them. ``ValueError`` on the first defect."""
    nodes = forest["forest_nodes"]
    roots = validate_nodes("forest_", nodes, forest["forest_sizes"], n_features)
    start = np.repeat(roots, forest["forest_sizes"])
    derived = {"forest_feature": (np.int64, nodes["feature_idx"]),
               "forest_threshold": (np.float64, nodes["num_threshold"]),
               "forest_missing_left": (bool, nodes["missing_go_to_left"].astype(bool)),
               "forest_left": (np.int64, nodes["left"].astype(np.int64) + start),
               "forest_right": (np.int64, nodes["right"].astype(np.int64) + start),
               "forest_leaf": (bool, nodes["is_leaf"].astype(bool)),
               "forest_value": (np.float64, nodes["value"]),
               "forest_roots": (np.int64, roots)}
    for name, (dtype, want) in derived.items():
        check_array(name, forest[name], dtype, want.shape)
        if not np.array_equal(forest[name], want):
            raise ValueError(f"{name}: does not match forest_nodes")
    check_array("forest_baseline", forest["forest_baseline"], np.float64, (1,))
    check_finite("forest_baseline", forest["forest_baseline"])


def validate_multiclass_forest(forest: dict[str, np.ndarray], prefix: str, n_features: int,
                               n_classes: int) -> None:
    """Check a multiclass forest (the arrays of :func:`export_multiclass_forest`, read from a file)
    for rows of ``n_features`` columns and ``n_classes`` classes. ``ValueError`` on the first defect."""
    sizes = forest[f"{prefix}sizes"]
    validate_nodes(prefix, forest[f"{prefix}nodes"], sizes, n_features)
    cls = forest[f"{prefix}class"]
    check_array(f"{prefix}class", cls, np.int64, (len(sizes),))
    _first(f"{prefix}class", (cls < 0) | (cls >= n_classes), f"class outside [0, {n_classes})")
    check_array(f"{prefix}baseline", forest[f"{prefix}baseline"], np.float64, (n_classes,))
    check_finite(f"{prefix}baseline", forest[f"{prefix}baseline"])


# --- export and evaluation --------------------------------------------------------------------


def export_forest(hgb) -> dict[str, np.ndarray]:
    """Flatten a fitted binary ``HistGradientBoostingClassifier`` into node arrays."""
    nodes = [pred.nodes for it in hgb._predictors for pred in it]
    sizes = np.array([len(n) for n in nodes])
    offsets = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    allnodes = np.concatenate(nodes)
    left = allnodes["left"].astype(np.int64) + np.repeat(offsets, sizes)
    right = allnodes["right"].astype(np.int64) + np.repeat(offsets, sizes)
    if allnodes["is_categorical"].any():
        raise ValueError("categorical splits are not supported by the export")
    return {"forest_nodes": allnodes, "forest_sizes": sizes.astype(np.int64),
            "forest_feature": allnodes["feature_idx"].astype(np.int64),
            "forest_threshold": allnodes["num_threshold"].astype(np.float64),
            "forest_missing_left": allnodes["missing_go_to_left"].astype(bool),
            "forest_left": left, "forest_right": right, "forest_leaf": allnodes["is_leaf"].astype(bool),
            "forest_value": allnodes["value"].astype(np.float64), "forest_roots": offsets.astype(np.int64),
            "forest_baseline": np.asarray(hgb._baseline_prediction, dtype=np.float64).ravel()}


def export_multiclass_forest(hgb, prefix: str) -> dict[str, np.ndarray]:
    """Flatten a fitted multiclass ``HistGradientBoostingClassifier``: the trees of every class,
    each tree's class in ``<prefix>class``, baselines per class in ``<prefix>baseline``."""
    trees = [(k, pred.nodes) for it in hgb._predictors for k, pred in enumerate(it)]
    nodes = [n for _, n in trees]
    sizes = np.array([len(n) for n in nodes])
    allnodes = np.concatenate(nodes)
    if allnodes["is_categorical"].any():
        raise ValueError("categorical splits are not supported by the export")
    return {f"{prefix}nodes": allnodes, f"{prefix}sizes": sizes.astype(np.int64),
            f"{prefix}class": np.array([k for k, _ in trees], dtype=np.int64),
            f"{prefix}baseline": np.asarray(hgb._baseline_prediction, dtype=np.float64).ravel()}


def multiclass_decision(forest: dict[str, Any], prefix: str, X: np.ndarray) -> np.ndarray:
    """Raw scores (n_rows, n_classes) of a forest saved by :func:`export_multiclass_forest`."""
    key = f"_{prefix}flat"
    if key not in forest:
        forest[key] = _flat_trees(forest[f"{prefix}nodes"], forest[f"{prefix}sizes"], forest[f"{prefix}class"])
    return _evaluate(forest[key], forest[f"{prefix}baseline"], X)


def forest_decision(forest: dict[str, Any], X: np.ndarray) -> np.ndarray:
    """Raw score of every row of ``X``: baseline + the sum of the leaf values of all trees."""
    if "_flat" not in forest:
        forest["_flat"] = _flat_trees(forest["forest_nodes"], forest["forest_sizes"],
                                      np.zeros(len(forest["forest_sizes"]), dtype=np.int64))
    return _evaluate(forest["_flat"], forest["forest_baseline"], X)[:, 0]


def truncate_forest(forest: dict[str, Any], n_trees: int) -> dict[str, np.ndarray]:
    """The first ``n_trees`` trees of a binary forest (:func:`export_forest`): the booster as it
    stood after ``n_trees`` iterations, which is what fitting it with ``max_iter=n_trees`` gives
    (each boosting iteration only adds a tree). All trees when ``n_trees`` is at least their number."""
    sizes = forest["forest_sizes"]
    if int(n_trees) != n_trees or n_trees < 1:
        raise ValueError(f"n_trees must be an integer >= 1, got {n_trees!r}")
    k = min(int(n_trees), len(sizes))
    end = int(sizes[:k].sum())  # trees are stored one after another, children numbered across all
    out = {name: a[:end] for name, a in forest.items()
           if name in ("forest_nodes", "forest_feature", "forest_threshold", "forest_missing_left",
                       "forest_left", "forest_right", "forest_leaf", "forest_value")}
    out.update(forest_sizes=sizes[:k], forest_roots=forest["forest_roots"][:k],
               forest_baseline=forest["forest_baseline"])
    return out


def _flat_trees(nodes: np.ndarray, sizes: np.ndarray, tree_class: np.ndarray) -> dict[str, np.ndarray]:
    """The node records as flat, contiguous arrays with children numbered across all trees."""
    roots = (np.cumsum(sizes) - sizes).astype(np.int64)
    start = np.repeat(roots, sizes)
    return {"roots": roots, "tree_class": np.ascontiguousarray(tree_class, dtype=np.int64),
            "feature": np.ascontiguousarray(nodes["feature_idx"], dtype=np.int64),
            "threshold": np.ascontiguousarray(nodes["num_threshold"], dtype=np.float64),
            "missing_left": np.ascontiguousarray(nodes["missing_go_to_left"], dtype=np.bool_),
            "left": nodes["left"].astype(np.int64) + start, "right": nodes["right"].astype(np.int64) + start,
            "leaf": np.ascontiguousarray(nodes["is_leaf"], dtype=np.bool_),
            "value": np.ascontiguousarray(nodes["value"], dtype=np.float64)}


def _evaluate(flat: dict[str, np.ndarray], baseline: np.ndarray, X: np.ndarray) -> np.ndarray:
    """(n_rows, n_classes) raw scores: each class's baseline plus its trees' leaf values, added tree
    by tree in order (the order scikit-learn adds them in, so the sums are the same to the bit)."""
    X = np.ascontiguousarray(X, dtype=np.float64)
    if X.ndim != 2 or (len(flat["feature"]) and X.shape[1] <= int(flat["feature"].max())):
        raise ValueError(f"forest: rows of {X.shape[1:]} columns, the trees read column {int(flat['feature'].max())}")
    out = np.tile(np.asarray(baseline, dtype=np.float64), (X.shape[0], 1))
    if X.shape[0]:
        walk = _compiled_walk()
        if walk is not None:
            walk(X, flat["roots"], flat["tree_class"], flat["feature"], flat["threshold"], flat["missing_left"],
                 flat["left"], flat["right"], flat["leaf"], flat["value"], out)
        else:
            _numpy_walk(flat, X, out)
    return out


def _walk_trees(X, roots, tree_class, feature, threshold, missing_left, left, right, leaf, value, out):  # pragma: no cover - compiled
    # Trees outer, rows inner: one tree's nodes stay in cache while every row walks it. A row
    # goes left when its value is <= the threshold, or is missing and the node sends missing
    # values left (scikit-learn's rule).
    for t in range(roots.shape[0]):
        c = tree_class[t]
        for i in range(X.shape[0]):
            node = roots[t]
            while not leaf[node]:
                x = X[i, feature[node]]
                if np.isnan(x):
                    node = left[node] if missing_left[node] else right[node]
                elif x <= threshold[node]:
                    node = left[node]
                else:
                    node = right[node]
            out[i, c] += value[node]


def _compiled_walk():
    """:func:`_walk_trees` compiled by numba (:func:`.compiled.compiled`), or None without numba:
    then the numpy walk, slower but with the same result, is used."""
    return compiled(_walk_trees)


def _numpy_walk(flat: dict[str, np.ndarray], X: np.ndarray, out: np.ndarray) -> None:
    """:func:`_walk_trees` level by level in numpy: every row through every tree at once."""
    n = X.shape[0]
    node = np.broadcast_to(flat["roots"], (n, len(flat["roots"]))).copy()
    rows = np.arange(n)[:, None]
    leaf = flat["leaf"]
    while True:
        active = ~leaf[node]
        if not active.any():
            break
        x = X[rows, flat["feature"][node]]
        go_left = np.where(np.isnan(x), flat["missing_left"][node], x <= flat["threshold"][node])
        node = np.where(active, np.where(go_left, flat["left"][node], flat["right"][node]), node)
    values = flat["value"][node]
    for t, c in enumerate(flat["tree_class"]):  # tree by tree, as the compiled walk adds them
        out[:, c] += values[:, t]
