"""Build the aligned line-level corpus from the Scrapinghub and WCXB benchmark pages.

    python -m benchmarks.build_corpus --scrapinghub DIR --wcxb DIR --out data/ [--workers N]

Renders every page (boilerplate.html), labels its lines by alignment with the human gold text
(boilerplate.eval.align), joins the hand annotations in fixtures/annotations/ (stand-off; a renderer
drift fails loudly), writes ``OUT/<source>.jsonl`` in the dataset format (and ``OUT/gold.json``, the gold text for scoring) and prints a datasheet
summary with the alignment oracle's score per source and page type (the oracle keeps exactly the
lines labeled body and is scored with the source's own metric). Same input, same bytes out.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from multiprocessing import Pool
from pathlib import Path

import numpy as np

from boilerplate.document import Document
from boilerplate.eval.corpora import Page, iter_pages, page_document
from boilerplate.eval.dataset import join_standoff, read_standoff, write_jsonl
from boilerplate.eval.metrics import score_scrapinghub, score_wcxb
from boilerplate.labels import GOLD_LABELS

ROOT = Path(__file__).resolve().parents[1]
ANNOTATIONS = ROOT / "fixtures" / "annotations"


def _build(page: Page) -> tuple[Document, dict]:
    doc = page_document(page)
    doc.id = f"{page.source}/{page.id}"
    extra = {"gold": page.gold, "with": page.snippets_with, "without": page.snippets_without}
    return doc, extra


def load_annotations(directory: Path = ANNOTATIONS) -> dict[str, dict]:
    """All stand-off hand annotations, keyed by document id (first pass files only)."""
    out: dict[str, dict] = {}
    for path in sorted(directory.glob("pages-fine*.jsonl")) if directory.is_dir() else []:
        out.update(read_standoff(path))
    return out


def oracle_scores(docs: list[Document], extras: list[dict], source: str) -> dict:
    """Score the alignment labels as an extractor (keep the body lines) with the source's metric."""
    pred = {d.id: "\n".join(t for t, lab in zip(d.lines, d.labels) if lab == "body") for d in docs}
    gold = {d.id: e["gold"] for d, e in zip(docs, extras)}
    if source == "scrapinghub":
        return {"all": score_scrapinghub(gold, pred, n_boot=0)}
    out = {"all": score_wcxb(gold, pred, {d.id: e["with"] for d, e in zip(docs, extras)},
                             {d.id: e["without"] for d, e in zip(docs, extras)}, n_boot=0)}
    for ptype in sorted({d.meta["page_type"] for d in docs}):
        ids = [d.id for d in docs if d.meta["page_type"] == ptype]
        out[ptype] = score_wcxb({i: gold[i] for i in ids}, {i: pred[i] for i in ids}, n_boot=0)
    return out


def datasheet(docs: list[Document], oracle: dict, source: str) -> dict:
    counts = Counter(lab for d in docs for lab in (d.labels or ()) if lab)
    tokens = sum(len(line.split()) for d in docs for line in d.lines)
    return {
        "source": source, "pages": len(docs), "lines": sum(len(d.lines) for d in docs),
        "labeled_lines": sum(counts.values()), "tokens": tokens,
        "label_counts": {lab: counts.get(lab, 0) for lab in GOLD_LABELS},
        "hand_annotated_pages": sum(d.meta.get("annotator") is not None for d in docs),
        "sites": len({d.meta["site"] for d in docs}),
        "page_types": dict(sorted(Counter(d.meta["page_type"] for d in docs).items())),
        "oracle_f1": {k: round(v["f1"], 4) for k, v in oracle.items()},
        "oracle_precision": {k: round(v["precision"], 4) for k, v in oracle.items()},
        "oracle_recall": {k: round(v["recall"], 4) for k, v in oracle.items()},
        "mean_gold_covered": round(float(np.mean([d.meta.get("gold_covered", np.nan) for d in docs])), 4),
    }


