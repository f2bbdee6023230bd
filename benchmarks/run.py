"""One command for every number, table and figure of the write-up.

    python -m benchmarks.run --scrapinghub DIR --wcxb DIR [--out .] [--quick] [--reuse] [--steps ...]

Steps, each writing ``OUT/results/<step>.json`` (package versions and git commit in
``OUT/results/meta.json``):

    corpus       build the line-level corpus (benchmarks.build_corpus) into OUT/data
    agreement    inter-annotator agreement of the two hand passes (benchmarks.agreement)
    cv           grouped 5-fold cross-validation of the learned detectors (benchmarks.cross_validate)
    heuristics   our rules and the line-filter baselines (benchmarks.heuristics)
    peers        trafilatura, jusText, readability, boilerpipe, html-text, resiliparse on the HTML,
                 published Scrapinghub outputs scored for quality only (benchmarks.peers)
    speed        throughput of ours against trafilatura; lines/s against document size
    experiments  learning curve and feature-group ablation (benchmarks.experiments)
    streams      records/s, scaling and peak RSS of stream cleaning, CLI and datatrove (benchmarks.stream_bench)
    report       OUT/paper/tables/*.md, OUT/paper/figures/*.{png,pdf}, OUT/paper/paper.md (benchmarks.report)

``--quick`` runs all of it end to end on a small subset (CI-sized: 3 folds, 24 pages per corpus,
no bootstrap) and asserts on the outputs; ``--reuse`` skips a step whose result file exists.
Fixed seeds throughout: two runs give the same scores (speed aside).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STEPS = ("corpus", "agreement", "cv", "heuristics", "peers", "speed", "experiments", "streams", "report")
PACKAGES = ("boilerplate", "numpy", "scipy", "scikit-learn", "lxml", "justext", "matplotlib", "trafilatura",
            "readability-lxml", "boilerpy3", "html-text", "resiliparse")
QUICK_PAGES = 24
QUICK_PARAMS = '{"max_iter": 40, "kind_max_iter": 20}'  # smaller fits: quick mode tests the pipeline, not the model


def environment() -> dict:
    """Package versions, Python, machine and git commit: what a result depends on."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                                    capture_output=True, text=True).stdout.strip())
    except (OSError, subprocess.CalledProcessError):
        commit, dirty = None, None
    return {"packages": versions, "python": platform.python_version(), "machine": platform.machine(),
            "cpus": os.cpu_count(), "git_commit": commit, "git_dirty": dirty}


def _step_corpus(args, out: Path) -> None:
    from . import build_corpus

    argv = ["--out", str(out / "data")]
    for source in ("scrapinghub", "wcxb", "postlight"):
        if getattr(args, source):
            argv += [f"--{source}", getattr(args, source)]
    if args.quick:
        argv += ["--limit", str(QUICK_PAGES)]
    build_corpus.main(argv)


def _step_agreement(args, out: Path) -> None:
    from . import agreement

    agreement.main(["--data", str(out / "data"), "--out", str(out / "results" / "agreement.json")])


def _step_cv(args, out: Path) -> None:
    from . import cross_validate

    argv = ["--data", str(out / "data"), "--out", str(out / "results" / "cv.json")]
    if args.quick:
        argv += ["--folds", "3", "--bootstrap", "0", "--params", QUICK_PARAMS]
    cross_validate.main(argv)


def _step_heuristics(args, out: Path) -> None:
    from . import heuristics

    argv = ["--data", str(out / "data"), "--out", str(out / "results" / "heuristics.json")]
    if args.quick:
        argv += ["--bootstrap", "0"]
    heuristics.main(argv)


def _step_peers(args, out: Path) -> None:
    from . import peer_bench

    argv = ["--data", str(out / "data"), "--out", str(out / "results" / "peers.json")]
    for source in ("scrapinghub", "wcxb"):
        if getattr(args, source):
            argv += [f"--{source}", getattr(args, source)]
    if args.quick:
        argv += ["--bootstrap", "0"]
    peer_bench.main(argv)


def _step_speed(args, out: Path) -> None:
    from . import speed

    argv = ["--data", str(out / "data"), "--out", str(out / "results" / "speed.json")]
    if args.scrapinghub:
        argv += ["--scrapinghub", args.scrapinghub]
    speed.main(argv)


def _step_experiments(args, out: Path) -> None:
    from . import experiments

    argv = ["--data", str(out / "data"), "--out", str(out / "results" / "experiments.json")]
    if args.quick:
        argv += ["--folds", "3", "--params", QUICK_PARAMS]
    experiments.main(argv)


