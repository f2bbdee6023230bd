"""Before/after throughput of two source trees of the package, alternated on the same inputs.

    python -m benchmarks.ab --before ../old-tree --after . --scrapinghub DIR [--rounds 5] [--out FILE]

A change to the package's own speed cannot be timed in one process against the old code (one
process imports one ``boilerplate``), so each round runs a fresh process per tree, in turn (before,
after, before, ...), on the same inputs: ``boilerplate.clean_html`` over the Scrapinghub pages and
``boilerplate.clean`` over their rendered text (rendered once, by the *after* tree, so both clean
the same text), each after one warm-up page. Each process prints its seconds; the minimum and
median over ``--rounds`` rounds are compared, as ``benchmarks.speed`` does for peers. The first
repetition inside each process is also kept (``first_s``): the package's caches (class/id and link
words, class/id strings) are cold then, as on a stream of pages from many sites. And each process's
start: the seconds from before ``import boilerplate`` to the end of its first ``clean_html`` and
``clean`` calls (``ready_s``: imports, compiled-code caches, models, lexicon database), what a
command-line run or a worker pays once.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: What each process runs (argv: pages file, texts file, repetitions); it prints one JSON object.
WORKER = r"""
import json, os, pickle, sys, time
os.environ.setdefault("OMP_NUM_THREADS", "1")
pages = pickle.load(open(sys.argv[1], "rb"))
texts = pickle.load(open(sys.argv[2], "rb"))
reps = int(sys.argv[3])
start = time.perf_counter()
import boilerplate
boilerplate.clean_html(pages[0])
boilerplate.clean(texts[0])
ready = time.perf_counter() - start
out = {"html": [], "text": [], "ready_s": ready, "package": os.path.dirname(boilerplate.__file__)}
for _ in range(reps):
    start = time.perf_counter()
    for page in pages:
        boilerplate.clean_html(page)
    out["html"].append(time.perf_counter() - start)
    start = time.perf_counter()
    for text in texts:
        boilerplate.clean(text)
    out["text"].append(time.perf_counter() - start)
print(json.dumps(out))
"""


def run_tree(tree: Path, pages_file: Path, texts_file: Path, reps: int) -> dict:
    """One process importing the package from ``tree``: seconds per repetition, HTML and text."""
    env = {**os.environ, "PYTHONPATH": str(tree.resolve()), "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", WORKER, str(pages_file), str(texts_file), str(reps)],
                          cwd=tempfile.gettempdir(), env=env, capture_output=True, text=True, check=True)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    if Path(out["package"]).resolve() != (tree / "boilerplate").resolve():
        raise SystemExit(f"the process imported {out['package']}, not {tree / 'boilerplate'}: an installed "
                         "copy shadows the tree")
    return out


def tree_commit(tree: Path) -> dict:
    """The commit a source tree is at and whether its package directory differs from it."""
    def git(*cmd: str) -> str:
        done = subprocess.run(["git", "-C", str(tree), *cmd], capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    return {"path": str(tree), "commit": git("rev-parse", "HEAD")[:10] or None,
            "package_dirty": bool(git("status", "--porcelain", "--", "boilerplate"))}


def main(argv: list[str] | None = None) -> int:
    import pickle

    from boilerplate.eval.corpora import iter_pages
    from boilerplate.html import render_text

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="source tree of the old code")
    parser.add_argument("--after", type=Path, default=ROOT, help="source tree of the new code")
    parser.add_argument("--scrapinghub", default=os.environ.get("BOILERPLATE_SCRAPINGHUB"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reps", type=int, default=2, help="repetitions inside each process")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if not args.scrapinghub:
        parser.error("--scrapinghub (or BOILERPLATE_SCRAPINGHUB) is required")
    for tree in (args.before, args.after):
        if not (tree / "boilerplate" / "__init__.py").is_file():
            parser.error(f"{tree} holds no boilerplate package")
    pages = [page.html for page in iter_pages("scrapinghub", args.scrapinghub)]
    texts = [render_text(page) for page in pages]
    n_lines = sum(text.count("\n") + 1 for text in texts)
    runs: dict[str, list[dict]] = {"before": [], "after": []}
    with tempfile.TemporaryDirectory() as tmp:
        pages_file, texts_file = Path(tmp) / "pages.pkl", Path(tmp) / "texts.pkl"
        pages_file.write_bytes(pickle.dumps(pages))
        texts_file.write_bytes(pickle.dumps(texts))
        for r in range(args.rounds):
            for name in ("before", "after"):
                runs[name].append(run_tree(getattr(args, name), pages_file, texts_file, args.reps))
            print(f"round {r + 1}/{args.rounds}: " + ", ".join(
                f"{name} html {min(v[-1]['html']):.2f} s, text {min(v[-1]['text']):.2f} s"
                for name, v in runs.items()), file=sys.stderr)
    result: dict = {"pages": len(pages), "lines": n_lines, "rounds": args.rounds, "reps": args.reps,
                    "trees": {"before": tree_commit(args.before), "after": tree_commit(args.after)}}
    for kind in ("html", "text"):
        row = {}
        for name, v in runs.items():
            every = [s for x in v for s in x[kind]]
            first = [x[kind][0] for x in v]
            row[name] = {"min_s": min(every), "median_s": statistics.median(every), "first_min_s": min(first),
                         "runs_s": [x[kind] for x in v]}
        row["speedup_min"] = row["before"]["min_s"] / row["after"]["min_s"]
        row["speedup_median"] = row["before"]["median_s"] / row["after"]["median_s"]
        row["speedup_first"] = row["before"]["first_min_s"] / row["after"]["first_min_s"]
        result[kind] = row
    ready = {name: [x["ready_s"] for x in v] for name, v in runs.items()}
    result["startup"] = {**{name: {"min_s": min(v), "median_s": statistics.median(v), "runs_s": v}
                            for name, v in ready.items()},
                         "speedup_min": min(ready["before"]) / min(ready["after"]),
                         "speedup_median": statistics.median(ready["before"]) / statistics.median(ready["after"])}
    per = {"html": (len(pages), "pages/s"), "text": (n_lines, "lines/s")}
    for kind, (n, unit) in per.items():
        r = result[kind]
        print(f"{kind}: before {n / r['before']['min_s']:,.1f} {unit}, after {n / r['after']['min_s']:,.1f} {unit} "
              f"(min); speed-up {r['speedup_min']:.3f}x min, {r['speedup_median']:.3f}x median, "
              f"{r['speedup_first']:.3f}x first repetition (cold caches)")
    st = result["startup"]
    print(f"start (import and first calls): before {st['before']['min_s']:.2f} s, after {st['after']['min_s']:.2f} s "
          f"(min); {st['speedup_min']:.2f}x min, {st['speedup_median']:.2f}x median")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
