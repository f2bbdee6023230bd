"""Issue 17: hostile input and faults in the stream CLI. Each case: a counted skip or one error
line, never a traceback, never silent loss. Cases about size are in ``benchmarks.hostile``."""

from __future__ import annotations

import gzip
import json
import os
import random
import signal
import stat
import subprocess
import sys
import time
import warnings

import pytest

import boilerplate
from boilerplate import api
from boilerplate.cli import EXIT_DAMAGED, main
from boilerplate.lines import DecodingWarning
from boilerplate.streaming import pool, records
from boilerplate.streaming.records import iter_warc, warc_record

from .conftest import FIXTURES, ROOT

STORY = ("The council voted on Tuesday to expand the city's bus network, adding four routes that will "
         "serve the northern suburbs from next spring.")
PAGE = (f"<html><body><nav><a href=/>Home</a></nav><article><h1>Buses</h1><p>{STORY}</p></article>"
        "<footer>Copyright 2026</footer></body></html>").encode()
ENV = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _jsonl_bytes(n: int, text: str = STORY) -> bytes:
    rng = random.Random(n)  # a varied tail per record, so compressed output grows with the input
    return b"".join(json.dumps({"text": f"{text} Item {i} {rng.getrandbits(64):x}.", "n": i}).encode() + b"\n"
                    for i in range(n))


def _cli(*argv: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "boilerplate", *argv], capture_output=True, env=ENV,
                          timeout=120, **kw)


def _rows(path) -> list[dict]:
    return [json.loads(line) for line in open(path, encoding="utf-8")]


def _no_traceback(err: str | bytes) -> None:
    assert "Traceback" not in (err.decode() if isinstance(err, bytes) else err)


# --- 1. lone surrogates ----------------------------------------------------------------------