def build(source: str, directory: str, out: Path, workers: int, annotations: dict, gold: dict,
          limit: int | None = None) -> dict:
    t0 = time.perf_counter()
    pages = iter_pages(source, directory)
    if limit is not None:  # a subset (quick runs): hand-annotated pages first, then the others in order
        every = list(pages)
        hand = [p for p in every if f"{source}/{p.id}" in annotations]
        pages = (hand + [p for p in every if f"{source}/{p.id}" not in annotations])[:limit]
    docs, extras = [], []
    fixes = {"body_to_not": 0, "not_to_body": 0, "lines": 0}  # alignment errors the hand pass corrected
    with Pool(workers) as pool:
        for i, (doc, extra) in enumerate(pool.imap(_build, pages, chunksize=4), start=1):
            if doc.id in annotations:
                aligned = doc.labels
                doc = join_standoff(doc, annotations[doc.id])
                if aligned is not None:  # postlight pages have no alignment to correct
                    fixes["body_to_not"] += sum(a == "body" and h != "body" for a, h in zip(aligned, doc.labels))
                    fixes["not_to_body"] += sum(a != "body" and h == "body" for a, h in zip(aligned, doc.labels))
                    fixes["lines"] += sum(h is not None for h in doc.labels)
                doc.meta["provenance"] = {"labeler": doc.meta["annotator"], "method": "hand: every line read, "
                                          "body/headline checked against the alignment (docs/datasheet.md)"}
            docs.append(doc)
            extras.append(extra)
            if extra["gold"] is not None:
                gold[doc.id] = extra
            if sys.stderr.isatty():
                print(f"\r{source}: {i} pages", end="", file=sys.stderr, flush=True)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    write_jsonl(docs, out / f"{source}.jsonl")
    aligned = [(d, e) for d, e in zip(docs, extras) if e["gold"] is not None]  # postlight has no gold text
    oracle = oracle_scores([d for d, _ in aligned], [e for _, e in aligned], source) if aligned else {}
    sheet = datasheet(docs, oracle, source)
    sheet["seconds"] = round(time.perf_counter() - t0, 1)
    sheet["alignment_errors_fixed_by_hand"] = fixes
    return sheet


def run(*, scrapinghub: str | None = None, wcxb: str | None = None, postlight: str | None = None,
        out: Path = Path("data"), alignment_only: bool = False, workers: int = os.cpu_count() or 1,
        limit: int | None = None) -> int:
    """The step itself, with the command line's options as keyword arguments."""
    if not (scrapinghub or wcxb or postlight):
        raise SystemExit("build_corpus: give --scrapinghub, --wcxb and/or --postlight (or set "
                         "BOILERPLATE_SCRAPINGHUB / BOILERPLATE_WCXB / BOILERPLATE_POSTLIGHT)")
    out.mkdir(parents=True, exist_ok=True)
    annotations = {} if alignment_only else load_annotations()
    sheets: list[dict] = []
    gold: dict[str, dict] = {}  # gold text and snippets per page, for scoring detectors later
    for source in ("scrapinghub", "wcxb", "postlight"):
        directory = {"scrapinghub": scrapinghub, "wcxb": wcxb, "postlight": postlight}[source]
        if directory:
            sheets.append(build(source, directory, out, workers, annotations, gold, limit))
    (out / "gold.json").write_text(json.dumps(gold, ensure_ascii=False, sort_keys=True) + "\n")
    (out / "datasheet.json").write_text(json.dumps(sheets, indent=1, sort_keys=True) + "\n")
    for s in sheets:
        print(f"== {s['source']}: {s['pages']} pages ({s['sites']} sites), {s['lines']} lines, "
              f"{s['labeled_lines']} labeled, {s['tokens']} tokens, {s['seconds']} s")
        print("   labels: " + ", ".join(f"{k} {v}" for k, v in s["label_counts"].items()))
        fx = s["alignment_errors_fixed_by_hand"]
        print(f"   alignment errors fixed by hand: body->not {fx['body_to_not']}, not->body {fx['not_to_body']} "
              f"of {fx['lines']} hand-labeled lines")
        print(f"   hand-annotated pages: {s['hand_annotated_pages']}; gold tokens covered by some line: "
              f"{s['mean_gold_covered']:.4f}")
        for k in s["oracle_f1"]:
            print(f"   oracle {k:14} P {s['oracle_precision'][k]:.4f}  R {s['oracle_recall'][k]:.4f}  "
                  f"F1 {s['oracle_f1'][k]:.4f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scrapinghub", default=os.environ.get("BOILERPLATE_SCRAPINGHUB"))
    parser.add_argument("--wcxb", default=os.environ.get("BOILERPLATE_WCXB"))
    parser.add_argument("--postlight", default=os.environ.get("BOILERPLATE_POSTLIGHT"),
                        help="the Postlight pool (no gold text: hand-annotated pages only are labeled)")
    parser.add_argument("--out", default="data", type=Path)
    parser.add_argument("--alignment-only", action="store_true",
                        help="do not join the hand annotations (to measure the alignment oracle alone)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--limit", type=int, default=None, help="pages per corpus (quick runs)")
    args = parser.parse_args(argv)
    return run(**vars(args))


if __name__ == "__main__":
    sys.exit(main())
