"""Throughput, scaling and memory of stream cleaning: the CLI's worker pool and the datatrove step.

    python -m benchmarks.stream_bench --scrapinghub DIR --wcxb DIR [--times 10] [--out results/streams.json]

Inputs, built once under ``--work`` from all benchmark pages (1,678 with both corpora):

- ``pages.warc.gz``: one HTTP response record per page, one gzip member per record (the HTML path);
- ``text.jsonl``: a WET-like JSONL of each page's rendered text (the text path);
- the same with every page repeated ``--times`` over (``pages_x10.warc.gz``, ``text_x10.jsonl``).

``readers`` times FastWARC against warcio iterating the WARC (why the reader uses FastWARC);
``startup`` times a fresh process's imports and model load (what each datatrove task pays);
``engine_fork`` reruns the datatrove 1x inputs with ``start_method="fork"`` and the model loaded
before forking, so tasks pay no start-up.

Each configuration runs as its own process tree (``boilerplate clean FILE -o OUT --workers N``, or
a datatrove ``LocalPipelineExecutor`` over the input split into 4 shards with ``tasks=4``), and the
summed RSS of the tree is sampled every 0.1 s (psutil). Reported: records/s, lines/s, scaling
efficiency (2 workers over 1), and peak RSS for the 1x and the ``times``-x input at 2 workers.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from .common import ROOT

#: The measurements this benchmark can take.
WHAT = ("readers", "cli", "engine", "engine_fork", "startup")

SHARDS = 4
SAMPLE_EVERY = 0.1


def _pages(scrapinghub: str | None, wcxb: str | None) -> list:
    from boilerplate.eval.corpora import iter_pages

    pages = []
    for source, directory in (("scrapinghub", scrapinghub), ("wcxb", wcxb)):
        if directory:
            pages += list(iter_pages(source, directory))
    if not pages:
        raise SystemExit("no pages: pass --scrapinghub and/or --wcxb (or set BOILERPLATE_SCRAPINGHUB/_WCXB)")
    return pages


def build_inputs(work: Path, pages: list, times: int) -> dict[str, Path]:
    """Write (or reuse) the benchmark inputs; returns their paths by name."""
    from boilerplate.eval.record_files import rendered_texts, write_text_jsonl, write_warc

    work.mkdir(parents=True, exist_ok=True)
    stamp = work / f"inputs-{len(pages)}-x{times}.done"
    paths = {"warc": work / "pages.warc.gz", "jsonl": work / "text.jsonl",
             "warc_big": work / f"pages_x{times}.warc.gz", "jsonl_big": work / f"text_x{times}.jsonl"}
    for kind in ("warc", "jsonl"):
        for big in (False, True):
            (work / f"{kind}{'_big' if big else ''}_shards").mkdir(exist_ok=True)
    if stamp.exists():
        return paths
    print(f"building inputs from {len(pages)} pages ...", file=sys.stderr)
    texts = rendered_texts(pages)
    shard_of = [pages[i::SHARDS] for i in range(SHARDS)]
    text_shards = [texts[i::SHARDS] for i in range(SHARDS)]
    for big, n in ((False, 1), (True, times)):
        suffix = "_big" if big else ""
        write_warc(paths["warc" + suffix], pages, n)
        write_text_jsonl(paths["jsonl" + suffix], texts, n)
        for i in range(SHARDS):
            write_warc(work / f"warc{suffix}_shards" / f"{i}.warc.gz", shard_of[i], n)
            write_text_jsonl(work / f"jsonl{suffix}_shards" / f"{i}.jsonl", text_shards[i], n)
    stamp.touch()
    return paths


def measure(cmd: list[str]) -> dict:
    """Run ``cmd``; wall seconds and the peak of the summed RSS (and PSS) of its process tree."""
    import psutil

    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    root = psutil.Process(proc.pid)
    peak_rss = peak_pss = 0
    while proc.poll() is None:
        rss = pss = 0
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for p in tree:
            try:
                info = p.memory_full_info()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            rss += info.rss
            pss += getattr(info, "pss", info.rss)
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        time.sleep(SAMPLE_EVERY)
    err = proc.stderr.read() if proc.stderr else ""
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    return {"seconds": seconds, "peak_rss_mb": peak_rss / 2**20, "peak_pss_mb": peak_pss / 2**20, "stderr": err}


def _run_result(workers: int, records: int, lines: int, res: dict) -> dict:
    """One run's entry in results/streams.json."""
    return {"workers": workers, "records": records, "lines": lines, "seconds": round(res["seconds"], 2),
            "records_per_s": round(records / res["seconds"], 2), "lines_per_s": round(lines / res["seconds"]),
            "peak_rss_mb": round(res["peak_rss_mb"], 1), "peak_pss_mb": round(res["peak_pss_mb"], 1)}


