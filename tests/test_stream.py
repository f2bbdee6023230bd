"""Record streams: JSONL/WARC/WET round-trips, bad records, guards, workers and atomic output."""

from __future__ import annotations

import gzip
import io
import json
import os
import signal
import subprocess
import sys
import time
import tracemalloc

import pytest

import boilerplate
from boilerplate.cli import EXIT_DAMAGED, Progress, main
from boilerplate.html import render
from boilerplate.streaming import pool as stream
from boilerplate.streaming import records
from boilerplate.streaming.records import warc_record

from .conftest import FIXTURES

SEEDS = sorted((FIXTURES / "seeds").glob("*.txt"))
STORY = ("The council voted on Tuesday to expand the city's bus network, adding four routes that will "
         "serve the northern suburbs from next spring.")
PAGE = ("<html><head><title>Buses</title></head><body><nav><a href=/>Home</a> <a href=/news>News</a></nav>"
        "<article><h1>Council expands bus network</h1><p>{story}</p><p>Officials said the plan would cost "
        "twelve million pounds over five years and be paid for from the transport budget.</p></article>"
        "<div class=share>Share this article</div><footer>Copyright 2026 The Gazette</footer></body></html>")


def _texts() -> list[str]:
    seeds = [p.read_text(encoding="utf-8") for p in SEEDS]
    return seeds + ["", "Subscribe now\n\n" + STORY + "\nAdvertisement", "only one line", STORY * 3]


def _jsonl(path, objs) -> None:
    path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objs), encoding="utf-8")


def _read_out(path) -> list[dict]:
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _run(argv, capsys) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().err


# --- round-trips ------------------------------------------------------------------------------

@pytest.mark.parametrize("workers", ["1", "2"])
def test_jsonl_round_trip_keeps_fields_order_and_count(tmp_path, capsys, workers):
    texts = _texts()
    objs = [{"id": i, "text": t, "meta": {"lang": "en", "score": 0.5 + i, "tags": [None, True]}, "z": "ü"}
            for i, t in enumerate(texts)]
    _jsonl(tmp_path / "in.jsonl", objs)
    code, err = _run(["clean", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.jsonl.gz"),
                      "--workers", workers], capsys)
    assert code == 0, err
    out = _read_out(tmp_path / "out.jsonl.gz")
    assert len(out) == len(objs)
    for given, got in zip(objs, out):
        assert {k: v for k, v in got.items() if k != "clean_text"} == given  # every field untouched
        assert list(got) == [*given, "clean_text"]  # field order kept, new field last
        assert got["clean_text"] == boilerplate.clean(given["text"])
    assert f"{len(objs)} records cleaned" in err and "none skipped" in err


def test_output_identical_for_any_worker_count(tmp_path, capsys):
    _jsonl(tmp_path / "in.jsonl", [{"text": t} for t in _texts() * 3])
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"out{workers}.jsonl"
        assert main(["clean", str(tmp_path / "in.jsonl"), "-o", str(out), "--workers", workers, "-q"]) == 0
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] and outputs[0].count(b"\n") == 3 * len(_texts())


