"""What the benchmark scripts share: the corpus loader, site folds, and scoring by source.

Every benchmark scores the same way through these: extracted text per source with its own metric
(``score_texts``), predicted line labels per source plus line-level binary (``evaluate``), and
fine-grained labels over the six non-body kinds (``fine_scores``).
"""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from importlib import metadata
from pathlib import Path

import numpy as np

from boilerplate.eval.dataset import read_jsonl
from boilerplate.eval.metrics import binary_prf, line_prf, score_scrapinghub, score_wcxb
from boilerplate.labels import BODY, KINDS, LABELS

ROOT = Path(__file__).resolve().parents[1]
#: Booster sizes of the trees' quality/speed curve (cross_validate scores them, speed times them).
TREE_COUNTS = (25, 50, 100)


#: The packages a result depends on, recorded with it (:func:`environment`).
PACKAGES = ("boilerplate-lines", "numpy", "scipy", "scikit-learn", "numba", "lxml", "justext", "matplotlib", "trafilatura",
            "readability-lxml", "boilerpy3", "html-text", "resiliparse", "torch")


def environment(data: Path | None = None) -> dict:
    """Package versions, Python, machine and git commit: what a result depends on. With ``data``
    (a corpus folder), also the SHA-256 of each of its files, so two runs can tell whether they
    read the same corpus (a fit on the same pages in another order, or by other libraries, is
    another fit)."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                                    capture_output=True, text=True).stdout.strip())
    except (OSError, subprocess.CalledProcessError):
        commit, dirty = None, None
    env = {"packages": versions, "python": platform.python_version(), "machine": platform.machine(),
           "cpus": os.cpu_count(), "git_commit": commit, "git_dirty": dirty}
    if data is not None:
        env["data_sha256"] = {path.name: _sha256(path) for path in sorted(Path(data).iterdir()) if path.is_file()}
    return env


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_corpus(data: Path, limit: int | None = None, include_unlabeled: bool = False) -> list:
    """The corpus documents of ``data``: Scrapinghub, WCXB and the hand-read postlight pages.

    Postlight pages have no gold text; they are left out unless hand-annotated (or
    ``include_unlabeled``).
    """
    docs = []
    for name in ("scrapinghub", "wcxb", "postlight"):
        path = data / f"{name}.jsonl"
        if path.exists():
            part = [d for d in read_jsonl(path) if include_unlabeled or d.labels is not None]
            docs += part[:limit] if limit else part
    if not docs:
        raise SystemExit(f"no corpus in {data}: run python -m benchmarks.build_corpus first")
    return docs


def site_folds(docs: list, k: int, seed: int = 0) -> np.ndarray:
    """Fold index per document; every site in exactly one fold, folds balanced by page count."""
    sites = sorted({d.meta["site"] for d in docs})
    rng = np.random.default_rng(seed)
    rng.shuffle(sites)
    size = defaultdict(int)
    for d in docs:
        size[d.meta["site"]] += 1
    load = np.zeros(k)
    fold_of = {}
    for s in sorted(sites, key=lambda s: -size[s]):  # greedy: biggest sites first, to the lightest fold
        f = int(load.argmin())
        fold_of[s] = f
        load[f] += size[s]
    return np.array([fold_of[d.meta["site"]] for d in docs])


def score_texts(source: str, pred: dict[str, str], gold: dict, page_type: dict[str, str], n_boot: int = 1000) -> dict:
    """Score extracted texts (id -> text) of one source with its own metric; WCXB also per page type.

    ``gold`` is ``data/gold.json`` (id -> gold text and snippets); the pages are the keys of ``pred``.
    """
    ids = list(pred)
    g = {i: gold[i]["gold"] for i in ids}
    if source == "scrapinghub":
        res = {"all": score_scrapinghub(g, pred, n_boot=n_boot)}
    else:
        res = {"all": score_wcxb(g, pred, {i: gold[i]["with"] for i in ids}, {i: gold[i]["without"] for i in ids},
                                 n_boot=n_boot)}
        for ptype in sorted({page_type[i] for i in ids}):
            sub = [i for i in ids if page_type[i] == ptype]
            res[ptype] = score_wcxb({i: g[i] for i in sub}, {i: pred[i] for i in sub}, n_boot=n_boot)
    for v in res.values():
        v.pop("pages", None)
    return res


def evaluate(docs: list, predictions: list[list[str | None]], gold: dict, n_boot: int = 1000) -> dict:
    """Corpus metrics for predicted labels: each source with its own metric, plus line-level."""
    out: dict = {}
    by_source = defaultdict(list)
    for d, p in zip(docs, predictions):
        by_source[d.meta["source"]].append((d, p))
    for source, items in by_source.items():
        if not all(d.id in gold for d, _ in items):  # no gold text (postlight): line-level only
            out[source] = {}
        else:
            pred = {d.id: "\n".join(t for t, lab in zip(d.lines, p) if lab == BODY) for d, p in items}
            out[source] = score_texts(source, pred, gold, {d.id: d.meta["page_type"] for d, _ in items}, n_boot)
        y_true = [lab == BODY for d, _ in items for lab in d.labels if lab is not None]
        y_pred = [lab == BODY for d, p in items for lab, g_ in zip(p, d.labels) if g_ is not None]
        out[source]["line_binary"] = binary_prf(np.array(y_true), np.array(y_pred))
    return out


def fine_scores(docs: Sequence, preds: Sequence, indices: Sequence[int] | None = None) -> dict:
    """Per-label P/R/F1 and the macro-F1 over the six non-body kinds, of ``preds`` against the
    hand labels of ``docs`` (all, or those at ``indices``)."""
    idx = range(len(docs)) if indices is None else indices
    return line_prf([g for i in idx for g in docs[i].labels], [p for i in idx for p in preds[i]],
                    LABELS, macro_labels=list(KINDS))


def fine_by(docs: Sequence, preds: Sequence, indices: Sequence[int], key: Callable) -> dict:
    """:func:`fine_scores` and binary line F1 for each value of ``key(doc)`` (a source, a language)."""
    out = {}
    for value in sorted({key(docs[i]) for i in indices}):
        sub = [i for i in indices if key(docs[i]) == value]
        fine = fine_scores(docs, preds, sub)
        g = [x for i in sub for x in docs[i].labels]
        p = [x for i in sub for x in preds[i]]
        binary = line_prf([x == BODY if x else None for x in g], [x == BODY if x else None for x in p],
                          [True, False])["per_label"][True]["f1"]
        out[value] = {"pages": len(sub), "lines": fine["n"], "macro_f1": fine["macro_f1"],
                      "per_label_f1": {k: v["f1"] for k, v in fine["per_label"].items()}, "binary_f1": binary}
    return out


def fork_map(fn: Callable, tasks: Iterable, workers: int) -> Iterator:
    """``fn`` over ``tasks``, results in task order, in ``workers`` forked processes (the corpus
    in a module-level dict is shared by fork, never pickled), or in this process when
    ``workers`` <= 1. The benchmarks' one process pool."""
    if workers <= 1:
        yield from map(fn, tasks)
        return
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork")) as pool:
        yield from pool.map(fn, tasks)
