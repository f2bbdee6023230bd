"""Issue 18: the CLI as a user meets it: --model, thresholds, compressed pages, output formats,
directories and stdin, label columns and --explain, missing dependencies."""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import threading

import pytest

import boilerplate
from boilerplate import api, formats
from boilerplate.cli import PRECISION_THRESHOLD, main
from boilerplate.detectors.learned import SHIPPED
from boilerplate.streaming.records import warc_record

from .conftest import FIXTURES, ROOT

SEED = FIXTURES / "seeds" / "000_a1dbe0679a729252.txt"
STORY = ("The council voted on Tuesday to expand the city's bus network, adding four routes that will "
         "serve the northern suburbs from next spring.")
PAGE = ("<html lang='en'><head><title>Buses</title><meta property='article:published_time' "
        "content='2026-03-01'></head><body><nav><a href=/>Home</a> <a href=/news>News</a></nav><article>"
        f"<h1>Council expands bus network</h1><h2>Four new routes</h2><p>{STORY}</p><ul><li>Officials said the "
        "plan would cost twelve million pounds over five years, paid from the transport budget.</li><li>The "
        "first buses run in March, the council said, and tickets cost the same as on other routes.</li></ul>"
        "<table><tr><th>Route</th><th>From</th></tr><tr><td>The first new route runs from the station to the "
        "hospital every ten minutes during the day.</td><td>The station, every ten minutes all day long.</td>"
        "</tr></table></article><footer>Copyright 2026 The Gazette</footer></body></html>")
ENV = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.startswith("boilerplate: error: ") and err.count("\n") == 1, err
    return err


def _out(argv, capsys) -> str:
    assert main(argv) == 0, argv
    return capsys.readouterr().out


