"""Score and time the peer extractors (benchmarks.peers) on the corpus pages, in this process.

    python -m benchmarks.peer_bench --data data/ --scrapinghub DIR --wcxb DIR [--peers ...] [--out results/peers.json]

The pages are those of the built corpus (``data/gold.json``), read as raw HTML from the corpus
directories; each source is scored with its own metric (``boilerplate.eval.metrics``), with 95%
bootstrap intervals and, for WCXB, per page type. Published Scrapinghub outputs are scored too,
marked ``"published": true`` and without speed.

The extractions run in ``--workers`` processes, in chunks of pages; ``pages_per_s`` here is pages
over the summed extraction seconds of a peer, timed while other extractions share the machine.
The speed that compares systems is ``benchmarks.speed``'s (one process, interleaved).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from boilerplate.eval.corpora import iter_pages

from .common import ROOT, fork_map, load_corpus, score_texts
from .peers import PEERS, available, published_outputs, run_peer

CHUNK = 50  # pages per extraction task
_SHARED: dict = {}  # the pages, read by the forked workers


def _extract(task: tuple[str, str, int]) -> tuple[str, str, dict]:
    name, source, start = task
    return name, source, run_peer(name, _SHARED[source][start:start + CHUNK])


def extract_all(pages: dict[str, list], names: list[str], workers: int) -> dict[tuple[str, str], dict]:
    """``{(peer, source): {"texts", "seconds", "errors"}}``, chunks of pages spread over ``workers``."""
    _SHARED.update(pages)
    tasks = [(n, src, i) for n in names for src, pp in pages.items() for i in range(0, len(pp), CHUNK)]
    out: dict[tuple[str, str], dict] = {}
    for name, source, part in fork_map(_extract, tasks, workers):
        acc = out.setdefault((name, source), {"texts": {}, "seconds": 0.0, "errors": 0})
        acc["texts"].update(part["texts"])
        acc["seconds"] += part["seconds"]
        acc["errors"] += part["errors"]
    return out


def run(*, data: Path = ROOT / "data", scrapinghub: str | None = None, wcxb: str | None = None,
        peers: str = ",".join(PEERS), bootstrap: int = 1000, workers: int = 2,
        out: Path = ROOT / "results" / "peers.json") -> int:
    """The step itself, with the command line's options as keyword arguments."""
    gold = json.loads((data / "gold.json").read_text())
    page_type = {d.id: d.meta.get("page_type", "article") for d in load_corpus(data)}
    results: dict = {}
    pages: dict[str, list] = {}
    for source in ("scrapinghub", "wcxb"):
        directory = {"scrapinghub": scrapinghub, "wcxb": wcxb}[source]
        if directory and any(i.startswith(source + "/") for i in gold):
            pages[source] = [(f"{source}/{p.id}", p.html) for p in iter_pages(source, directory)
                             if f"{source}/{p.id}" in gold]
    names = []
    for name in peers.split(","):
        if available(name):
            names.append(name)
        else:
            results[name] = {"missing": True}
            print(f"{name}: not installed (pip install 'boilerplate-lines[peers]')", file=sys.stderr)
    runs = extract_all(pages, names, workers)
    for source in pages:
        for name in names:
            run = runs[(name, source)]
            entry = results.setdefault(name, {"published": False})
            entry[source] = score_texts(source, run["texts"], gold, page_type, bootstrap)
            entry[source]["pages_per_s"] = len(pages[source]) / run["seconds"]
            entry[source]["errors"] = run["errors"]
            print(f"{name:12} {source:11} F1 {entry[source]['all']['f1']:.4f}  {entry[source]['pages_per_s']:.1f} pages/s"
                  f"  ({run['errors']} errors)", file=sys.stderr, flush=True)
        if source == "scrapinghub":
            for name, texts in published_outputs(scrapinghub).items():
                texts = {f"scrapinghub/{k}": v for k, v in texts.items()}
                texts = {i: texts.get(i, "") for i, _ in pages[source]}
                results[name] = {"published": True, source: score_texts(source, texts, gold, page_type, bootstrap)}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1, sort_keys=True, default=float) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--scrapinghub", default=os.environ.get("BOILERPLATE_SCRAPINGHUB"))
    parser.add_argument("--wcxb", default=os.environ.get("BOILERPLATE_WCXB"))
    parser.add_argument("--peers", default=",".join(PEERS))
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2, help="extraction processes")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "peers.json")
    args = parser.parse_args(argv)
    return run(**vars(args))


if __name__ == "__main__":
    sys.exit(main())
