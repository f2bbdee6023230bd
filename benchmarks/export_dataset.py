"""Export the line-level dataset as Parquet and JSONL with a Hugging Face dataset card.

    python -m benchmarks.export_dataset --data data/ --out DIR [--test-share 0.2] [--seed 20261201]

Built locally from the user's copy of the corpus (``benchmarks.build_corpus``) and the seeds in
``fixtures/``; nothing is downloaded. Writes ``DIR/data/{train,test}.parquet``, the same rows as
``DIR/data/{train,test}.jsonl`` and ``DIR/README.md`` (the card, with its YAML header).

One row per non-blank line: ``doc_id``, ``line_index``, ``text``, ``label`` (the seven labels, or
``other``: a non-body line of an alignment-labeled page whose kind is unknown), ``source``,
``page_type``, ``language`` (``<html lang>``, two letters, ``""`` if undeclared), ``site``,
``provenance`` (``hand`` / ``alignment`` / ``seed``) and ``annotator``. Pages are split into train and test by
site with a fixed seed, so no site is in both.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

from boilerplate.eval.dataset import read_jsonl
from boilerplate.labels import GOLD_LABELS

from .common import ROOT, load_corpus

SEED = 20261201
COLUMNS = ("doc_id", "line_index", "text", "label", "source", "page_type", "language", "site", "provenance",
           "annotator", "split")
LICENCES = {"scrapinghub": "MIT (Zyte article-extraction-benchmark)",
            "wcxb": "CC-BY-4.0 (WCXB dev split, Foley 2026)",
            "postlight": "MIT OR Apache-2.0 (Postlight Parser test fixtures)",
            "seed": "the two seed documents, project fixtures (MIT)"}


def rows(docs: list, test_share: float, seed: int) -> list[dict]:
    sites = sorted({d.meta.get("site") or d.id for d in docs})
    random.Random(seed).shuffle(sites)
    test_sites = set(sites[:round(len(sites) * test_share)])
    out = []
    for d in docs:
        site = d.meta.get("site") or d.id
        source = d.meta.get("source") or "seed"
        provenance = "seed" if source == "seed" else ("hand" if d.meta.get("annotator") else "alignment")
        for i, (line, lab) in enumerate(zip(d.lines, d.labels)):
            if lab is None:
                continue
            out.append({"doc_id": d.id, "line_index": i, "text": line, "label": lab, "source": source,
                        "page_type": d.meta.get("page_type") or "article",
                        "language": str(d.meta.get("lang") or "")[:2], "site": site, "provenance": provenance,
                        "annotator": d.meta.get("annotator") or (
                            "alignment" if provenance == "alignment" else d.meta["provenance"].get("labeler", "")),
                        "split": "test" if site in test_sites else "train"})
    return out


def card(table: list[dict], seed: int, test_share: float) -> str:
    n = Counter(r["split"] for r in table)
    by_label = Counter(r["label"] for r in table)
    by_prov = Counter(r["provenance"] for r in table)
    by_source = Counter(r["source"] for r in table)
    docs = Counter((r["doc_id"], r["provenance"]) for r in table)
    labels = "\n".join(f"          '{i}': {lab}" for i, lab in enumerate(GOLD_LABELS))
    counts = "\n".join(f"| {lab} | {by_label.get(lab, 0):,} |" for lab in GOLD_LABELS)
    sources = "\n".join(f"| {s} | {by_source[s]:,} | {LICENCES.get(s, '?')} |" for s in sorted(by_source))
    pages = Counter(p for _, p in docs)
    # the hand-read lines by label: the same counts as the datasheet's and the paper's gold table
    # (both from results/agreement.json's hand_gold_counts, made from the same corpus)
    hand = Counter(r["label"] for r in table if r["provenance"] == "hand")
    hand_counts = ", ".join(f"{lab} {hand.get(lab, 0):,}" for lab in GOLD_LABELS if lab != "other")
    return f"""---
license: other
license_name: per-source
language:
- multilingual
task_categories:
- text-classification
pretty_name: boilerplate line labels
configs:
- config_name: default
  data_files:
  - split: train
    path: data/train.parquet
  - split: test
    path: data/test.parquet