def run_cli(src: Path, workers: int, work: Path) -> dict:
    import re

    out = work / "cli_out.jsonl"
    res = measure([sys.executable, "-m", "boilerplate", "clean", str(src), "-o", str(out),
                   "--workers", str(workers)])
    out.unlink()
    summary = res["stderr"].strip().splitlines()[-1]
    found = re.search(r"([\d,]+) records cleaned \(([\d,]+) lines\)", summary)
    records, lines = (int(found.group(i).replace(",", "")) for i in (1, 2))
    return {**_run_result(workers, records, lines, res), "summary": summary}


def engine_child(kind: str, src: str, out: str, workers: int, start_method: str = "forkserver") -> None:
    """Run in a subprocess: the datatrove pipeline over the shards in ``src``. With ``fork`` the
    package is imported and the model loaded here first, so every task inherits them."""
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    from boilerplate.streaming.datatrove import BoilerplateCleaner, BoilerplateWarcReader

    if start_method == "fork":
        import boilerplate

        boilerplate.clean_html("<p>Warm-up page.</p>") if kind == "warc" else boilerplate.clean("Warm-up text.")
    reader = BoilerplateWarcReader(src) if kind == "warc" else JsonlReader(src)
    LocalPipelineExecutor(pipeline=[reader, BoilerplateCleaner(drop_empty=False),
                                    JsonlWriter(out, compression=None)],
                          tasks=SHARDS, workers=workers, logging_dir=f"{out}.logs",
                          start_method=start_method).run()


def run_engine(kind: str, shards: Path, workers: int, work: Path, start_method: str = "forkserver") -> dict:
    import shutil

    out = work / "engine_out"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(f"{out}.logs", ignore_errors=True)
    res = measure([sys.executable, "-m", "benchmarks.stream_bench", "--engine-child", kind, str(shards), str(out),
                   str(workers), start_method])
    stats = json.loads((Path(f"{out}.logs") / "stats.json").read_text())
    cleaner = next(step for step in stats if step["name"].endswith("boilerplate"))["stats"]
    records = cleaner["forwarded"]
    lines = cleaner["lines"]["total"] if isinstance(cleaner["lines"], dict) else cleaner["lines"]
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(f"{out}.logs", ignore_errors=True)
    return _run_result(workers, records, lines, res)


def task_startup() -> float:
    """Seconds for a fresh process to import the package and datatrove, load the HTML model and
    clean a one-line page: what every datatrove task started in a new process pays."""
    code = ("import boilerplate, boilerplate.streaming.datatrove, datatrove.executor; "
            "boilerplate.clean_html('<p>A short page for warming up.</p>')")
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - t0)
    return round(min(times), 2)


def reader_speed(warc_gz: Path, work: Path) -> dict:
    """Seconds to iterate the HTML responses of the benchmark WARC and read their payloads, with
    FastWARC (our reader's library) and warcio, gzip and uncompressed; best of 3."""
    import gzip
    import shutil

    from fastwarc.warc import ArchiveIterator, WarcRecordType

    plain = work / "pages.warc"
    with gzip.open(warc_gz, "rb") as src, open(plain, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)

    def fastwarc(path: Path) -> int:
        with open(path, "rb") as fh:
            return sum(len(r.reader.read()) for r in ArchiveIterator(fh, record_types=WarcRecordType.response))

    def warcio(path: Path) -> int:
        from warcio.archiveiterator import ArchiveIterator as WarcioIterator

        with open(path, "rb") as fh:
            return sum(len(r.content_stream().read()) for r in WarcioIterator(fh) if r.rec_type == "response")

    out = {}
    try:
        for name, fn in (("fastwarc", fastwarc), ("warcio", warcio)):
            for label, path in (("gzip", warc_gz), ("plain", plain)):
                try:
                    best = []
                    for _ in range(3):
                        t0 = time.perf_counter()
                        fn(path)
                        best.append(time.perf_counter() - t0)
                    out[f"{name}_{label}_s"] = round(min(best), 2)
                except ImportError:
                    out[f"{name}_{label}_s"] = None
    finally:
        plain.unlink()
    return out


