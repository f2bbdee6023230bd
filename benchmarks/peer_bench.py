"""Score and time the peer extractors (benchmarks.peers) on the corpus pages, in this process.

    python -m benchmarks.peer_bench --data data/ --scrapinghub DIR --wcxb DIR [--peers ...] [--out results/peers.json]

The pages are those of the built corpus (``data/gold.json``), read as raw HTML from the corpus
directories; each source is scored with its own metric (``boilerplate.metrics``), with 95%
bootstrap intervals and, for WCXB, per page type. Published Scrapinghub outputs are scored too,
marked ``"published": true`` and without speed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from boilerplate.corpora import iter_pages
from boilerplate.metrics import score_scrapinghub, score_wcxb

from .cross_validate import ROOT
from .peers import PEERS, available, published_outputs, run_peer


def score(source: str, texts: dict, gold: dict, page_type: dict, n_boot: int) -> dict:
    ids = [i for i in gold if i.startswith(source + "/")]
    g = {i: gold[i]["gold"] for i in ids}
    pred = {i: texts.get(i, "") for i in ids}
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--scrapinghub", default=os.environ.get("BOILERPLATE_SCRAPINGHUB"))
    parser.add_argument("--wcxb", default=os.environ.get("BOILERPLATE_WCXB"))
    parser.add_argument("--peers", default=",".join(PEERS))
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "peers.json")
    args = parser.parse_args(argv)
    gold = json.loads((args.data / "gold.json").read_text())
    page_type = {}
    for source in ("scrapinghub", "wcxb"):
        path = args.data / f"{source}.jsonl"
        if path.exists():
            with open(path) as fh:
                for line in fh:
                    rec = json.loads(line)
                    page_type[rec["id"]] = rec.get("meta", {}).get("page_type", "article")
    results: dict = {}
    for source in ("scrapinghub", "wcxb"):
        directory = getattr(args, source)
        if not directory or not any(i.startswith(source + "/") for i in gold):
            continue
        pages = [(f"{source}/{p.id}", p.html) for p in iter_pages(source, directory) if f"{source}/{p.id}" in gold]
        for name in args.peers.split(","):
            if not available(name):
                results.setdefault(name, {"missing": True})
                print(f"{name}: not installed (pip install 'boilerplate[peers]')", file=sys.stderr)
                continue
            run = run_peer(name, pages)
            entry = results.setdefault(name, {"published": False})
            entry[source] = score(source, run["texts"], gold, page_type, args.bootstrap)
            entry[source]["pages_per_s"] = len(pages) / run["seconds"]
            entry[source]["errors"] = run["errors"]
            print(f"{name:12} {source:11} F1 {entry[source]['all']['f1']:.4f}  {entry[source]['pages_per_s']:.1f} pages/s"
                  f"  ({run['errors']} errors)", file=sys.stderr, flush=True)
        if source == "scrapinghub":
            for name, texts in published_outputs(directory).items():
                texts = {f"scrapinghub/{k}": v for k, v in texts.items()}
                results[name] = {"published": True, source: score(source, texts, gold, page_type, args.bootstrap)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, sort_keys=True, default=float) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