def test_label_adds_line_labels_aligned_with_lines(tmp_path, capsys):
    text = SEEDS[0].read_text(encoding="utf-8")
    _jsonl(tmp_path / "in.jsonl", [{"text": text}])
    assert main(["label", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.jsonl"), "-q"]) == 0
    (got,) = _read_out(tmp_path / "out.jsonl")
    assert got["line_labels"] == [x.label for x in boilerplate.label(text)]


def test_jsonl_html_field_takes_html_path(tmp_path, capsys):
    html = PAGE.format(story=STORY)
    _jsonl(tmp_path / "in.jsonl", [{"url": "u", "html": html, "text": "ignored"}])
    assert main(["clean", str(tmp_path / "in.jsonl"), "--html-field", "html", "-o", str(tmp_path / "o.jsonl"),
                 "--output-field", "body", "--labels", "-q"]) == 0
    (got,) = _read_out(tmp_path / "o.jsonl")
    assert got["body"] == boilerplate.clean_html(html) and STORY in got["body"]
    assert got["html"] == html and got["text"] == "ignored"
    assert len(got["line_labels"]) == len(got["rendered_text"].split("\n"))


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_warc_and_wet_records_take_their_paths(tmp_path, capsys, name):
    pages = [PAGE.format(story=f"{STORY} Story number {i}.") for i in range(5)]
    texts = _texts()[:2]
    recs = [warc_record("warcinfo", "", b"software: test", content_type="application/warc-fields")]
    for i, html in enumerate(pages):
        recs.append(warc_record("request", f"https://g.example/{i}", b"GET / HTTP/1.1\r\n\r\n"))
        recs.append(warc_record("response", f"https://g.example/{i}", html.encode()))
    recs.append(warc_record("response", "https://g.example/logo.png", b"\x89PNG....", content_type="image/png"))
    recs += [warc_record("conversion", f"https://g.example/t{i}", t.encode()) for i, t in enumerate(texts)]
    path = tmp_path / name
    path.write_bytes(b"".join(gzip.compress(r) if name.endswith(".gz") else r for r in recs))

    code, err = _run(["clean", str(path), "-o", str(tmp_path / "out.jsonl"), "--workers", "2"], capsys)
    assert code == 0, err
    out = _read_out(tmp_path / "out.jsonl")
    assert [o["url"] for o in out] == [f"https://g.example/{i}" for i in range(5)] + ["https://g.example/t0",
                                                                                        "https://g.example/t1"]
    assert [o["clean_text"] for o in out[:5]] == [boilerplate.clean_html(h) for h in pages]
    assert [o["clean_text"] for o in out[5:]] == [boilerplate.clean(t) for t in texts]
    assert all(o["id"].startswith("<urn:uuid:") and o["date"] for o in out)
    assert "1 skipped: not-html 1" in err


def test_warc_response_charset_decodes_the_page(tmp_path, capsys):
    # the HTTP header is right and the page's own <meta> wrong (a re-encoded page keeps its old
    # declaration): the header decides, as in a browser
    story = "Привет, мир. " + "Это длинный рассказ о жизни в городе, рассказанный полностью. " * 4
    html = f'<html><head><meta charset="iso-8859-1"></head><body><p>{story.strip()}</p></body></html>'
    path = tmp_path / "legacy.warc"
    path.write_bytes(warc_record("response", "https://r.example/1", html.encode("cp1251"),
                                 content_type="text/html; charset=windows-1251"))
    code, err = _run(["clean", str(path), "-o", str(tmp_path / "out.jsonl"), "--workers", "1",
                      "--keep", "body,headline,metadata,appeal,ad,teaser,chrome", "--labels"], capsys)
    assert code == 0, err
    (got,) = _read_out(tmp_path / "out.jsonl")
    assert got["rendered_text"] == story.strip() and "\ufffd" not in got["clean_text"]
    assert render(html.encode("cp1251")).lines != [story.strip()]  # the <meta> alone misleads


# --- bad input --------------------------------------------------------------------------------

def test_bad_jsonl_records_are_counted_and_skipped(tmp_path, capsys):
    good = [json.dumps({"text": STORY, "n": i}).encode() for i in range(3)]
    lines = [good[0], b"{not json", b"[1, 2]", json.dumps({"title": "no text"}).encode(),
             json.dumps({"text": 42}).encode(), b'{"text": "caf\xe9"}', good[1], b"", good[2],
             b'{"text": "cut off mid-wri']
    (tmp_path / "in.jsonl").write_bytes(b"\n".join(lines))
    code, err = _run(["clean", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.jsonl"), "--workers", "1"],
                     capsys)
    assert code == EXIT_DAMAGED  # the cut last line is a lost record
    assert [o["n"] for o in _read_out(tmp_path / "out.jsonl")] == [0, 1, 2]
    summary = err.strip().splitlines()[-1]
    assert "3 records cleaned" in summary
    assert "6 skipped: malformed 2, missing-field 2, truncated 1, undecodable 1" in summary
    assert "record 1 (malformed)" in err and "record 5 (undecodable)" in err


def test_truncated_compressed_streams(tmp_path, capsys):
    data = gzip.compress(b"".join(json.dumps({"text": STORY, "n": i}).encode() + b"\n" for i in range(200)))
    (tmp_path / "cut.jsonl.gz").write_bytes(data[: len(data) // 2])
    code, err = _run(["clean", str(tmp_path / "cut.jsonl.gz"), "-o", str(tmp_path / "o.jsonl")], capsys)
    assert code == EXIT_DAMAGED and "truncated 1" in err
    got = _read_out(tmp_path / "o.jsonl")
    assert 0 < len(got) < 200 and [o["n"] for o in got] == list(range(len(got)))

    recs = [warc_record("response", f"https://g.example/{i}", PAGE.format(story=STORY).encode())
            for i in range(4)]
    whole = b"".join(recs)
    (tmp_path / "cut.warc").write_bytes(whole[: len(whole) - len(recs[-1]) // 2])
    code, err = _run(["clean", str(tmp_path / "cut.warc"), "-o", str(tmp_path / "w.jsonl")], capsys)
    assert code == EXIT_DAMAGED and "3 records cleaned" in err and "truncated 1" in err
    gz = b"".join(gzip.compress(r) for r in recs)
    (tmp_path / "cut.warc.gz").write_bytes(gz[: len(gz) - 40])
    code, err = _run(["clean", str(tmp_path / "cut.warc.gz"), "-o", str(tmp_path / "g.jsonl")], capsys)
    assert code == EXIT_DAMAGED and "3 records cleaned" in err and "truncated 1" in err


def test_garbled_warc_header_is_skipped_and_reading_resumes(tmp_path, capsys):
    rec = warc_record("response", "https://g.example/a", PAGE.format(story=STORY).encode())
    (tmp_path / "bad.warc").write_bytes(rec + b"this is not a WARC header\r\n\r\n" + rec)
    _jsonl(tmp_path / "next.jsonl", [{"text": STORY}])
    (tmp_path / "next.warc").write_bytes(rec)
    code, err = _run(["clean", str(tmp_path / "bad.warc"), str(tmp_path / "next.warc"),
                      "-o", str(tmp_path / "o.jsonl")], capsys)
    assert code == 0 and "3 records cleaned" in err and "malformed 1" in err  # the record after it is read


@pytest.mark.parametrize("name", ["empty.jsonl", "empty.warc", "empty.jsonl.gz"])
def test_empty_file(tmp_path, capsys, name):
    path = tmp_path / name
    path.write_bytes(gzip.compress(b"") if name.endswith(".gz") else b"")
    code, err = _run(["clean", str(path), "-o", str(tmp_path / "o.jsonl")], capsys)
    assert code == 0 and (tmp_path / "o.jsonl").read_bytes() == b"" and "0 records cleaned" in err


def test_oversized_records_skipped(tmp_path, capsys):
    _jsonl(tmp_path / "in.jsonl", [{"text": "x" * 5000}, {"text": STORY}])
    code, err = _run(["clean", str(tmp_path / "in.jsonl"), "--max-record-bytes", "1000",
                      "-o", str(tmp_path / "o.jsonl")], capsys)
    assert code == 0 and "oversized 1" in err and len(_read_out(tmp_path / "o.jsonl")) == 1
    (tmp_path / "big.warc").write_bytes(warc_record("response", "https://g.example/b", b"<p>" + b"y" * 5000)
                                        + warc_record("response", "https://g.example/s", b"<p>short</p>"))
    code, err = _run(["clean", str(tmp_path / "big.warc"), "--max-record-bytes", "1000",
                      "-o", str(tmp_path / "w.jsonl")], capsys)
    assert code == 0 and "oversized 1" in err and [o["url"] for o in _read_out(tmp_path / "w.jsonl")] == [
        "https://g.example/s"]


class _HugeLine(io.RawIOBase):
    """A stream holding one ``size``-byte line, then a valid JSONL line, produced on the fly."""

    def __init__(self, size: int, tail: bytes):
        self.left, self.tail, self.block = size, tail, memoryview(b"x" * (1 << 20))

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:
        if self.left:
            n = min(len(buf), self.left, len(self.block))
            buf[:n] = self.block[:n]
            self.left -= n
            return n
        n = min(len(buf), len(self.tail))
        buf[:n], self.tail = self.tail[:n], self.tail[n:]
        return n


def test_one_gigabyte_line_is_skipped_without_holding_it():
    stream_ = io.BufferedReader(_HugeLine(1 << 30, b"\n" + json.dumps({"text": STORY}).encode() + b"\n"),
                                buffer_size=1 << 20)
    tracemalloc.start()
    try:
        items = list(records.iter_jsonl(stream_))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [type(i).__name__ for i in items] == ["Skipped", "Record"]
    assert items[0].reason == "oversized" and items[1].content == STORY
    assert peak < 3 * records.MAX_RECORD_BYTES  # bounded by the record limit, not the 1 GB line


def test_usage_errors(tmp_path, capsys):
    _jsonl(tmp_path / "a.jsonl", [{"text": STORY}])
    (tmp_path / "b.txt").write_text(STORY)
    for argv in (["clean", str(tmp_path / "a.jsonl"), str(tmp_path / "b.txt")],
                 ["clean", str(tmp_path / "a.jsonl"), "--workers", "0"],
                 ["clean", str(tmp_path / "missing.jsonl")],
                 ["clean", str(tmp_path / "a.jsonl"), "-o", str(tmp_path / "no" / "dir" / "o.jsonl")]):
        code, err = _run(argv, capsys)
        assert code == 2 and err.startswith("boilerplate: error:") and err.count("\n") == 1, (argv, err)


def test_zstd_input_and_output(tmp_path, capsys):
    zstandard = pytest.importorskip("zstandard")
    payload = b"".join(json.dumps({"text": t}).encode() + b"\n" for t in _texts())
    (tmp_path / "in.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(payload))
    assert main(["clean", str(tmp_path / "in.jsonl.zst"), "-o", str(tmp_path / "o.jsonl.zst"), "-q"]) == 0
    out = zstandard.ZstdDecompressor().stream_reader(open(tmp_path / "o.jsonl.zst", "rb")).read()
    assert [json.loads(x)["clean_text"] for x in out.splitlines()] == [boilerplate.clean(t) for t in _texts()]


# --- atomic output ----------------------------------------------------------------------------

def test_failed_run_leaves_no_file_under_final_name(tmp_path, capsys, monkeypatch):
    _jsonl(tmp_path / "in.jsonl", [{"text": STORY}] * 10)
    calls = []
    real = stream.clean_record

    def interrupt_on_fifth(record, config):
        calls.append(1)
        if len(calls) == 5:
            raise KeyboardInterrupt
        return real(record, config)

    monkeypatch.setattr(stream, "clean_record", interrupt_on_fifth)
    (tmp_path / "out.jsonl").unlink(missing_ok=True)
    code, err = _run(["clean", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.jsonl"),
                      "--workers", "1"], capsys)
    assert code == 130 and "interrupted" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]  # no output, no leftover temp file


def test_sigterm_mid_run_leaves_no_output(tmp_path):
    _jsonl(tmp_path / "in.jsonl", [{"text": SEEDS[0].read_text(encoding="utf-8")}] * 3000)
    out = tmp_path / "out.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "boilerplate", "clean", str(tmp_path / "in.jsonl"),
                             "-o", str(out), "--workers", "2"], stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline and not any(p.name.endswith(".partial") and p.stat().st_size
                                             for p in tmp_path.iterdir()):
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name != "in.jsonl"]
    assert os.path.exists(tmp_path / "in.jsonl")


# --- progress and summary ---------------------------------------------------------------------

def test_progress_shown_on_terminal_only(monkeypatch):
    stats = stream.StreamStats()
    shown, hidden = io.StringIO(), io.StringIO()
    on, off = Progress(stats, shown, enabled=True), Progress(stats, hidden)  # StringIO: no tty
    stats.records, stats.lines = 12, 340
    stats.skipped["truncated"] += 1
    for p in (on, off):
        p.update()
        p.close()
    assert "12 records, 340 lines, 1 skipped" in shown.getvalue() and "records/s" in shown.getvalue()
    assert hidden.getvalue() == ""


def test_summary_counts_skips_by_reason():
    stats = stream.StreamStats(records=3, lines=10)
    stats.skipped.update({"oversized": 2, "malformed": 1})
    text = stats.summary()
    assert text.startswith("3 records cleaned (10 lines)") and text.endswith("3 skipped: malformed 1, oversized 2")


def test_clean_stream_api_orders_results_with_a_pool():
    items = [("src", records.Record(i, "text", f"{STORY} number {i}", {"i": i})) for i in range(40)]
    items.insert(7, ("src", records.Skipped(99, "malformed", "x")))
    got = list(stream.clean_stream(items, stream.CleanConfig(), workers=2, batch_size=3))
    assert [json.loads(line)["i"] for _, line, skipped, _ in got if line] == list(range(40))
    assert [s.reason for _, _, s, _ in got if s] == ["malformed"] and got[7][2] is not None
    with pytest.raises(ValueError, match="workers"):
        list(stream.clean_stream(items, stream.CleanConfig(), workers=0))


def test_stdin_gzip_jsonl_to_stdout():
    payload = gzip.compress(b"".join(json.dumps({"text": t, "k": i}).encode() + b"\n" for i, t in enumerate(_texts())))
    proc = subprocess.run([sys.executable, "-m", "boilerplate", "clean", "--input-format", "jsonl", "-",
                           "--workers", "2"], input=payload, capture_output=True)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["k"] for r in rows] == list(range(len(_texts())))
    assert [r["clean_text"] for r in rows] == [boilerplate.clean(t) for t in _texts()]
    assert b"records cleaned" in proc.stderr and b"\r" not in proc.stderr  # piped: no progress line


_REAL_CLEAN_BATCH = stream._clean_batch


def _die_on_poison(batch):
    if any(isinstance(item, records.Record) and "POISON" in item.content for item in batch):
        os._exit(1)  # what the OOM killer or a native crash looks like to the pool
    return _REAL_CLEAN_BATCH(batch)


def test_record_that_kills_its_worker_is_skipped_and_the_run_goes_on(tmp_path, capsys, monkeypatch):
    objs = [{"text": f"{STORY} number {i}" if i != 13 else "POISON", "i": i} for i in range(40)]
    _jsonl(tmp_path / "in.jsonl", objs)
    monkeypatch.setattr(stream, "_clean_batch", _die_on_poison)
    code, err = _run(["clean", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.jsonl"), "--workers", "2"],
                     capsys)
    assert code == 0, err
    assert [o["i"] for o in _read_out(tmp_path / "out.jsonl")] == [i for i in range(40) if i != 13]
    assert "record 13 (error): the worker process died" in err and "1 skipped: error 1" in err


def test_gzipped_warc_without_a_telling_name_is_detected(tmp_path, capsys):
    rec = warc_record("response", "https://g.example/a", PAGE.format(story=STORY).encode())
    (tmp_path / "crawl.bin").write_bytes(gzip.compress(rec))
    assert records.detect_format(str(tmp_path / "crawl.bin")) == "warc"
    code, err = _run(["clean", str(tmp_path / "crawl.bin"), "-o", str(tmp_path / "o.jsonl")], capsys)
    assert code == 0 and "1 records cleaned" in err


def test_a_pool_preloads_only_the_detector_of_the_first_records_kind(monkeypatch):
    """Forked workers share what the parent loaded; the parent loads the first record's kind only
    (a WARC of pages needs no text model), and a record of the other kind is still cleaned."""
    loaded = []
    monkeypatch.setattr(stream, "preload", lambda config, kinds=("text", "html"): loaded.append(list(kinds)))
    items = [("in", records.Record(index=0, kind="html", content="<p>One paragraph of text here.</p>", fields={})),
             ("in", records.Record(index=1, kind="text", content="One line of text.", fields={}))]
    from boilerplate.labels import LABELS

    out = list(stream.clean_stream(items, stream.CleanConfig(detector="rules", keep=LABELS), workers=2))
    assert loaded == [["html"]]
    assert [json.loads(line)["clean_text"] for _, line, _, _ in out] == ["One paragraph of text here.",
                                                                        "One line of text."]
    assert list(stream.clean_stream([], stream.CleanConfig(detector="rules"), workers=2)) == [] and len(loaded) == 1


def test_one_worker_loads_the_models_before_the_first_record_is_timed(monkeypatch):
    # with --workers 1 the one-time start (models, prefilter, compiled code) used to run inside the
    # first record's --timeout, so a one-line first record was skipped as "timeout"
    calls: list = []
    monkeypatch.setattr(stream, "preload", lambda config, kinds: calls.append(("preload", list(kinds))))
    real = stream._clean_to_json
    monkeypatch.setattr(stream, "_clean_to_json", lambda item, config: calls.append(("clean", item.index))
                        or real(item, config))
    config = stream.CleanConfig(timeout=30)
    items = [("in", records.Record(i, "text", f"{STORY} {i}")) for i in range(2)]
    out = list(stream.clean_stream(iter(items), config, workers=1))
    assert [c[0] for c in calls] == ["preload", "clean", "clean"] and calls[0][1] == ["text"]
    assert len(out) == 2 and all(skipped is None for _, _, skipped, _ in out)
    assert list(stream.clean_stream(iter([]), config, workers=1)) == []  # nothing to load for no records