def _summarise(runs: dict) -> dict:
    one, two = runs["1"], runs["2"]
    out = {"scaling_efficiency": round(two["records_per_s"] / one["records_per_s"], 3)}
    if "2_big" in runs:
        big = runs["2_big"]
        out.update(rss_ratio_big_over_1x=round(big["peak_rss_mb"] / two["peak_rss_mb"], 3),
                   pss_ratio_big_over_1x=round(big["peak_pss_mb"] / two["peak_pss_mb"], 3))
    return out


def run(*, scrapinghub: str | None = None, wcxb: str | None = None, times: int = 10,
        work: Path = ROOT / "data" / "streams", out: Path = ROOT / "results" / "streams.json",
        limit: int | None = None, what: list[str] | None = None) -> int:
    """The step itself, with the command line's options as keyword arguments."""
    what = list(WHAT) if what is None else what

    pages = _pages(scrapinghub, wcxb)[: limit]
    paths = build_inputs(work, pages, times)
    result: dict = {"pages": len(pages), "times": times, "cpus": os.cpu_count(),
                    "input_mb": {k: round(p.stat().st_size / 2**20, 1) for k, p in paths.items()}}
    del pages
    if "readers" in what:
        result["warc_readers"] = reader_speed(paths["warc"], work)
    if "startup" in what:
        result["task_startup_s"] = task_startup()
    for step in (w for w in what if w in ("cli", "engine", "engine_fork")):
        for kind in ("warc", "jsonl"):
            runs = {}
            # engine_fork: datatrove with start_method="fork" and the model loaded before forking;
            # only the 1x input (memory is measured on the default start method).
            sizes = (("1", 1, False), ("2", 2, False)) if step == "engine_fork" else (
                ("1", 1, False), ("2", 2, False), ("2_big", 2, True))
            for key, workers, big in sizes:
                print(f"{step} {kind} workers={workers} {'x' + str(times) if big else '1x'} ...",
                      file=sys.stderr, flush=True)
                if step == "cli":
                    runs[key] = run_cli(paths[kind + ("_big" if big else "")], workers, work)
                else:
                    runs[key] = run_engine(kind, work / f"{kind}{'_big' if big else ''}_shards", workers,
                                           work, "fork" if step == "engine_fork" else "forkserver")
                print(f"  {runs[key]}", file=sys.stderr, flush=True)
            result[f"{step}_{kind}"] = {"runs": runs, **_summarise(runs)}
    out.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(out.read_text()) if out.exists() else {}
    previous.update(result)
    out.write_text(json.dumps(previous, indent=2) + "\n")
    for key in (k for k in previous if k.startswith(("cli_", "engine_"))):
        r = previous[key]
        memory = (f" | peak RSS 1x {r['runs']['2']['peak_rss_mb']:.0f} MB, x{previous['times']} "
                  f"{r['runs']['2_big']['peak_rss_mb']:.0f} MB (ratio {r['rss_ratio_big_over_1x']:.2f})"
                  if "2_big" in r["runs"] else "")
        print(f"{key:18s} 1 worker {r['runs']['1']['records_per_s']:8.1f} rec/s | 2 workers "
              f"{r['runs']['2']['records_per_s']:8.1f} rec/s | scaling {r['scaling_efficiency']:.2f}{memory}")
    return 0



def main(argv: list[str] | None = None) -> int:
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--engine-child":
        kind, src, out, workers, start_method = sys.argv[2:7]
        engine_child(kind, src, out, int(workers), start_method)
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scrapinghub", default=os.environ.get("BOILERPLATE_SCRAPINGHUB"))
    parser.add_argument("--wcxb", default=os.environ.get("BOILERPLATE_WCXB"))
    parser.add_argument("--times", type=int, default=10, help="size of the large input, in copies of the pages")
    parser.add_argument("--work", type=Path, default=ROOT / "data" / "streams")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "streams.json")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N pages (smoke runs)")
    parser.add_argument("--what", nargs="+", default=list(WHAT), choices=WHAT)
    args = parser.parse_args(argv)
    return run(**vars(args))

if __name__ == "__main__":
    sys.exit(main())
