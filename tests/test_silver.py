"""Silver kinds from markup, the landmark cue they read, and the dataset export."""

import json

import pytest

from boilerplate.detectors.learned.silver import silver_kind, silver_kinds
from boilerplate.document import Document
from boilerplate.eval.dataset import write_jsonl
from boilerplate.html import render


def test_landmark_cue_holds_regions_nearest_first():
    doc = render(b"<html lang='de'><body><header role='banner'><nav><ul><li>Home</li></ul></nav></header>"
                 b"<article><p itemprop='author'>Jane</p><p>Text.</p></article><footer>(c)</footer></body></html>")
    marks = dict(zip(doc.lines, doc.cues["landmark"]))
    assert marks["Home"].split() == ["nav", "header", "role=banner"]
    assert marks["Jane"].split() == ["itemprop=author", "article"]
    assert marks["Text."] == "article" and marks["(c)"] == "footer"
    assert doc.meta["lang"] == "de"


def test_mapping_each_kind_from_each_kind_of_evidence():
    assert silver_kind("ad-slot", "") == "ad"
    assert silver_kind("newsletter-signup", "") == "appeal"  # "signup" word
    assert silver_kind("relatedPosts", "") == "teaser"  # camel case split
    assert silver_kind("more-stories", "") == "teaser"  # phrase
    assert silver_kind("post-byline", "") == "metadata"
    assert silver_kind("breadcrumbs", "") == "chrome"
    assert silver_kind("", "role=navigation") == "chrome"
    assert silver_kind("", "itemprop=datepublished") == "metadata"
    assert silver_kind("", "aside") == "teaser"
    assert silver_kind("", "footer") == "chrome"


def test_header_inside_article_is_no_evidence_and_words_are_whole():
    assert silver_kind("", "header article") is None  # the article's own header
    assert silver_kind("", "header") == "chrome"  # the page banner
    assert silver_kind("shadow loader", "") is None  # "ad" only as a whole word
    assert silver_kind("entry-content", "article main") is None
    assert silver_kind("share", "aside") == "chrome"  # class/id evidence comes first


def test_silver_kinds_per_line_blank_and_text_documents():
    doc = render(b"<nav><p>Home</p></nav><div class='related-posts'><p>Other</p></div><p>Body</p>")
    assert silver_kinds(doc) == ["chrome", "teaser", None]
    assert silver_kinds(Document.from_text("a\n\nb")) == [None, None, None]


def _corpus(tmp_path):
    tmp_path.mkdir(parents=True)
    docs = []
    for i, site in enumerate(("a.com", "b.com", "c.com", "d.com", "e.com")):
        doc = render(f"<html lang='fr'><nav><p>Menu {i}</p></nav><p>Body {i}</p></html>".encode(), id=f"wcxb/{i}")
        doc.labels = ["chrome", "body"] if i < 2 else ["other", "body"]
        doc.meta.update(source="wcxb", site=site, page_type="article", annotator="A" if i < 2 else None)
        docs.append(doc)
    write_jsonl(docs, tmp_path / "wcxb.jsonl")
    return tmp_path


def test_export_parquet_jsonl_card_split_by_site(tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    from benchmarks.export_dataset import export

    data = _corpus(tmp_path / "data")
    out = tmp_path / "out"
    summary = export(data, out, test_share=0.4, seed=1)
    train = pd.read_parquet(out / "data" / "train.parquet")
    test = pd.read_parquet(out / "data" / "test.parquet")
    both = pd.concat([train, test])
    from boilerplate.eval.dataset import read_jsonl
    from tests.conftest import FIXTURES

    seed_lines = sum(lab is not None for d in read_jsonl(FIXTURES / "seeds.jsonl") for lab in d.labels)
    assert summary["lines"] == len(both) == 10 + seed_lines  # one row per labeled line, corpus and seeds
    jsonl_rows = sum(1 for split in ("train", "test") for _ in open(out / "data" / f"{split}.jsonl"))
    assert jsonl_rows == len(both)
    assert not set(train["site"]) & set(test["site"])  # no site in both splits
    corpus_rows = both[both["source"] == "wcxb"]
    assert len(corpus_rows) == 10
    assert set(corpus_rows["provenance"]) == {"hand", "alignment"}
    assert set(both[both["source"] == "seed"]["provenance"]) == {"seed"}
    assert (corpus_rows["language"] == "fr").all()
    first = json.loads(open(out / "data" / "train.jsonl").readline())
    assert first["label"] in ("body", "headline", "metadata", "appeal", "ad", "teaser", "chrome", "other")
    card = (out / "README.md").read_text()
    assert card.startswith("---\n") and "class_label" in card and "other" in card and "CC-BY-4.0" in card
    # the hand-read counts the datasheet's gold table also gives: two hand pages of chrome + body
    assert "Hand-read lines by label:\n  body 2, headline 0, metadata 0, appeal 0, ad 0, teaser 0, chrome 2." in card


def test_export_loads_with_datasets(tmp_path):
    pytest.importorskip("pyarrow")
    datasets = pytest.importorskip("datasets")
    from benchmarks.export_dataset import export

    out = tmp_path / "out"
    export(_corpus(tmp_path / "data"), out, test_share=0.4, seed=1)
    ds = datasets.load_dataset("parquet", data_files={"train": str(out / "data" / "train.parquet"),
                                                      "test": str(out / "data" / "test.parquet")},
                               cache_dir=str(tmp_path / "cache"))
    label = ds["train"].features["label"]
    assert label.names[-1] == "other" and len(label.names) == 8
    assert {label.int2str(x) for x in ds["train"]["label"]} <= set(label.names)
