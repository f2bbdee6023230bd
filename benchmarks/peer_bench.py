"""Score and time the peer extractors (benchmarks.peers) on the corpus pages, in this process.

    python -m benchmarks.peer_bench --data data/ --scrapinghub DIR --wcxb DIR [--peers ...] [--out results/peers.json]

The pages are those of the built corpus (``data/gold.json``), read as raw HTML from the corpus
directories; each source is scored with its own metric (``boilerplate.eval.metrics``), with 95%
bootstrap intervals and, for WCXB, per page type. Published Scrapinghub outputs are scored too,
marked ``"published": true`` and without speed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from boilerplate.eval.corpora import iter_pages

from .common import ROOT, load_corpus, score_texts
from .peers import PEERS, available, published_outputs, run_peer


def run(*, data: Path = ROOT / "data", scrapinghub: str | None = None, wcxb: str | None = None,
        peers: str = ",".join(PEERS), bootstrap: int = 1000, out: Path = ROOT / "results" / "peers.json") -> int:
    """The step itself, with the command line's options as keyword arguments."""
    gold = json.loads((data / "gold.json").read_text())
    page_type = {d.id: d.meta.get("page_type", "article") for d in load_corpus(data)}
    results: dict = {}
    for source in ("scrapinghub", "wcxb"):
        directory = {"scrapinghub": scrapinghub, "wcxb": wcxb}[source]
        if not directory or not any(i.startswith(source + "/") for i in gold):
            continue
        pages = [(f"{source}/{p.id}", p.html) for p in iter_pages(source, directory) if f"{source}/{p.id}" in gold]
        for name in peers.split(","):
            if not available(name):
                results.setdefault(name, {"missing": True})
                print(f"{name}: not installed (pip install 'boilerplate-lines[peers]')", file=sys.stderr)
                continue
            run = run_peer(name, pages)
            entry = results.setdefault(name, {"published": False})
            entry[source] = score_texts(source, run["texts"], gold, page_type, bootstrap)
            entry[source]["pages_per_s"] = len(pages) / run["seconds"]
            entry[source]["errors"] = run["errors"]
            print(f"{name:12} {source:11} F1 {entry[source]['all']['f1']:.4f}  {entry[source]['pages_per_s']:.1f} pages/s"
                  f"  ({run['errors']} errors)", file=sys.stderr, flush=True)
        if source == "scrapinghub":
            for name, texts in published_outputs(directory).items():
                texts = {f"scrapinghub/{k}": v for k, v in texts.items()}
                texts = {i: texts.get(i, "") for i, _ in pages}
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
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "peers.json")
    args = parser.parse_args(argv)
    return run(**vars(args))


if __name__ == "__main__":
    sys.exit(main())