@pytest.fixture
def page(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    return path


# --- 1. --model ---------------------------------------------------------------------------------

def test_model_file_on_clean_and_label(capsys, tmp_path):
    model = str(SHIPPED["learned-text"])
    assert _out(["clean", str(SEED), "--model", model], capsys) == _out(["clean", str(SEED)], capsys)
    assert _out(["label", str(SEED), "--model", model], capsys) == _out(["label", str(SEED)], capsys)
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a model")
    for argv in (["clean", str(SEED), "--model", str(bad)], ["label", str(SEED), "--model", str(tmp_path / "no.npz")],
                 ["clean", str(SEED), "--model", model, "--detector", "rules"], ["clean", str(SEED), "--model", str(tmp_path)]):
        assert main(argv) == 2, argv
        _one_error_line(capsys)


# --- 5. --threshold, --precision, --recall -----------------------------------------------------

def _body_lines(argv, capsys) -> int:
    return sum(row.split("\t")[1] == "body" for row in _out(argv, capsys).splitlines())


def test_threshold_precision_and_recall(capsys, tmp_path):
    low = _body_lines(["label", str(SEED), "--threshold", "0.05"], capsys)
    high = _body_lines(["label", str(SEED), "--threshold", "0.95"], capsys)
    assert low > high
    assert _body_lines(["label", str(SEED), "--recall"], capsys) >= _body_lines(["label", str(SEED)], capsys) \
        >= _body_lines(["label", str(SEED), "--precision"], capsys)
    assert _out(["label", str(SEED), "--precision"], capsys) == \
        _out(["label", str(SEED), "--threshold", str(PRECISION_THRESHOLD)], capsys)
    assert _out(["label", str(SEED), "--threshold", "0.95", "--model", str(SHIPPED["learned-text"])], capsys) == \
        _out(["label", str(SEED), "--threshold", "0.95"], capsys)
    # record files take it too (the pool's config)
    records = tmp_path / "r.jsonl"
    records.write_text(json.dumps({"text": SEED.read_text(encoding="utf-8")}) + "\n", encoding="utf-8")
    kept = [json.loads(_out(["clean", str(records), "--threshold", t, "-q"], capsys))["clean_text"].count("\n")
            for t in ("0.05", "0.95")]
    assert kept[0] > kept[1]
    for argv in (["label", str(SEED), "--detector", "rules", "--threshold", "0.5"],
                 ["label", str(SEED), "--threshold", "1.5"], ["label", str(SEED), "--precision", "--recall"],
                 ["clean", str(records), "--detector", "c4", "--recall"]):
        assert main(argv) == 2, argv
        _one_error_line(capsys)


# --- 3. compressed single pages ---------------------------------------------------------------

def test_gzipped_and_zstd_pages_are_decompressed(capsys, tmp_path, page):
    text = tmp_path / "seed.txt.gz"
    text.write_bytes(gzip.compress(SEED.read_bytes()))
    assert _out(["clean", str(text)], capsys) == _out(["clean", str(SEED)], capsys)
    html = tmp_path / "page.html.gz"
    html.write_bytes(gzip.compress(page.read_bytes()))
    assert _out(["label", str(html)], capsys) == _out(["label", str(page)], capsys)  # the inner name: HTML
    zstandard = pytest.importorskip("zstandard")
    zst = tmp_path / "page.html.zst"
    zst.write_bytes(zstandard.ZstdCompressor().compress(page.read_bytes()))
    assert _out(["clean", str(zst)], capsys) == _out(["clean", str(page)], capsys)
    cut = tmp_path / "cut.txt.gz"
    cut.write_bytes(text.read_bytes()[:-20])
    for argv in (["clean", str(cut)], ["clean", str(text), "--max-record-bytes", "100"]):
        assert main(argv) == 2, argv
        _one_error_line(capsys)


# --- 2. a missing dependency: one line, not N skips ------------------------------------------

def test_missing_dependency_aborts_once(capsys, tmp_path, monkeypatch):
    from boilerplate.detectors.baselines import JusTextLines

    def missing(self, doc):
        raise ModuleNotFoundError("No module named 'lxml_html_clean'", name="lxml_html_clean")

    monkeypatch.setattr(JusTextLines, "predict_proba", missing)
    records = tmp_path / "r.jsonl"
    records.write_text("".join(json.dumps({"text": STORY}) + "\n" for _ in range(5)), encoding="utf-8")
    assert main(["clean", str(records), "--detector", "justext", "--workers", "1", "-o", str(tmp_path / "o.jsonl")]) == 2
    err = _one_error_line(capsys)
    assert "lxml_html_clean" in err and "skipped" not in err and not (tmp_path / "o.jsonl").exists()
    monkeypatch.setitem(sys.modules, "zstandard", None)  # import fails
    zst = tmp_path / "r.jsonl.zst"
    zst.write_bytes(b"\x28\xb5\x2f\xfd" + b"\0" * 16)
    assert main(["clean", str(zst)]) == 2
    assert "boilerplate-lines[io]" in _one_error_line(capsys)


# --- 7. output formats -----------------------------------------------------------------------

def test_clean_jsonl_has_text_lines_and_page_metadata(capsys, page):
    (obj,) = [json.loads(line) for line in _out(["clean", str(page), "--format", "jsonl"], capsys).splitlines()]
    assert list(obj) == ["file", "title", "lang", "date", "text", "lines"]
    assert (obj["file"], obj["title"], obj["lang"], obj["date"]) == (str(page), "Buses", "en", "2026-03-01")
    assert obj["text"] == boilerplate.clean_html(PAGE)
    labeled = boilerplate.label_html(PAGE)
    assert [(r["line"], r["label"], r["text"]) for r in obj["lines"]] == \
        [(i + 1, x.label, x.text) for i, x in enumerate(labeled)]
    assert set(obj["lines"][0]) == {"line", "label", "score", "p_body", "tag", "text"}


def test_markdown_keeps_headings_lists_and_tables():
    doc = api.to_document(PAGE, html=True)
    labeled = api.label_document(doc)
    everything = [api.LabeledLine(x.text, "body", 1.0, 1.0) for x in labeled]
    md = formats.to_markdown(doc, everything)
    assert "# Council expands bus network\n\n## Four new routes\n\n" + STORY in md
    assert "\n\n- Officials said" in md and ".\n- The first buses" in md
    assert "| Route | From |\n| --- | --- |\n| The first new route" in md
    text = api.to_document(SEED.read_text(encoding="utf-8"))
    lab = api.label_document(text)
    assert formats.to_markdown(text, lab) == api.join_kept(lab)  # text input: as txt


def test_markdown_and_txt_from_the_cli(capsys, page):
    md = _out(["clean", str(page), "--format", "markdown", "--keep", "body,headline"], capsys)
    assert md.startswith("# ") or "\n# " in md or "\n## " in md
    assert _out(["clean", str(SEED), "--format", "markdown"], capsys) == _out(["clean", str(SEED)], capsys)


# --- 8. inputs: several pages, directories, stdin ---------------------------------------------

def test_several_pages_jsonl_one_object_each_and_txt_parted_by_a_blank_line(capsys, page):
    rows = _out(["clean", str(SEED), str(page), "--format", "jsonl"], capsys).splitlines()
    assert [json.loads(r)["file"] for r in rows] == [str(SEED), str(page)]
    both = _out(["clean", str(SEED), str(page)], capsys)
    assert both == boilerplate.clean(SEED.read_text(encoding="utf-8")) + "\n\n" + boilerplate.clean_html(PAGE) + "\n"


def test_directory_in_one_output_per_page(capsys, tmp_path, page):
    pages = tmp_path / "in"
    (pages / "news").mkdir(parents=True)
    (pages / "news" / "a.html").write_text(PAGE, encoding="utf-8")
    (pages / "seed.txt.gz").write_bytes(gzip.compress(SEED.read_bytes()))
    (pages / ".hidden").write_text("not a page", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["clean", str(pages), "-o", str(out)]) == 0
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == ["news/a.txt", "seed.txt"]
    assert (out / "news" / "a.txt").read_text(encoding="utf-8") == boilerplate.clean_html(PAGE) + "\n"
    assert (out / "seed.txt").read_text(encoding="utf-8") == boilerplate.clean(SEED.read_text(encoding="utf-8")) + "\n"
    assert main(["label", str(pages), "-o", str(out), "--format", "jsonl"]) == 0
    assert (out / "news" / "a.jsonl").is_file()
    rows = _out(["clean", str(pages), "--format", "jsonl"], capsys).splitlines()  # no -o: stdout
    assert len(rows) == 2
    (pages / "news" / "a.txt").write_text("clash", encoding="utf-8")  # a.html and a.txt -> a.txt
    assert main(["clean", str(pages), "-o", str(out)]) == 2
    _one_error_line(capsys)


def _stdin_from_pipe(monkeypatch, data: bytes) -> None:
    """stdin as a real pipe (not seekable), fed by a thread."""
    r, w = os.pipe()

    def feed():
        with open(w, "wb") as fh:
            fh.write(data)

    threading.Thread(target=feed, daemon=True).start()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(open(r, "rb")))


