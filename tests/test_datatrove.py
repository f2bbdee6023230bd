"""The datatrove steps end to end, on datatrove's own local executor with 2 worker processes."""

from __future__ import annotations

import gzip
import itertools
import json

import pytest

import boilerplate
from boilerplate.eval.corpora import iter_pages
from boilerplate.eval.record_files import rendered_texts, write_text_jsonl, write_warc

from .conftest import shared_data

pytest.importorskip("datatrove")
from datatrove.executor import LocalPipelineExecutor  # noqa: E402
from datatrove.pipeline.readers import JsonlReader  # noqa: E402
from datatrove.pipeline.writers import JsonlWriter  # noqa: E402

from boilerplate.streaming.datatrove import BoilerplateCleaner, BoilerplateWarcReader  # noqa: E402

SH = shared_data("scrapinghub", "BOILERPLATE_SCRAPINGHUB")
pytestmark = pytest.mark.skipif(not (SH / "html").is_dir(), reason="Scrapinghub pages not found")


@pytest.fixture(scope="module")
def pages():
    # The 8 smallest of the first 40 pages keep the test fast.
    return sorted(itertools.islice(iter_pages("scrapinghub", SH), 40), key=lambda p: len(p.html))[:8]


def _outputs(folder) -> list[dict]:
    rows = []
    for path in sorted(folder.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            rows += [json.loads(line) for line in fh]
    return rows


def _run(pipeline, tmp_path) -> None:
    LocalPipelineExecutor(pipeline=pipeline, tasks=2, workers=2, logging_dir=str(tmp_path / "logs")).run()


def test_warc_through_datatrove_matches_clean_html(tmp_path, pages):
    (tmp_path / "in").mkdir()
    write_warc(tmp_path / "in" / "a.warc.gz", pages[:4])
    write_warc(tmp_path / "in" / "b.warc", pages[4:])
    _run([BoilerplateWarcReader(str(tmp_path / "in")), BoilerplateCleaner(labels_key="line_labels"),
          JsonlWriter(str(tmp_path / "out"))], tmp_path)
    rows = _outputs(tmp_path / "out")
    expected = {p.url: boilerplate.clean_html(p.html) for p in pages}
    assert len(rows) == len(pages)
    assert {r["metadata"]["url"]: r["text"] for r in rows} == expected
    assert all(r["metadata"]["line_labels"] for r in rows)
    stats = json.loads((tmp_path / "logs" / "stats.json").read_text())
    cleaner = next(s for s in stats if s["name"].endswith("🧹 boilerplate"))
    assert cleaner["stats"]["forwarded"] == len(pages)


def test_jsonl_through_datatrove_matches_clean(tmp_path, pages):
    texts = rendered_texts(pages)
    (tmp_path / "in").mkdir()
    write_text_jsonl(tmp_path / "in" / "a.jsonl", texts[:4])
    write_text_jsonl(tmp_path / "in" / "b.jsonl", texts[4:])
    _run([JsonlReader(str(tmp_path / "in")), BoilerplateCleaner(kind="text"), JsonlWriter(str(tmp_path / "out"))],
         tmp_path)
    rows = _outputs(tmp_path / "out")
    expected = {url: boilerplate.clean(text) for url, text in texts}
    assert len(rows) == sum(1 for v in expected.values() if v)  # documents left empty are dropped
    assert {r["metadata"]["url"]: r["text"] for r in rows} == {u: t for u, t in expected.items() if t}


def test_cleaner_rejects_bad_arguments():
    with pytest.raises(ValueError, match="kind"):
        BoilerplateCleaner(kind="pdf")
    with pytest.raises(ValueError):
        BoilerplateCleaner(keep=("nonsense",))


def test_warc_reader_decodes_with_the_response_charset(tmp_path):
    # the HTTP header is right, the page's <meta> wrong: the reader takes the header, as the CLI does
    from boilerplate.streaming.records import warc_record

    html = '<html><head><meta charset="iso-8859-1"></head><body><p>Привет, мир</p></body></html>'
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.warc").write_bytes(warc_record("response", "https://r.example/1", html.encode("cp1251"),
                                                         content_type="text/html; charset=windows-1251"))
    (doc,) = list(BoilerplateWarcReader(str(tmp_path / "in")).read_file("a.warc"))
    assert doc.text == html
