"""The lexicon prefilter against the plain ``re`` path: the same hits, and how much faster.

    python -m benchmarks.lexicon_engines [--data data] [--repeats 3] [--out results/lexicon_engines.json]

Runs :func:`boilerplate.detectors.lexicons.lexicon_matcher` over every document of the built corpus
(``data/*.jsonl``, every line of every page) twice: with the hyperscan prefilter and with it off
(:data:`~boilerplate.detectors.prefilter.ENGINE_ENV` ``=re`` read in a fresh process would do the
same; here the matcher's prefilter is swapped in the same process so the two are timed
interleaved). Prints the number of (lexicon, line) hits on which the two disagree (must be 0), the
hits, and the min and median seconds of each engine over ``--repeats`` interleaved passes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

import numpy as np

from boilerplate.detectors import lexicons
from boilerplate.eval.dataset import read_jsonl

ROOT = Path(__file__).resolve().parents[1]


def all_hits(docs: list[list[str]]) -> list[np.ndarray]:
    """Per document: a (lexicons x lines) boolean array of hits."""
    out = []
    for lines in docs:
        match = lexicons.lexicon_matcher(lines)
        out.append(np.vstack([match(lexicon) for lexicon in lexicons.LEXICONS.values()]))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "lexicon_engines.json")
    args = parser.parse_args(argv)
    files = sorted(args.data.glob("*.jsonl"))
    if not files:
        parser.error(f"no corpus under {args.data}: build it with python -m benchmarks.run --steps corpus")
    docs = [doc.lines for path in files for doc in read_jsonl(path)]
    n_lines = sum(map(len, docs))
    scanner = lexicons._lexicon_prefilter()
    if scanner is None:
        print("no prefilter here (hyperscan missing or BOILERPLATE_LEXICON_ENGINE=re)", file=sys.stderr)
        return 1

    def plain() -> list[np.ndarray]:
        with mock.patch.object(lexicons, "_lexicon_prefilter", lambda: None):
            return all_hits(docs)

    fast, slow = all_hits(docs), plain()
    disagree = int(sum((a != b).sum() for a, b in zip(fast, slow)))
    hits = {name: int(sum(a[k].sum() for a in slow)) for k, name in enumerate(lexicons.LEXICONS)}
    times: dict[str, list[float]] = {"prefilter": [], "re": []}
    for _ in range(args.repeats):
        for name, run in (("prefilter", lambda: all_hits(docs)), ("re", plain)):
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    result = {
        "documents": len(docs), "lines": n_lines, "disagreements": disagree, "hits": hits,
        "seconds": {k: {"min": min(v), "median": statistics.median(v)} for k, v in times.items()},
        "speedup_min": min(times["re"]) / min(times["prefilter"]),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"{len(docs)} documents, {n_lines:,} lines; disagreements {disagree}; hits {hits}")
    for name, v in result["seconds"].items():
        print(f"{name:10s} min {v['min']:.3f} s  median {v['median']:.3f} s  ({n_lines / v['min']:,.0f} lines/s)")
    print(f"prefilter speed-up (min/min): {result['speedup_min']:.2f}x")
    return 0 if disagree == 0 else 2


if __name__ == "__main__":
    raise SystemExit(main())
