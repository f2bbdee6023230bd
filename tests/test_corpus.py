"""The corpus pipeline on the real benchmark pages (skipped where the corpora are absent)."""

import json

import pytest

from boilerplate.eval.corpora import iter_postlight, iter_scrapinghub, iter_wcxb, page_document, site_of
from boilerplate.eval.dataset import join_standoff, read_standoff

from .conftest import FIXTURES, shared_data

SH = shared_data("scrapinghub", "BOILERPLATE_SCRAPINGHUB")
WCXB = shared_data("wcxb-dev", "BOILERPLATE_WCXB")
POSTLIGHT = shared_data("postlight", "BOILERPLATE_POSTLIGHT")
needs_data = pytest.mark.skipif(not (SH / "html").is_dir() or not (WCXB / "html").is_dir(),
                                reason="benchmark corpora not found (set BOILERPLATE_SCRAPINGHUB / BOILERPLATE_WCXB)")


def test_site_of():
    assert site_of("https://www.bbc.co.uk/news/x") == "bbc.co.uk"
    assert site_of("https://edition.cnn.com/a") == "cnn.com"
    assert site_of("") == ""


@needs_data
@pytest.mark.slow  # ~50 s on 2 cores: renders every hand-read page (run by .ci/run, -m slow)
def test_hand_annotations_join_with_the_current_renderer():
    """Every stand-off annotation still matches the rendered lines: a renderer change that moves
    or alters an annotated line fails here, before it silently corrupts the gold."""
    annotations = {}
    for path in sorted((FIXTURES / "annotations").glob("**/*.jsonl")):
        for pid, rec in read_standoff(path).items():
            annotations.setdefault(pid, []).append(rec)
    wanted = set(annotations)
    seen = 0
    pools = [iter_scrapinghub(SH), iter_wcxb(WCXB)]
    if (POSTLIGHT / "html").is_dir():
        pools.append(iter_postlight(POSTLIGHT))
    else:  # without the postlight pool its pages cannot be joined
        wanted = {p for p in wanted if not p.startswith("postlight/")}
    for it in pools:
        for page in it:
            pid = f"{page.source}/{page.id}"
            if pid not in wanted:
                continue
            doc = page_document(page)
            for rec in annotations[pid]:
                joined = join_standoff(doc, rec)
                assert len(joined.labels) == len(doc.lines)
            seen += 1
    selection = json.loads((FIXTURES / "annotations" / "selection.json").read_text())
    assert seen == len(wanted)
    assert set(selection["pages"]) <= wanted  # round 1 (40 pages) is all there
    rounds = set().union(*(pages for key, pages in selection.items() if key.startswith("pages")))
    assert wanted <= rounds  # nothing else


@needs_data
def test_alignment_is_deterministic_and_labels_every_line():
    pages = [p for _, p in zip(range(5), iter_scrapinghub(SH))]
    a = [page_document(p) for p in pages]
    b = [page_document(p) for p in pages]
    for x, y in zip(a, b):
        assert x.lines == y.lines and x.labels == y.labels
        assert all((lab is None) == (not line.strip()) for line, lab in zip(x.lines, x.labels))
        assert "body" in x.labels
    json.dumps([x.meta for x in a])  # provenance is plain JSON


def test_agreement_reads_the_round_from_the_file_name():
    from pathlib import Path

    from benchmarks.agreement import _round

    assert [_round(Path(f"fixtures/annotations/{name}.jsonl"))
            for name in ("pages-fine", "pages-fine-r2", "second-pass-r3", "pages-fine-r4", "second-pass")] == [1, 2, 3, 4, 1]