dataset_info:
  features:
  - name: doc_id
    dtype: string
  - name: line_index
    dtype: int64
  - name: text
    dtype: string
  - name: label
    dtype:
      class_label:
        names:
{labels}
  - name: source
    dtype: string
  - name: page_type
    dtype: string
  - name: language
    dtype: string
  - name: site
    dtype: string
  - name: provenance
    dtype: string
  - name: annotator
    dtype: string
  - name: split
    dtype: string
  splits:
  - name: train
    num_examples: {n['train']}
  - name: test
    num_examples: {n['test']}
---

# boilerplate line labels

Every non-blank line of rendered web pages labeled as one of seven kinds: `body` (the article's
own text), `headline`, `metadata`, `appeal`, `ad`, `teaser`, `chrome`, or `other`. Built locally by
`python -m benchmarks.export_dataset` from the user's copies of the sources; see the project's
`docs/datasheet.md` and `docs/annotation-guidelines.md`.

- **`other`**: a non-body line of an *alignment-labeled* page. Those pages were labeled by aligning
  the rendered lines with the benchmark's human gold article text: a line is `body` when most of
  its words are in the gold, `headline` when it matches the page title, and `other` otherwise;
  its kind (chrome, teaser, ...) is unknown. Use `other` as "not body" in a binary task and leave
  it out of fine-grained training or scoring.
- **Provenance**: `hand` (every line read by an annotator, {pages['hand']} pages), `alignment`
  ({pages['alignment']} pages), `seed` (the project's two seed documents, {pages['seed']} pages).
  Lines: {', '.join(f'{k} {v:,}' for k, v in by_prov.most_common())}. Hand-read lines by label:
  {hand_counts}.
- **Split**: by site with seed {seed}, {test_share:.0%} of the sites in `test`; no site is in both
  splits. Train {n['train']:,} lines, test {n['test']:,}.

| label | lines |
|---|---:|
{counts}

| source | lines | licence |
|---|---:|---|
{sources}

Attribute WCXB (CC-BY-4.0) wherever it is used. The page texts are the sources' own; the labels
are the project's.

## Citation

```bibtex
@software{{boilerplate_lines,
  title = {{boilerplate: line-level boilerplate detection, with a labeled line dataset}},
  year = {{2026}},
  note = {{Dataset exported with benchmarks.export_dataset}}
}}
@misc{{foley2026wcxb, title = {{WCXB: A Multi-Type Web Content Extraction Benchmark}}, author = {{Murrough Foley}},
  year = {{2026}}, eprint = {{2605.21097}}, archivePrefix = {{arXiv}}}}
```
"""


def export(data: Path, out: Path, test_share: float = 0.2, seed: int = SEED) -> dict:
    import pandas as pd

    docs = load_corpus(data) + list(read_jsonl(ROOT / "fixtures" / "seeds.jsonl"))
    table = rows(docs, test_share, seed)
    (out / "data").mkdir(parents=True, exist_ok=True)
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = pd.DataFrame(table, columns=list(COLUMNS))
    # Parquet holds the label as its ClassLabel index, with the Hugging Face feature types in the
    # schema metadata (what `datasets` reads back); JSONL holds the label name.
    hf = {"info": {"features": {c: ({"names": list(GOLD_LABELS), "_type": "ClassLabel"} if c == "label" else
                                    {"dtype": "int64" if c == "line_index" else "string", "_type": "Value"})
                                for c in COLUMNS}}}
    for split in ("train", "test"):
        part = frame[frame["split"] == split].reset_index(drop=True)
        ids = part.assign(label=part["label"].map({lab: i for i, lab in enumerate(GOLD_LABELS)}).astype("int64"))
        arrow = pa.Table.from_pandas(ids, preserve_index=False)
        arrow = arrow.replace_schema_metadata({**(arrow.schema.metadata or {}), b"huggingface": json.dumps(hf)})
        pq.write_table(arrow, out / "data" / f"{split}.parquet")
        with open(out / "data" / f"{split}.jsonl", "w", encoding="utf-8") as fh:
            for rec in part.to_dict(orient="records"):
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    (out / "README.md").write_text(card(table, seed, test_share), encoding="utf-8")
    return {"lines": len(table), "train": int((frame["split"] == "train").sum()),
            "test": int((frame["split"] == "test").sum()), "documents": len({r['doc_id'] for r in table})}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--test-share", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    if not 0 < args.test_share < 1:
        parser.error("--test-share must be between 0 and 1")
    try:
        import pandas  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError:
        parser.error("the export needs pandas and pyarrow: pip install -e '.[dataset]'")
    print(json.dumps(export(args.data, args.out, args.test_share, args.seed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