@pytest.mark.parametrize("argv", [["clean", "-"], ["clean", "--input-format", "warc", "-"]])
def test_warc_on_stdin_is_sniffed_and_read_from_a_pipe(capsys, monkeypatch, argv):
    """FastWARC panicked with 'Illegal seek' on a pipe; without --input-format, stdin was a page."""
    _stdin_from_pipe(monkeypatch, gzip.compress(warc_record("response", "http://x.test/a", PAGE.encode())))
    (obj,) = [json.loads(line) for line in _out(argv + ["-q"], capsys).splitlines()]
    assert obj["url"] == "http://x.test/a" and obj["clean_text"] == boilerplate.clean_html(PAGE)


def test_gzipped_page_on_stdin(capsys, monkeypatch):
    _stdin_from_pipe(monkeypatch, gzip.compress(SEED.read_bytes()))
    assert _out(["clean"], capsys) == boilerplate.clean(SEED.read_text(encoding="utf-8")) + "\n"


# --- 9. label columns and --explain ----------------------------------------------------------

def test_label_columns_and_explain(capsys, page):
    rows = [r.split("\t") for r in _out(["label", str(page), "--explain"], capsys).splitlines()]
    labeled = boilerplate.label_html(PAGE)
    assert [r[0] for r in rows] == [str(i + 1) for i in range(len(labeled))]
    assert [(r[1], r[4], r[6]) for r in rows] == [(x.label, t, x.text) for x, t in
                                                  zip(labeled, api.to_document(PAGE, html=True).cues["tag"])]
    assert all(len(r) == 7 and r[5].startswith("P=") for r in rows)
    text = [r.split("\t") for r in _out(["label", str(SEED), "--detector", "rules", "--explain"], capsys).splitlines()]
    assert all(len(r) == 6 for r in text) and any(r[4] == "blank line" for r in text)
    (first, *_) = [json.loads(r) for r in _out(["label", str(page), "--format", "jsonl"], capsys).splitlines()]
    assert list(first) == ["file", "line", "label", "score", "p_body", "tag", "text"] and first["line"] == 1
    assert main(["label", str(SEED), "--detector", "justext", "--explain"]) == 2
    _one_error_line(capsys)


# --- 4. a closed pipe is not an error, on the record path too --------------------------------

def test_broken_pipe_exits_quietly_on_the_record_path(tmp_path):
    records = tmp_path / "r.jsonl"
    records.write_text("".join(json.dumps({"text": STORY * 100}) + "\n" for _ in range(20)), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "boilerplate", "clean", str(records), "--workers", "1", "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    assert proc.stdout is not None and proc.stdout.read(10)
    proc.stdout.close()
    assert proc.wait(timeout=120) == 0
    assert proc.stderr is not None and proc.stderr.read() == b""