def _step_streams(args, out: Path) -> None:
    from . import stream_bench

    argv = ["--out", str(out / "results" / "streams.json"), "--work", str(out / "data" / "streams")]
    for source in ("scrapinghub", "wcxb"):
        if getattr(args, source):
            argv += [f"--{source}", getattr(args, source)]
    if args.quick:
        # CLI only: the datatrove step runs end to end in tests/test_datatrove.py
        argv += ["--limit", str(QUICK_PAGES), "--times", "2", "--what", "cli"]
    stream_bench.main(argv)


def _step_report(args, out: Path) -> None:
    from . import report

    report.main(["--results", str(out / "results"), "--data", str(out / "data"), "--paper", str(out / "paper")])


RESULT_OF = {"corpus": "data/gold.json", "agreement": "results/agreement.json", "cv": "results/cv.json", "heuristics": "results/heuristics.json",
             "peers": "results/peers.json", "speed": "results/speed.json",
             "experiments": "results/experiments.json", "streams": "results/streams.json",
             "report": "paper/paper.md"}


def check_outputs(out: Path, steps: tuple[str, ...] | list[str] = STEPS) -> list[str]:
    """What the given steps of a run must have produced; returns the problems (empty = fine)."""
    problems = []
    for step, rel in RESULT_OF.items():
        if step in steps and not (out / rel).is_file():
            problems.append(f"{step}: {rel} missing")
    if "cv" not in steps and "report" not in steps:
        return problems
    cv = json.loads((out / "results" / "cv.json").read_text()) if (out / "results" / "cv.json").is_file() else {}
    for variant in ("text", "html"):
        f1 = cv.get(variant, {}).get("scrapinghub", {}).get("all", {}).get("f1")
        if not isinstance(f1, float) or not 0.0 <= f1 <= 1.0:
            problems.append(f"cv: {variant} Scrapinghub F1 is {f1!r}")
    if "report" not in steps:
        return problems
    for name in ("main_scrapinghub.md", "main_wcxb.md", "fine_grained.md"):
        if not (out / "paper" / "tables" / name).is_file():
            problems.append(f"report: table {name} missing")
    for name in ("confusion", "seeds", "learning_curve", "ablation", "threshold", "throughput"):
        for ext in ("png", "pdf"):
            if not (out / "paper" / "figures" / f"{name}.{ext}").is_file():
                problems.append(f"report: figure {name}.{ext} missing")
    paper = (out / "paper" / "paper.md").read_text() if (out / "paper" / "paper.md").is_file() else ""
    if "{{" in paper:
        problems.append("report: paper.md has unfilled placeholders")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scrapinghub", default=os.environ.get("BOILERPLATE_SCRAPINGHUB"))
    parser.add_argument("--wcxb", default=os.environ.get("BOILERPLATE_WCXB"))
    parser.add_argument("--postlight", default=os.environ.get("BOILERPLATE_POSTLIGHT"),
                        help="the Postlight pool (its hand-read pages join the fine-grained gold)")
    parser.add_argument("--out", type=Path, default=ROOT, help="where data/, results/ and paper/ go")
    parser.add_argument("--quick", action="store_true", help="small subset, end to end, with output checks")
    parser.add_argument("--reuse", action="store_true", help="skip steps whose result file exists")
    parser.add_argument("--steps", default=",".join(STEPS), help=f"comma-separated subset of {STEPS}")
    args = parser.parse_args(argv)
    steps = [s for s in args.steps.split(",") if s]
    unknown = set(steps) - set(STEPS)
    if unknown:
        parser.error(f"unknown steps {sorted(unknown)}; known: {', '.join(STEPS)}")
    if "corpus" in steps and not (args.scrapinghub or args.wcxb) and not (args.out / "data" / "gold.json").is_file():
        parser.error("give --scrapinghub DIR and --wcxb DIR (or set BOILERPLATE_SCRAPINGHUB / BOILERPLATE_WCXB)")
    (args.out / "results").mkdir(parents=True, exist_ok=True)
    (args.out / "results" / "meta.json").write_text(json.dumps(
        {**environment(), "quick": args.quick, "steps": steps}, indent=1) + "\n")
    t_all = time.perf_counter()
    for k, step in enumerate(steps, 1):
        if args.reuse and (args.out / RESULT_OF[step]).is_file():
            print(f"[{k}/{len(steps)}] {step}: reusing {RESULT_OF[step]}", file=sys.stderr, flush=True)
            continue
        print(f"[{k}/{len(steps)}] {step} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        globals()[f"_step_{step}"](args, args.out)
        print(f"[{k}/{len(steps)}] {step} done in {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    print(f"all steps done in {time.perf_counter() - t_all:.0f} s", file=sys.stderr)
    if args.quick:
        problems = check_outputs(args.out, steps)
        if problems:
            print("quick run FAILED its output checks:\n  " + "\n  ".join(problems), file=sys.stderr)
            return 1
        print("quick run: all outputs present and well-formed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
