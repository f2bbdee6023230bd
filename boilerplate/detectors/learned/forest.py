"""The booster's trees as plain arrays: export from scikit-learn, and evaluation.

A fitted ``HistGradientBoostingClassifier`` is flattened into node arrays (saved in the model
file without pickle) and evaluated either by scikit-learn's compiled tree predictors rebuilt from
those arrays, or, should that private interface change, by a numpy walk over the nodes.
"""

from __future__ import annotations

import numpy as np


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


def multiclass_decision(forest: dict[str, np.ndarray], prefix: str, X: np.ndarray) -> np.ndarray:
    """Raw scores (n_rows, n_classes) of a forest saved by :func:`export_multiclass_forest`."""
    baseline = forest[f"{prefix}baseline"]
    raw = np.tile(baseline, (X.shape[0], 1))
    if not X.shape[0]:
        return raw
    key = f"_{prefix}compiled"
    if key not in forest:
        forest[key] = _tree_predictors(forest[f"{prefix}nodes"], forest[f"{prefix}sizes"])
    X = np.ascontiguousarray(X, dtype=np.float64)
    empty = np.zeros((0, 8), dtype=np.uint32)
    f_idx_map = np.zeros(X.shape[1], dtype=np.uint32)
    for cls, tree in zip(forest[f"{prefix}class"], forest[key]):
        raw[:, cls] += tree.predict(X, empty, f_idx_map, 1)
    return raw


def _tree_predictors(nodes: np.ndarray, sizes: np.ndarray) -> list:
    from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor

    bounds = np.concatenate(([0], np.cumsum(sizes)))
    empty = np.zeros((0, 8), dtype=np.uint32)
    return [TreePredictor(np.ascontiguousarray(nodes[a:b]), empty, empty) for a, b in zip(bounds[:-1], bounds[1:])]


def _compiled_trees(forest: dict) -> list | None:
    """scikit-learn's compiled tree predictors rebuilt from the node arrays (no pickle), or None.

    They are ~20x faster than the numpy walk below; the walk stays as the fallback should a
    scikit-learn release change this private interface.
    """
    if "_compiled" not in forest:
        try:
            nodes = forest["forest_nodes"]
            trees = _tree_predictors(nodes, forest["forest_sizes"])
            empty = np.zeros((0, 8), dtype=np.uint32)
            probe = np.zeros((1, int(nodes["feature_idx"].max()) + 1))
            trees[0].predict(probe, empty, np.zeros(probe.shape[1], dtype=np.uint32), 1)
            forest["_compiled"] = trees
        except Exception:  # noqa: BLE001 - any failure means: use the numpy walk
            forest["_compiled"] = None
    return forest["_compiled"]


def forest_decision(forest: dict[str, np.ndarray], X: np.ndarray) -> np.ndarray:
    """Raw score of every row of ``X``: baseline + the sum of the leaf values of all trees."""
    n = X.shape[0]
    trees = _compiled_trees(forest) if "forest_nodes" in forest else None
    if trees is not None and n:
        X = np.ascontiguousarray(X, dtype=np.float64)
        empty = np.zeros((0, 8), dtype=np.uint32)
        f_idx_map = np.zeros(X.shape[1], dtype=np.uint32)
        raw = np.full(n, forest["forest_baseline"][0])
        for tree in trees:
            raw += tree.predict(X, empty, f_idx_map, 1)
        return raw
    return _forest_walk(forest, X)


def _forest_walk(forest: dict[str, np.ndarray], X: np.ndarray) -> np.ndarray:
    n = X.shape[0]
    node = np.broadcast_to(forest["forest_roots"], (n, len(forest["forest_roots"]))).copy()
    rows = np.arange(n)[:, None]
    leaf = forest["forest_leaf"]
    while True:
        active = ~leaf[node]
        if not active.any():
            break
        feat = forest["forest_feature"][node]
        x = X[rows, feat]
        go_left = np.where(np.isnan(x), forest["forest_missing_left"][node], x <= forest["forest_threshold"][node])
        nxt = np.where(go_left, forest["forest_left"][node], forest["forest_right"][node])
        node = np.where(active, nxt, node)
    return forest["forest_baseline"][0] + forest["forest_value"][node].sum(axis=1)
