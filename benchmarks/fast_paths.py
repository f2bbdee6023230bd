"""Fast paths that must not change output: checked on every corpus page, and timed.

    python -m benchmarks.fast_paths [--data data] [--repeats 3] [--out results/fast_paths.json]

1. **Lexicon prefilter.** Runs :func:`boilerplate.detectors.lexicons.lexicon_matcher` over every
   document of the built corpus (``data/*.jsonl``, every line of every page) twice: with the
   hyperscan prefilter and with it off (here swapped in the same process, so the two are timed
   interleaved: ``lexicon_matcher(lines, use_prefilter=False)``). Prints the (lexicon, line) hits on which the two disagree (must be 0), the hits,
   and the min and median seconds of each over ``--repeats`` passes interleaved by
   ``benchmarks.speed.interleaved`` (after its warm-up pass).
2. **Attribute cap.** Runs the HTML renderer's start-tag scan (:func:`~boilerplate.html.cap_attributes`, which cuts a
   tag to :data:`~boilerplate.html.MAX_ATTRIBUTES` attributes before libxml2 parses it) over the
   raw HTML of every corpus page (``--scrapinghub``, ``--wcxb``, ``--postlight`` or the
   ``BOILERPLATE_*`` variables): the pages it changes (must be 0: real pages never come near the
   cap) and its throughput.
3. **Compiled tokenizer.** Runs :func:`boilerplate.lines.line_token_ids` (the words of every line,
   numbered, as the line statistics read them, with the unspaced scripts' characters as words)
   over every corpus document with numba's kernel and with the regex path
   (``use_compiled=False``): the documents on which the two differ (must be 0), and the min and
   median seconds of each, interleaved as in 1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from boilerplate import html
from boilerplate.detectors import lexicons
from boilerplate.eval.corpora import iter_pages
from boilerplate.eval.dataset import read_jsonl
from boilerplate.lines import line_token_ids

from .speed import interleaved

ROOT = Path(__file__).resolve().parents[1]


def all_hits(docs: list[list[str]], use_prefilter: bool = True) -> list[np.ndarray]:
    """Per document: a (lexicons x lines) boolean array of hits."""
    out = []
    for lines in docs:
        match = lexicons.lexicon_matcher(lines, use_prefilter)
        out.append(np.vstack([match(lexicon) for lexicon in lexicons.LEXICONS.values()]))
    return out


def timed_pair(fast_name: str, fast, plain_name: str, plain, repeats: int) -> dict:
    """Seconds (min and median) of a fast path and its plain path, each one pass over the whole
    corpus per repetition, interleaved (:func:`benchmarks.speed.interleaved`), and the speed-up."""
    times = interleaved({fast_name: lambda _: fast(), plain_name: lambda _: plain()}, [None], repeats)
    return {"seconds": {k: {"min": v["min_s"], "median": v["median_s"]} for k, v in times.items()},
            "speedup_min": times[plain_name]["min_s"] / times[fast_name]["min_s"]}


def compare_tokenizers(docs: list[list[str]], repeats: int) -> dict:
    """:func:`boilerplate.lines.line_token_ids` with and without the compiled kernel on every
    document: the documents where they differ, the tokens, and the seconds of each."""
    def tokens(use_compiled: bool) -> list:
        return [line_token_ids(doc, cjk_chars=True, use_compiled=use_compiled) for doc in docs]

    fast, slow = tokens(True), tokens(False)
    differ = sum(a[0] != b[0] or not np.array_equal(a[1], b[1]) or not np.array_equal(a[2], b[2])
                 for a, b in zip(fast, slow))
    return {"documents": len(docs), "tokens": int(sum(len(a[1]) for a in slow)), "differing_documents": int(differ),
            "repeats": repeats, **timed_pair("compiled", lambda: tokens(True), "regex", lambda: tokens(False), repeats)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "fast_paths.json")
    for source in ("scrapinghub", "wcxb", "postlight"):
        parser.add_argument(f"--{source}", default=os.environ.get(f"BOILERPLATE_{source.upper()}"))
    args = parser.parse_args(argv)
    files = sorted(args.data.glob("*.jsonl"))
    if not files:
        parser.error(f"no corpus under {args.data}: build it with python -m benchmarks.run --steps corpus")
    docs = [doc.lines for path in files for doc in read_jsonl(path)]
    n_lines = sum(map(len, docs))
    if lexicons.lexicon_prefilter() is None:
        print("no prefilter here (hyperscan missing or BOILERPLATE_LEXICON_ENGINE=re)", file=sys.stderr)
        return 1

    def plain() -> list[np.ndarray]:
        return all_hits(docs, use_prefilter=False)

    fast, slow = all_hits(docs), plain()
    disagree = int(sum((a != b).sum() for a, b in zip(fast, slow)))
    hits = {name: int(sum(a[k].sum() for a in slow)) for k, name in enumerate(lexicons.LEXICONS)}
    lexicon = {"documents": len(docs), "lines": n_lines, "disagreements": disagree, "hits": hits,
               **timed_pair("prefilter", lambda: all_hits(docs), "re", plain, args.repeats)}
    html.cap_attributes(b"<p>warm-up: numba loads or compiles the scan</p>" * 100)
    pages = changed = size = 0
    seconds = 0.0
    for source in ("scrapinghub", "wcxb", "postlight"):
        directory = getattr(args, source)
        for page in iter_pages(source, directory) if directory else ():
            data = page.html.encode("utf-8", "replace") if isinstance(page.html, str) else page.html
            start = time.perf_counter()
            changed += html.cap_attributes(data) is not data
            seconds += time.perf_counter() - start
            pages, size = pages + 1, size + len(data)
    cap = {"pages": pages, "bytes": size, "changed": changed, "seconds": seconds}
    tokenizer = compare_tokenizers(docs, args.repeats)
    result = {"lexicon_prefilter": lexicon, "attribute_cap": cap, "tokenizer": tokenizer}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"lexicon prefilter: {len(docs)} documents, {n_lines:,} lines; disagreements {disagree}; hits {hits}")
    for name, v in lexicon["seconds"].items():
        print(f"  {name:10s} min {v['min']:.3f} s  median {v['median']:.3f} s  ({n_lines / v['min']:,.0f} lines/s)")
    print(f"  prefilter speed-up (min/min): {lexicon['speedup_min']:.2f}x")
    print(f"attribute cap: {pages} pages, {size / 1e6:.0f} MB, {changed} changed, "
          f"{size / 1e6 / max(seconds, 1e-9):.0f} MB/s")
    print(f"tokenizer: {len(docs)} documents, {tokenizer['tokens']:,} tokens; "
          f"{tokenizer['differing_documents']} differ")
    for name, v in tokenizer["seconds"].items():
        print(f"  {name:10s} min {v['min']:.3f} s  median {v['median']:.3f} s  ({n_lines / v['min']:,.0f} lines/s)")
    print(f"  compiled speed-up (min/min): {tokenizer['speedup_min']:.2f}x")
    return 0 if disagree == 0 and changed == 0 and tokenizer["differing_documents"] == 0 else 2


if __name__ == "__main__":
    raise SystemExit(main())
