"""Issue 17's hostile cases against the stream CLI: expected vs observed, time and peak memory.

    python -m benchmarks.hostile [--full] [--work DIR]

Every case builds its input in a temporary folder, runs ``python -m boilerplate`` in a
subprocess (the summed RSS of its process tree sampled every 0.05 s with psutil: pages forked
workers share are counted once per process, so many workers overstate it), and checks
the outcome: a counted skip or one error line (never a traceback), the records that should be
written written, and nothing lost silently. ``lost`` counts records that were readable but
neither written nor counted as skipped. The table ends with the number of defects and lost
records; both must be 0. ``--full`` runs the sizes of the issue (2,000,000 text lines) instead
of the default 1,000,000 (which keeps the default run to about three minutes on two cores).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import signal
import stat
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

from boilerplate.streaming.records import warc_record

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
#: Seconds between RSS samples of a running case.
SAMPLE_EVERY = 0.05
#: Peak memory allowed for any input the limits admit (issue 17, item 3).
MAX_RSS = 2 << 30
STORY = ("The council voted on Tuesday to expand the city's bus network, adding four routes that will "
         "serve the northern suburbs from next spring.")
PAGE = (f"<html><body><nav><a href=/>Home</a></nav><article><h1>Buses</h1><p>{STORY}</p></article>"
        "<footer>Copyright 2026</footer></body></html>").encode()


@dataclass
class Run:
    code: int
    err: str
    seconds: float
    peak: int


@dataclass
class Case:
    name: str
    expected: str
    observed: str
    ok: bool
    lost: int
    seconds: float
    peak: int


def _tree_rss(psutil, proc) -> int:
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def run_cli(args: list[str], during=None, env: dict | None = None, preexec=None) -> Run:
    """Run the CLI (or ``python -c`` when ``args[0] == "-c"``) and sample its tree's RSS;
    ``during(popen, psutil_process)`` runs once the process is up (to send signals)."""
    import psutil

    argv = [sys.executable, *args] if args[0] == "-c" else [sys.executable, "-m", "boilerplate", *args]
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env or ENV,
                            preexec_fn=preexec)
    ps = psutil.Process(proc.pid)
    peak = 0
    acted = during is None
    chunks: list[bytes] = []
    os.set_blocking(proc.stderr.fileno(), False)  # type: ignore[union-attr]
    while proc.poll() is None:
        peak = max(peak, _tree_rss(psutil, ps))
        if not acted:
            acted = during(proc, ps)
        data = proc.stderr.read()  # type: ignore[union-attr]
        if data:
            chunks.append(data)
        time.sleep(SAMPLE_EVERY)
    data = proc.stderr.read()  # type: ignore[union-attr]
    if data:
        chunks.append(data)
    return Run(proc.returncode, b"".join(chunks).decode("utf-8", "replace"), time.perf_counter() - started, peak)


def _rows(path: Path) -> list[dict]:
    if not path.exists():
        return []
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _jsonl(n: int, seed: int = 0) -> bytes:
    rng = random.Random(seed)
    return b"".join(json.dumps({"text": f"{STORY} Item {i} {rng.getrandbits(64):x}.", "n": i}).encode() + b"\n"
                    for i in range(n))


def _clean_err(run: Run) -> bool:
    return "Traceback" not in run.err


def _case(name: str, expected: str, run: Run, ok: bool, observed: str, lost: int = 0) -> Case:
    ok = ok and _clean_err(run) and lost == 0
    return Case(name, expected, observed + ("" if _clean_err(run) else " TRACEBACK"), ok, lost, run.seconds, run.peak)


def _skips(err: str) -> str:
    last = [line for line in err.splitlines() if "records cleaned" in line]
    return last[-1].split(";", 1)[1].strip() if last and ";" in last[-1] else "-"


# --- the cases ---------------------------------------------------------------------------------

def case_surrogate(work: Path) -> Case:
    lines = [b'{"title": "\\ud800", "text": "%s", "n": 0}' % STORY.encode(),
             b'{"text": "\\udfff %s", "n": 1}' % STORY.encode(), json.dumps({"text": STORY, "n": 2}).encode()]
    (work / "s.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    run = run_cli(["clean", str(work / "s.jsonl"), "-o", str(work / "s.out.jsonl"), "--workers", "1"])
    rows = _rows(work / "s.out.jsonl")
    ok = run.code == 0 and [r["n"] for r in rows] == [0, 1, 2] and rows[0]["title"] == "\ud800"
    return _case("1 lone surrogate in title/text", "exit 0, 3 written, title kept", run, ok,
                 f"exit {run.code}, {len(rows)} written", lost=3 - len(rows))


def _encoded_response(url: str, body: bytes) -> bytes:
    block = (f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
             f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    head = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:bomb>\r\nWARC-Date: 2026-01-01T00:00:00Z\r\n"
            f"WARC-Target-URI: {url}\r\nContent-Type: application/http; msgtype=response\r\n"
            f"Content-Length: {len(block)}\r\n\r\n")
    return head.encode() + block + b"\r\n\r\n"


def case_gzip_bomb(work: Path, decoded: int = 4 << 30) -> Case:
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"\0" * (1 << 24)
    bomb = b"".join(comp.compress(zeros) for _ in range(decoded // len(zeros))) + comp.flush()
    data = (warc_record("response", "https://g.example/a", PAGE) + _encoded_response("https://g.example/bomb", bomb)
            + warc_record("response", "https://g.example/b", PAGE))
    (work / "bomb.warc.gz").write_bytes(gzip.compress(data, 1))
    run = run_cli(["clean", str(work / "bomb.warc.gz"), "-o", str(work / "bomb.jsonl"), "--workers", "1"])
    rows = _rows(work / "bomb.jsonl")
    ok = run.code == 0 and len(rows) == 2 and "oversized 1" in run.err and run.peak < 1 << 30
    return _case(f"2 gzip body {len(bomb) >> 10} KB -> {decoded >> 30} GB", "oversized 1, 2 written, < 1 GB",
                 run, ok, f"exit {run.code}, {len(rows)} written, {_skips(run.err)}", lost=2 - len(rows))


def case_long_html(work: Path, n: int) -> Case:
    page = b"<html><body>" + b"<p>x</p>\n" * n + b"</body></html>"
    (work / "long.warc").write_bytes(warc_record("response", "https://g.example/long", page))
    run = run_cli(["clean", str(work / "long.warc"), "-o", str(work / "long.jsonl"), "--workers", "1"])
    rows = _rows(work / "long.jsonl")
    ok = run.code == 0 and len(rows) == 1 and run.peak <= MAX_RSS
    return _case(f"3 HTML page of {n:,} <p>x</p> ({len(page) >> 20} MB)", "1 written, peak <= 2 GB", run, ok,
                 f"exit {run.code}, {len(rows)} written", lost=1 - len(rows))


def case_crowded_tag(work: Path, n: int = 200_000) -> Case:
    """One element with ``n`` attributes (quoted values holding ">"): libxml2 compares each with all
    earlier ones, so uncapped this page took minutes; the article after it must come out."""
    attributes = " ".join(f'a{i}=">"' for i in range(n)).encode()
    page = b"<html><body><div " + attributes + b">menu</div><p>" + STORY.encode() + b"</p></body></html>"
    (work / "crowded.warc").write_bytes(warc_record("response", "https://g.example/crowded", page))
    run = run_cli(["clean", str(work / "crowded.warc"), "-o", str(work / "crowded.jsonl"), "--workers", "1"])
    rows = _rows(work / "crowded.jsonl")
    kept = bool(rows) and STORY[:40] in rows[0].get("clean_text", "")
    ok = run.code == 0 and len(rows) == 1 and kept
    return _case(f"3 HTML element with {n:,} attributes ({len(page) >> 20} MB)", "1 written, article kept", run, ok,
                 f"exit {run.code}, {len(rows)} written, article {'kept' if kept else 'lost'}", lost=1 - len(rows))


def case_long_text(work: Path, n: int) -> Case:
    with open(work / "lines.jsonl", "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"text": "".join(f"line {i % 100}\n" for i in range(n))}) + "\n")
    run = run_cli(["clean", str(work / "lines.jsonl"), "-o", str(work / "lines.out.jsonl"), "--workers", "1"])
    rows = _rows(work / "lines.out.jsonl")
    ok = run.code == 0 and len(rows) == 1 and run.peak <= MAX_RSS
    return _case(f"3 text record of {n:,} short lines", "1 written, peak <= 2 GB", run, ok,
                 f"exit {run.code}, {len(rows)} written", lost=1 - len(rows))


def case_truncated_zst(work: Path) -> Case:
    import zstandard

    data = _jsonl(1000)
    z = zstandard.ZstdCompressor().compress(data)
    (work / "cut.jsonl.zst").write_bytes(z[: len(z) // 2])
    run = run_cli(["clean", str(work / "cut.jsonl.zst"), "-o", str(work / "cut.out.jsonl"), "-q",
                   "--workers", "1", "--detector", "rules"])
    loud = run_cli(["clean", str(work / "cut.jsonl.zst"), "-o", str(work / "cut.out.jsonl"),
                    "--workers", "1", "--detector", "rules"])
    rows = _rows(work / "cut.out.jsonl")
    reported = run.code == 1 and loud.code == 1 and "truncated 1" in loud.err
    return _case("4 .zst cut in half (-q)", "exit 1 even with -q, truncated 1", loud, reported,
                 f"exit {run.code} (-q), {len(rows)} written, {_skips(loud.err)}",
                 lost=0 if reported else 1000 - len(rows))


def case_corrupt_gzip(work: Path) -> Case:
    g = bytearray(gzip.compress(_jsonl(3000)))
    rng = random.Random(17)
    g[len(g) // 2: len(g) // 2 + 64] = bytes(rng.randrange(256) for _ in range(64))
    (work / "bad.jsonl.gz").write_bytes(bytes(g))
    quiet = run_cli(["clean", str(work / "bad.jsonl.gz"), "-o", str(work / "bad.out.jsonl"), "-q",
                     "--workers", "1", "--detector", "rules"])
    run = run_cli(["clean", str(work / "bad.jsonl.gz"), "-o", str(work / "bad.out.jsonl"),
                   "--workers", "1", "--detector", "rules"])
    rows = _rows(work / "bad.out.jsonl")
    reported = quiet.code == 1 and run.code == 1 and "corrupt 1" in run.err
    return _case("4 .jsonl.gz with 64 corrupted bytes (-q)", "exit 1 even with -q, corrupt 1", run, reported,
                 f"exit {quiet.code} (-q), {len(rows)} written, {_skips(run.err)}",
                 lost=0 if reported else 3000 - len(rows))


def case_warc_framing(work: Path) -> list[Case]:
    recs = [warc_record("response", f"https://g.example/{i}", PAGE) for i in range(20)]
    bad = {"garbled header": b"this is not a WARC header\r\n\r\n",
           "Content-Length too short": warc_record("response", "https://g.example/bad", PAGE, declared_length=100),
           "Content-Length too long": warc_record("response", "https://g.example/bad", PAGE, declared_length=5000)}
    cases = []
    for what, junk in bad.items():
        for gz in (False, True):
            parts = recs[:5] + [junk] + recs[5:]
            name = f"frame{len(cases)}.warc" + (".gz" if gz else "")
            (work / name).write_bytes(b"".join(gzip.compress(p) if gz else p for p in parts))
            run = run_cli(["clean", str(work / name), "-o", str(work / (name + ".jsonl")), "--workers", "1",
                           "--detector", "rules"])
            rows = _rows(work / (name + ".jsonl"))
            ok = run.code == 0 and len(rows) == 20 and "malformed 1" in run.err
            cases.append(_case(f"5 {what} mid-file{' (.gz)' if gz else ''}", "20 written, malformed 1", run, ok,
                               f"exit {run.code}, {len(rows)} written, {_skips(run.err)}", lost=20 - len(rows)))
    members = [gzip.compress(r) for r in recs[:5]]
    whole = b"".join(members)
    (work / "cut.warc.gz").write_bytes(whole[: len(whole) - len(members[-1]) // 2])
    run = run_cli(["clean", str(work / "cut.warc.gz"), "-o", str(work / "cutw.jsonl"), "--workers", "1"])
    rows = _rows(work / "cutw.jsonl")
    ok = run.code == 1 and len(rows) == 4 and "truncated 1" in run.err
    cases.append(_case("5 .warc.gz cut mid-record", "4 written, truncated 1, exit 1", run, ok,
                       f"exit {run.code}, {len(rows)} written, {_skips(run.err)}", lost=4 - len(rows)))
    return cases


def _big_jsonl(work: Path, n: int) -> Path:
    path = work / f"big{n}.jsonl"
    if not path.exists():
        path.write_bytes(_jsonl(n))
    return path


def case_sigterm_worker(work: Path) -> Case:
    src = _big_jsonl(work, 1200)

    def kill_one(proc, ps) -> bool:
        kids = ps.children(recursive=True)
        if len(kids) < 2:
            return False
        time.sleep(0.3)
        kids[0].send_signal(signal.SIGTERM)
        return True

    run = run_cli(["clean", str(src), "-o", str(work / "term.jsonl"), "--workers", "2"], during=kill_one)
    rows = _rows(work / "term.jsonl")
    ok = run.code == 0 and [r["n"] for r in rows] == list(range(1200))
    return _case("6 SIGTERM to one worker", "exit 0, 1,200 written", run, ok,
                 f"exit {run.code}, {len(rows):,} written", lost=1200 - len(rows))


def case_sigkill_main(work: Path) -> Case:
    import psutil

    src = _big_jsonl(work, 1200)
    kids: list = []

    def kill_main(proc, ps) -> bool:
        found = ps.children(recursive=True)
        if len(found) < 2:
            return False
        kids.extend(found)
        proc.kill()
        return True

    run = run_cli(["clean", str(src), "-o", str(work / "kill.jsonl"), "--workers", "2"], during=kill_main)
    _, alive = psutil.wait_procs(kids, timeout=10)
    partial = [p.name for p in work.iterdir() if p.name.startswith(".kill.jsonl")]
    for p in alive:
        p.kill()
    ok = len(kids) >= 2 and not alive and not (work / "kill.jsonl").exists()
    return _case("7 SIGKILL to the main process", "workers exit, no output file", run, ok,
                 f"{len(alive)} of {len(kids)} workers left, {len(partial)} hidden partial (left by SIGKILL)")


def case_write_error(work: Path) -> Case:
    src = _big_jsonl(work, 1200)
    script = ("import resource, sys; resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536));"
              "from boilerplate.cli import main; sys.exit(main(sys.argv[1:]))")
    out = work / "fsize"
    out.mkdir(exist_ok=True)
    run = run_cli(["-c", script, "clean", str(src), "-o", str(out / "o.jsonl"), "--workers", "1",
                   "--detector", "rules"])
    left = sorted(p.name for p in out.iterdir())
    ok = run.code == 2 and not left and run.err.count("\n") == 1
    return _case("8 write error (ulimit -f 64 KB)", "exit 2, one line, nothing left", run, ok,
                 f"exit {run.code}, {len(left)} files left")


def case_output_paths(work: Path) -> list[Case]:
    src = work / "small.jsonl"
    src.write_bytes(_jsonl(5))
    cases = []
    fifo = work / "fifo"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    run = run_cli(["clean", str(src), "-o", str(fifo), "--workers", "1", "-q"])
    got = reader.communicate(timeout=60)[0].count(b"\n")
    ok = run.code == 0 and got == 5 and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    cases.append(_case("9 -o FIFO", "written through, FIFO stays", run, ok, f"exit {run.code}, {got} lines read"))
    target = work / "target.jsonl"
    target.write_text("old\n")
    (work / "link.jsonl").symlink_to(target)
    run = run_cli(["clean", str(src), "-o", str(work / "link.jsonl"), "--workers", "1", "-q"])
    ok = run.code == 0 and (work / "link.jsonl").is_symlink() and len(_rows(target)) == 5
    cases.append(_case("9 -o symlink", "target replaced, link stays", run, ok,
                       f"exit {run.code}, link {'kept' if (work / 'link.jsonl').is_symlink() else 'replaced'}"))
    device = work / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        device = Path(os.devnull)  # not root: the real /dev/null, which a non-root run cannot replace
    run = run_cli(["clean", str(src), "-o", str(device), "--workers", "1", "-q"])
    ok = run.code == 0 and stat.S_ISCHR(os.lstat(device).st_mode)
    cases.append(_case("9 -o character device (/dev/null)", "written through, device stays", run, ok,
                       f"exit {run.code}, {'device' if stat.S_ISCHR(os.lstat(device).st_mode) else 'REPLACED'}"))
    for what, out in (("a directory", work), ("in a missing folder", work / "no" / "o.jsonl")):
        run = run_cli(["clean", str(src), "-o", str(out)])
        ok = run.code == 2 and run.err.count("\n") == 1
        cases.append(_case(f"9 -o {what}", "exit 2, one line, before work", run, ok, f"exit {run.code}: "
                           + run.err.strip()[:40]))
    run = run_cli(["clean", str(src), "-o", str(work / "umask.jsonl"), "-q"], preexec=lambda: os.umask(0o077))
    mode = stat.S_IMODE((work / "umask.jsonl").stat().st_mode) if (work / "umask.jsonl").exists() else 0
    cases.append(_case("10 new file under umask 077", "mode 0600", run, run.code == 0 and mode == 0o600,
                       f"mode {mode:04o}"))
    (work / "keep.jsonl").write_text("x")
    os.chmod(work / "keep.jsonl", 0o600)
    run = run_cli(["clean", str(src), "-o", str(work / "keep.jsonl"), "-q"])
    mode = stat.S_IMODE((work / "keep.jsonl").stat().st_mode)
    cases.append(_case("10 existing 0600 file", "mode 0600 kept", run, run.code == 0 and mode == 0o600,
                       f"mode {mode:04o}"))
    return cases


def case_timeout(work: Path) -> Case:
    objs = [{"text": STORY, "n": 0}, {"text": "".join(f"line {i}\n" for i in range(300_000)), "n": 1},
            {"text": STORY, "n": 2}]
    (work / "slow.jsonl").write_text("".join(json.dumps(o) + "\n" for o in objs))
    run = run_cli(["clean", str(work / "slow.jsonl"), "-o", str(work / "slow.out.jsonl"), "--workers", "1",
                   "--timeout", "1"])
    rows = _rows(work / "slow.out.jsonl")
    ok = run.code == 0 and [r["n"] for r in rows] == [0, 2] and "timeout 1" in run.err and run.seconds < 30
    return _case("13 record over --timeout 1", "timeout 1, 2 written", run, ok,
                 f"exit {run.code}, {len(rows)} written, {_skips(run.err)}", lost=2 - len(rows))


def case_many_workers(work: Path) -> Case:
    src = _big_jsonl(work, 300)
    base = run_cli(["clean", str(src), "-o", str(work / "w2.jsonl"), "--workers", "2"])
    many = run_cli(["clean", str(src), "-o", str(work / "w32.jsonl"), "--workers", "32"])
    same = (work / "w2.jsonl").read_bytes() == (work / "w32.jsonl").read_bytes()
    warned = many.err.count("warning: --workers") == 1
    ok = many.code == 0 and same and warned and many.seconds < 3 * base.seconds + 5
    return _case("14 --workers 32 on few CPUs", "warns once, output same, time near 2 workers'", many, ok,
                 f"{many.seconds:.1f} s vs {base.seconds:.1f} s, {'warned' if warned else 'no warning'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="the issue's sizes (2,000,000 text lines)")
    parser.add_argument("--work", default=None, help="folder for the inputs (default: a temporary one)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=args.work) as tmp:
        work = Path(tmp)
        cases: list[Case] = []
        steps = [case_surrogate, case_gzip_bomb, lambda w: case_long_html(w, 1_000_000), case_crowded_tag,
                 lambda w: case_long_text(w, 2_000_000 if args.full else 1_000_000), case_truncated_zst,
                 case_corrupt_gzip, case_warc_framing, case_sigterm_worker, case_sigkill_main, case_write_error,
                 case_output_paths, case_timeout, case_many_workers]
        for step in steps:
            result = step(work)
            for case in result if isinstance(result, list) else [result]:
                cases.append(case)
                print(f"{'ok ' if case.ok else 'BAD'} {case.name:<44} {case.seconds:6.1f} s {case.peak / 2**20:7.0f} MB",
                      file=sys.stderr, flush=True)
    head = f"{'case':<44} | {'expected':<44} | {'observed':<52} | {'ok':<3} | {'time':>7} | {'peak RSS':>9}"
    print(head)
    print("-" * len(head))
    for c in cases:
        print(f"{c.name:<44} | {c.expected:<44} | {c.observed[:52]:<52} | {'yes' if c.ok else 'NO':<3} | "
              f"{c.seconds:6.1f}s | {c.peak / 2**20:6.0f} MB")
    defects = sum(not c.ok for c in cases)
    lost = sum(max(c.lost, 0) for c in cases)
    print(f"\n{len(cases)} cases: {defects} defects, {lost} lost records")
    return 1 if defects or lost else 0


if __name__ == "__main__":
    sys.exit(main())
