"""Where ``clean_html`` and ``clean`` spend their time: a stage table from the profiler.

    python -m benchmarks.stages --scrapinghub DIR [--pages 181] [--out results/stages.json]

Runs the public calls (``boilerplate.clean_html`` on the Scrapinghub pages, ``boilerplate.clean``
on their rendered text) under ``cProfile`` and adds each function's own time (``tottime``) to a
stage (:data:`STAGES`; library time goes to the package functions that called it). Shares are of the
profiled total; the profiler inflates Python-level work more than compiled work, so the shares
are a map of where to look, not timings (``benchmarks.speed`` gives those). It reads no private
helper and runs unchanged on older commits, for a before/after table.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import boilerplate  # noqa: E402
from boilerplate.eval.corpora import iter_pages  # noqa: E402
from boilerplate.html import render_text  # noqa: E402

#: (stage, substrings of "file:function" of the package's own functions); first match wins.
STAGES = (
    ("parse (libxml2)", ("html.py:_parse", "html.py:_drop_html_end", "html.py:decode_html", "html.py:_flatten")),
    ("render walk", ("html.py",)),
    ("tree model", ("forest.py",)),
    ("word hashing", ("features.py:hashed_text", "hashing.py")),
    ("lexicons", ("lexicons.py", "prefilter.py")),
    ("line statistics", ("linestats.py", "lines.py:line_token", "lines.py:_token_ids", "lines.py:_regex_token_ids",
                         "lines.py:token_classes", "lines.py:re_class")),
    ("language detection", ("stopwords.py",)),
    ("markup features", ("features.py:html_features", "features.py:_classid", "features.py:blank_between",
                         "features.py:block_groups", "features.py:hashed_cues", "features.py:_cached_columns",
                         "features.py:_block_words", "features.py:_link", "features.py:away_links",
                         "features.py:page_host", "features.py:_host", "features.py:_split_target",
                         "features.py:_same_site")),
    ("context windows", ("features.py:context_windows", "features.py:run_features")),
    ("other features", ("features.py",)),
    ("linear models and stacking", ("model.py", "sequence.py")),
    ("api (decode, lines, labels)", ("boilerplate/",)),
)
REST = "unattributed"


def _own_stage(key: str) -> str | None:
    filename, function = key.rsplit(":", 1)
    if "boilerplate/" not in filename or function.startswith("<"):
        return None  # library code, or a generator/lambda: it works for whoever runs it
    for name, needles in STAGES:
        if any(n in key for n in needles):
            return name
    return None


def stage_table(call, inputs) -> dict[str, float]:
    """Share of the profiled time per stage for ``call`` over ``inputs`` (and the profiled seconds).

    A package function's own time goes to its stage; a library or builtin function's own time
    (numpy, scipy, scikit-learn, lxml, ``re``) is split over its callers in proportion to the time
    each call edge took, up to the package functions that called it.
    """
    for item in inputs[:3]:
        call(item)  # warm-up: model load, compilation
    profile = cProfile.Profile()
    profile.enable()
    for item in inputs:
        call(item)
    profile.disable()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    memo: dict = {}

    def owners(func, depth: int = 0) -> dict[str, float]:
        if func in memo:
            return memo[func]
        stage = _own_stage(f"{func[0]}:{func[2]}")
        if stage is not None:
            memo[func] = {stage: 1.0}
            return memo[func]
        memo[func] = {REST: 1.0}  # a cycle or a caller we cannot see
        callers = stats[func][4] if func in stats else {}
        weights = {c: edge[3] for c, edge in callers.items() if edge[3] > 0}
        total = sum(weights.values())
        if total and depth < 50:
            shares: dict[str, float] = {}
            for c, w in weights.items():
                for name, part in owners(c, depth + 1).items():
                    shares[name] = shares.get(name, 0.0) + part * w / total
            memo[func] = shares
        return memo[func]

    totals: dict[str, float] = {name: 0.0 for name, _ in STAGES}
    totals[REST] = 0.0
    for func, (_, _, tottime, _, _) in stats.items():
        for name, part in owners(func).items():
            totals[name] += tottime * part
    whole = sum(totals.values()) or 1.0
    return {"profiled_s": round(whole, 3), "inputs": len(inputs),
            "share": {name: round(t / whole, 4) for name, t in totals.items()}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scrapinghub", required=True)
    ap.add_argument("--pages", type=int, default=181)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    pages = [p.html for p in iter_pages("scrapinghub", args.scrapinghub)][:args.pages]
    texts = [render_text(p) for p in pages]
    result = {"html": stage_table(boilerplate.clean_html, pages), "text": stage_table(boilerplate.clean, texts)}
    for path, table in result.items():
        per_page = table["profiled_s"] / max(table["inputs"], 1) * 1000
        print(f"clean{'_html' if path == 'html' else ''}: {len(pages)} Scrapinghub pages, {per_page:.1f} ms per page "
              "profiled; share and ms per page by stage:")
        for name, share in sorted(table["share"].items(), key=lambda kv: -kv[1]):
            print(f"  {name:32s} {share:6.1%} {share * per_page:7.2f}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