def test_lone_surrogate_in_any_field_keeps_the_run(tmp_path, capsys):
    lines = [b'{"title": "\\ud800", "text": "%s", "n": 0}' % STORY.encode(),
             b'{"text": "\\udfff %s", "n": 1}' % STORY.encode(),
             json.dumps({"text": STORY, "n": 2}).encode()]
    (tmp_path / "in.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    code = main(["clean", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "o.jsonl"), "--workers", "1"])
    err = capsys.readouterr().err
    assert code == 0, err
    rows = _rows(tmp_path / "o.jsonl")  # valid UTF-8 and JSON, or this raises
    assert [r["n"] for r in rows] == [0, 1, 2]
    assert rows[0]["title"] == "\ud800"  # the field round-trips exactly (as a JSON escape)
    assert "\ufffd" not in rows[2]["clean_text"]


def test_api_replaces_lone_surrogates_with_a_warning():
    text = f"\ud800 {STORY}\n{STORY}"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        labeled = boilerplate.label(text)
        cleaned = boilerplate.clean(text)
    assert [x.text for x in labeled] == [f"\ufffd {STORY}", STORY]
    assert cleaned.encode("utf-8") and "\ud800" not in cleaned
    assert any(issubclass(w.category, DecodingWarning) and "surrogate" in str(w.message) for w in caught)


# --- 2. encoded HTTP bodies ------------------------------------------------------------------

def _encoded_response(url: str, body: bytes, encoding: str) -> bytes:
    block = (f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: {encoding}\r\n"
             f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    head = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:{url[-1]}>\r\n"
            f"WARC-Date: 2026-01-01T00:00:00Z\r\nWARC-Target-URI: {url}\r\n"
            f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(block)}\r\n\r\n")
    return head.encode() + block + b"\r\n\r\n"


def test_gzip_bomb_body_is_oversized_and_a_gzip_page_decodes(tmp_path):
    bomb = gzip.compress(b"<p>" + b"x" * (32 << 20))  # 32 MB decoded from ~32 KB
    data = (_encoded_response("https://g.example/1", gzip.compress(PAGE), "gzip")
            + _encoded_response("https://g.example/2", bomb, "gzip")
            + warc_record("response", "https://g.example/3", PAGE))
    (tmp_path / "a.warc").write_bytes(data)
    items = list(iter_warc(str(tmp_path / "a.warc"), max_record_bytes=1 << 20))
    assert [type(i).__name__ for i in items] == ["Record", "Skipped", "Record"]
    assert items[0].content == PAGE and items[1].reason == "oversized"


# --- 3. chunked labeling ---------------------------------------------------------------------

def test_chunked_labels_agree_with_whole_document(monkeypatch):
    pages = [p.read_text(encoding="utf-8") for p in sorted((FIXTURES / "seeds").glob("*.txt"))]
    for page in pages:  # every real page is far under the chunk size: labeled whole, as before
        short = api.to_document(page)
        assert len(short) <= api.CHUNK_LINES
        assert api.document_labels(short) == [x.label for x in boilerplate.label(page)]
    doc = api.to_document("\n".join(pages))
    whole = api.document_labels(doc)
    monkeypatch.setattr(api, "CHUNK_LINES", max(50, len(doc) // 4))
    monkeypatch.setattr(api, "CHUNK_CONTEXT", 40)
    chunked = api.document_labels(doc)
    assert len(chunked) == len(whole) == len(doc)
    agree = sum(a == b for a, b in zip(whole, chunked)) / len(doc)
    assert agree > 0.9, agree  # only whole-document statistics differ (api.CHUNK_CONTEXT)


# --- 4. truncated and corrupt compressed streams -----------------------------------------------

def test_truncated_zstd_and_corrupt_gzip_are_reported_even_quiet(tmp_path):
    zstandard = pytest.importorskip("zstandard")
    data = _jsonl_bytes(600)
    z = zstandard.ZstdCompressor().compress(data)
    (tmp_path / "cut.jsonl.zst").write_bytes(z[: len(z) * 2 // 3])
    g = bytearray(gzip.compress(data))
    rng = random.Random(17)
    g[len(g) // 2: len(g) // 2 + 64] = bytes(rng.randrange(256) for _ in range(64))
    (tmp_path / "bad.jsonl.gz").write_bytes(bytes(g))
    for name, reason in (("cut.jsonl.zst", "truncated"), ("bad.jsonl.gz", "corrupt")):
        loud = _cli("clean", str(tmp_path / name), "-o", str(tmp_path / "o.jsonl"), "--workers", "1",
                    "--detector", "rules")
        assert loud.returncode == EXIT_DAMAGED and f"{reason} 1" in loud.stderr.decode(), loud.stderr
        _no_traceback(loud.stderr)
        quiet = _cli("clean", str(tmp_path / name), "-o", str(tmp_path / "q.jsonl"), "-q", "--workers", "1",
                     "--detector", "rules")
        assert quiet.returncode == EXIT_DAMAGED and quiet.stderr == b""


# --- 5. WARC framing ---------------------------------------------------------------------------

@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("declared", [100, 5000])
def test_wrong_content_length_mid_file_loses_only_that_record(tmp_path, compress, declared):
    recs = [warc_record("response", f"https://g.example/{i}", PAGE) for i in range(6)]
    bad = warc_record("response", "https://g.example/bad", PAGE, declared_length=declared)
    parts = recs[:3] + [bad] + recs[3:]
    (tmp_path / "a.warc").write_bytes(b"".join(gzip.compress(p) if compress else p for p in parts))
    items = list(iter_warc(str(tmp_path / "a.warc")))
    assert [i.fields["url"] for i in items if isinstance(i, records.Record)] == [
        f"https://g.example/{i}" for i in range(6)]
    assert [i.reason for i in items if isinstance(i, records.Skipped)] == ["malformed"]


@pytest.mark.parametrize("compress", [False, True])
def test_warc_cut_anywhere_in_its_last_record_is_truncated(tmp_path, compress):
    recs = [warc_record("response", f"https://g.example/{i}", PAGE) for i in range(3)]
    members = [gzip.compress(r) if compress else r for r in recs]
    whole, last = b"".join(members), len(members[-1])
    for cut in range(len(whole) - last + 1, len(whole) - (8 if compress else 4), 7):  # 8: gzip trailer
        (tmp_path / "c.warc").write_bytes(whole[:cut])
        items = list(iter_warc(str(tmp_path / "c.warc")))
        pages = [i for i in items if isinstance(i, records.Record)]
        # A gzip cut in the deflate stream's last bytes can leave the page whole: kept, still reported.
        assert len(pages) == 2 or (compress and len(pages) == 3 and pages[-1].content.endswith(PAGE)), cut
        assert [i.reason for i in items if isinstance(i, records.Skipped)] == ["truncated"], cut


# --- 6, 7. worker signals ------------------------------------------------------------------------

def _children(pid: int) -> list:
    psutil = pytest.importorskip("psutil")
    return psutil.Process(pid).children(recursive=True)


def _start_run(tmp_path, n: int) -> subprocess.Popen:
    (tmp_path / "in.jsonl").write_bytes(_jsonl_bytes(n, STORY * 4))
    return subprocess.Popen([sys.executable, "-m", "boilerplate", "clean", str(tmp_path / "in.jsonl"),
                             "-o", str(tmp_path / "o.jsonl"), "--workers", "2"], stderr=subprocess.PIPE,
                            env=ENV)


def _wait_for_workers(proc: subprocess.Popen) -> list:
    deadline = time.time() + 60
    while time.time() < deadline:
        kids = _children(proc.pid)
        if len(kids) >= 2:
            return kids
        time.sleep(0.05)
    raise AssertionError("workers did not start")


def test_sigterm_to_a_worker_does_not_end_the_run(tmp_path):
    proc = _start_run(tmp_path, 3000)  # long enough that the workers are still busy after 0.5 s
    kids = _wait_for_workers(proc)
    time.sleep(0.5)
    kids[0].send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert [r["n"] for r in _rows(tmp_path / "o.jsonl")] == list(range(3000))  # the batch was redone


def test_workers_exit_when_the_main_process_is_killed(tmp_path):
    psutil = pytest.importorskip("psutil")
    proc = _start_run(tmp_path, 3000)
    kids = _wait_for_workers(proc)
    proc.kill()
    proc.wait(timeout=30)
    gone, alive = psutil.wait_procs(kids, timeout=10)
    assert not alive, alive


# --- 8-10. output paths ----------------------------------------------------------------------

def test_write_error_leaves_no_partial_file(tmp_path):
    (tmp_path / "in.jsonl").write_bytes(_jsonl_bytes(300))
    script = ("import resource, sys; resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096));"
              "from boilerplate.cli import main; sys.exit(main(sys.argv[1:]))")
    for name in ("o.jsonl", "o.jsonl.gz"):
        proc = subprocess.run([sys.executable, "-c", script, "clean", str(tmp_path / "in.jsonl"), "-o",
                               str(tmp_path / name), "--workers", "1", "--detector", "rules"],
                              capture_output=True, env=ENV, timeout=120)
        assert proc.returncode == 2 and proc.stderr.count(b"\n") <= 2, proc.stderr
        _no_traceback(proc.stderr)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_output_to_fifo_and_symlink_write_through(tmp_path, capsys):
    (tmp_path / "in.jsonl").write_bytes(_jsonl_bytes(3))
    target = tmp_path / "target.jsonl"
    target.write_text("old\n")
    (tmp_path / "link.jsonl").symlink_to(target)
    assert main(["clean", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "link.jsonl"), "-q"]) == 0
    assert (tmp_path / "link.jsonl").is_symlink() and len(_rows(target)) == 3
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    assert main(["clean", str(tmp_path / "in.jsonl"), "-o", str(fifo), "-q"]) == 0
    out, _ = reader.communicate(timeout=30)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and out.count(b"\n") == 3


def test_output_to_a_device_is_not_replaced(tmp_path, capsys):
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a /dev/null of our own
    except PermissionError:
        pytest.skip("mknod needs root")
    (tmp_path / "in.jsonl").write_bytes(_jsonl_bytes(3))
    assert main(["clean", str(tmp_path / "in.jsonl"), "-o", str(device), "-q"]) == 0
    assert stat.S_ISCHR(os.lstat(device).st_mode)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


def test_unusable_output_fails_before_work(tmp_path, capsys):
    (tmp_path / "in.jsonl").write_bytes(_jsonl_bytes(3))
    (tmp_path / "file").write_text("x")
    for out in (tmp_path, tmp_path / "file" / "o.jsonl", tmp_path / "missing" / "o.jsonl"):
        assert main(["clean", str(tmp_path / "in.jsonl"), "-o", str(out)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("boilerplate: error: -o") and err.count("\n") == 1, err


def test_umask_and_existing_mode_are_kept(tmp_path, capsys):
    (tmp_path / "in.jsonl").write_bytes(_jsonl_bytes(2))
    old = os.umask(0o077)
    try:
        assert main(["clean", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "new.jsonl"), "-q"]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.jsonl").stat().st_mode) == 0o600
    (tmp_path / "old.jsonl").write_text("x")
    os.chmod(tmp_path / "old.jsonl", 0o640)
    assert main(["clean", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "old.jsonl"), "-q"]) == 0
    assert stat.S_IMODE((tmp_path / "old.jsonl").stat().st_mode) == 0o640


# --- 13, 14. time limit and workers ------------------------------------------------------------

def test_record_over_the_time_limit_is_skipped(tmp_path, capsys, monkeypatch):
    real = api.clean_document

    def slow_on_marker(doc, keep=("body",), detector=None):
        if any("SLOW" in line for line in doc.lines):
            time.sleep(30)
        return real(doc, keep, detector)

    monkeypatch.setattr(api, "clean_document", slow_on_marker)
    objs = [{"text": STORY if i != 2 else "SLOW", "n": i} for i in range(4)]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(o) + "\n" for o in objs))
    started = time.perf_counter()
    code = main(["clean", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "o.jsonl"), "--workers", "1",
                 "--timeout", "0.5"])
    err = capsys.readouterr().err
    assert code == 0 and time.perf_counter() - started < 20
    assert [r["n"] for r in _rows(tmp_path / "o.jsonl")] == [0, 1, 3] and "timeout 1" in err


def test_more_workers_than_cpus_warns_and_model_is_loaded_before_forking(tmp_path, capsys):
    (tmp_path / "in.jsonl").write_bytes(_jsonl_bytes(4))
    n = pool.default_workers() + 1
    assert main(["clean", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "o.jsonl"), "--workers", str(n)]) == 0
    err = capsys.readouterr().err
    assert err.count("warning: --workers") == 1 and len(_rows(tmp_path / "o.jsonl")) == 4
    api._cached.cache_clear()
    list(pool.clean_stream([("s", records.Record(0, "text", STORY))], pool.CleanConfig(), workers=2))
    assert api._cached.cache_info().currsize == 1  # the text detector, in the parent: the first record's kind
    list(pool.clean_stream([("s", records.Record(0, "html", f"<p>{STORY}</p>"))], pool.CleanConfig(), workers=2))
    assert api._cached.cache_info().currsize == 2  # and the HTML one for a stream of pages
