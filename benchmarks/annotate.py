"""Hand-annotation workflow for the fine-grained gold (stand-off, no page text committed).

    python -m benchmarks.annotate select --data data/            # fixed-seed page choice -> fixtures/annotations/selection.json
    python -m benchmarks.annotate export --data data/ --out DIR [--no-suggestions] [--pages ID,...]
    python -m benchmarks.annotate import --data data/ --labels DIR --annotator NAME --out FILE.jsonl

``export`` writes one ``<page>.tsv`` per page (line index, alignment suggestion, text) for an
annotator to read; the annotator writes ``<page>.labels`` (``index<TAB>label`` for every line).
``import`` checks those files line by line against the rendered pages and writes stand-off
records (page id, line index, line hash, label). No detector or pattern is run over the text:
the only suggestion shown is the alignment's body/headline/other, which the annotator overrides.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from boilerplate.dataset import read_jsonl, to_standoff, write_standoff
from boilerplate.document import Document
from boilerplate.labels import LABELS

ROOT = Path(__file__).resolve().parents[1]
SELECTION = ROOT / "fixtures" / "annotations" / "selection.json"
SEED = 20261123
N_SCRAPINGHUB, N_WCXB_ARTICLE = 25, 15
SECOND_PASS = 8


def select(data: Path) -> dict:
    """25 Scrapinghub pages and 15 WCXB article pages, at most one per site, seed SEED."""
    rng = random.Random(SEED)
    chosen, sites = [], set()
    for source, n, ptype in (("scrapinghub", N_SCRAPINGHUB, None), ("wcxb", N_WCXB_ARTICLE, "article")):
        docs = [d for d in read_jsonl(data / f"{source}.jsonl")
                if (ptype is None or d.meta["page_type"] == ptype) and len(d.lines) > 0]
        docs.sort(key=lambda d: d.id)
        rng.shuffle(docs)
        picked = 0
        for d in docs:
            if picked == n:
                break
            if d.meta["site"] in sites or len(d.lines) > 600:  # very long pages are left out (said in the datasheet)
                continue
            sites.add(d.meta["site"])
            chosen.append(d.id)
            picked += 1
    second = sorted(random.Random(SEED + 1).sample(sorted(chosen), SECOND_PASS))
    return {"seed": SEED, "pages": chosen, "second_pass": second,
            "rule": "random order with the seed; at most one page per site; pages over 600 lines skipped"}


def _docs(data: Path, ids: set[str]) -> dict[str, Document]:
    out = {}
    for source in ("scrapinghub", "wcxb"):
        for d in read_jsonl(data / f"{source}.jsonl"):
            if d.id in ids:
                out[d.id] = d
    return out


def export(data: Path, out: Path, ids: list[str], suggestions: bool) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for pid, doc in _docs(data, set(ids)).items():
        with open(out / (pid.replace("/", "_") + ".tsv"), "w", encoding="utf-8") as fh:
            fh.write(f"# page {pid}  url {doc.meta.get('url')}\n")
            for i, line in enumerate(doc.lines):
                hint = (doc.labels[i] or "") if suggestions else ""
                fh.write(f"{i}\t{hint}\t{line}\n")


def import_labels(data: Path, labels_dir: Path, annotator: str, out: Path, ids: list[str]) -> int:
    docs = _docs(data, set(ids))
    records = []
    for pid in ids:
        path = labels_dir / (pid.replace("/", "_") + ".labels")
        if not path.exists():
            print(f"missing: {path}", file=sys.stderr)
            continue
        doc = docs[pid]
        labels: list[str | None] = [None] * len(doc.lines)
        for lineno, row in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not row.strip() or row.startswith("#"):
                continue
            index, label = row.split("\t")[:2]
            label = label.strip()
            if label not in LABELS:
                raise SystemExit(f"{path}:{lineno}: unknown label {label!r}")
            labels[int(index)] = label
        missing = [i for i, lab in enumerate(labels) if lab is None and doc.lines[i].strip()]
        if missing:
            raise SystemExit(f"{path}: {len(missing)} lines unlabeled, first {missing[:5]}")
        records.append(to_standoff(Document(lines=doc.lines, id=pid, labels=labels), annotator))
    write_standoff(records, out)
    return len(records)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("select", "export", "import"))
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--labels", type=Path)
    parser.add_argument("--annotator", default="")
    parser.add_argument("--pages", default="", help="comma-separated ids (default: the selection)")
    parser.add_argument("--no-suggestions", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "select":
        SELECTION.write_text(json.dumps(select(args.data), indent=1) + "\n")
        print(SELECTION.read_text())
        return 0
    ids = args.pages.split(",") if args.pages else json.loads(SELECTION.read_text())["pages"]
    if args.command == "export":
        export(args.data, args.out, ids, not args.no_suggestions)
    else:
        print(import_labels(args.data, args.labels, args.annotator, args.out, ids), "pages imported")
    return 0


if __name__ == "__main__":
    sys.exit(main())
