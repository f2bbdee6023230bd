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
import re
import sys
import time
from pathlib import Path

from .common import environment

ROOT = Path(__file__).resolve().parents[1]
QUICK_PAGES = 24
STREAM_PAGES = 600


QUICK_PARAMS = {"max_iter": 40, "kind_max_iter": 20}  # smaller fits: quick mode tests the pipeline, not the model


def _step_corpus(args: argparse.Namespace, out: Path) -> None:
    from . import build_corpus

    build_corpus.run(scrapinghub=args.scrapinghub, wcxb=args.wcxb, postlight=args.postlight, out=out / "data",
                     limit=QUICK_PAGES if args.quick else None)


def _step_agreement(args: argparse.Namespace, out: Path) -> None:
    from . import agreement

    agreement.run(data=out / "data", out=out / "results" / "agreement.json")


def _step_cv(args: argparse.Namespace, out: Path) -> None:
    from . import cross_validate

    # the shipped setting (benchmarks.train_default.SHIPPED_PARAMS) unless quick
    quick = {"folds": 3, "bootstrap": 0, "params": QUICK_PARAMS} if args.quick else {}
    cross_validate.run(data=out / "data", out=out / "results" / "cv.json", **quick)


def _step_heuristics(args: argparse.Namespace, out: Path) -> None:
    from . import heuristics

    heuristics.run(data=out / "data", out=out / "results" / "heuristics.json", bootstrap=0 if args.quick else 1000)


def _step_peers(args: argparse.Namespace, out: Path) -> None:
    from . import peer_bench

    peer_bench.run(data=out / "data", out=out / "results" / "peers.json", scrapinghub=args.scrapinghub,
                   wcxb=args.wcxb, bootstrap=0 if args.quick else 1000)


def _step_speed(args: argparse.Namespace, out: Path) -> None:
    from . import speed

    quick = {"limit": QUICK_PAGES, "repeats": 1, "wcxb_sample": QUICK_PAGES // 2, "one_line_calls": 100} \
        if args.quick else {}
    speed.run(data=out / "data", out=out / "results" / "speed.json", scrapinghub=args.scrapinghub,
              wcxb=args.wcxb, **quick)


def _step_experiments(args: argparse.Namespace, out: Path) -> None:
    from . import experiments

    # quick: 2 folds, every ablation and one curve point, to exercise the pipeline in CI time
    quick = {"folds": 2, "params": QUICK_PARAMS, "fractions": (0.3, 1.0)} if args.quick else {}
    experiments.run(data=out / "data", out=out / "results" / "experiments.json", **quick)


def _step_streams(args: argparse.Namespace, out: Path) -> None:
    from . import stream_bench

    # quick: the CLI only; the datatrove step runs end to end in tests/test_datatrove.py
    # full: the first STREAM_PAGES pages and a 3x copy for memory, CLI and datatrove (what fits the
    # hour); python -m benchmarks.stream_bench alone runs all pages, 10x, and the fork variant
    quick = {"limit": QUICK_PAGES, "times": 2, "what": ["cli"]} if args.quick else {
        "limit": STREAM_PAGES, "times": 3, "what": ["readers", "startup", "cli", "engine"]}
    stream_bench.run(out=out / "results" / "streams.json", work=out / "data" / "streams",
                     scrapinghub=args.scrapinghub, wcxb=args.wcxb, **quick)


def _step_report(args: argparse.Namespace, out: Path) -> None:
    from . import report

    # README's and the datasheet's generated blocks are rewritten when the output folder is a checkout
    docs = out if (out / "README.md").is_file() and (out / "docs" / "datasheet.md").is_file() else None
    report.run(results=out / "results", data=out / "data", paper=out / "paper", docs=docs)


#: Each step's function, in run order.
STEP_FUNCTIONS = {"corpus": _step_corpus, "agreement": _step_agreement, "cv": _step_cv,
                  "heuristics": _step_heuristics, "peers": _step_peers, "speed": _step_speed,
                  "experiments": _step_experiments, "streams": _step_streams, "report": _step_report}
STEPS = tuple(STEP_FUNCTIONS)


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
    from .report import FIGURES

    for name in ("main_scrapinghub.md", "main_wcxb.md", "fine_grained.md", "speed.md", "numbers.md", "languages.md"):
        if not (out / "paper" / "tables" / name).is_file():
            problems.append(f"report: table {name} missing")
    for name in FIGURES:
        for ext in ("png", "pdf"):
            if not (out / "paper" / "figures" / f"{name}.{ext}").is_file():
                problems.append(f"report: figure {name}.{ext} missing")
    paper = (out / "paper" / "paper.md").read_text() if (out / "paper" / "paper.md").is_file() else ""
    if "{{" in paper:
        problems.append("report: paper.md has unfilled placeholders")
    for link in re.findall(r"\]\((figures/[^)]+)\)", paper):
        if not (out / "paper" / link).is_file():
            problems.append(f"report: paper.md links {link}, which does not exist")
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
    meta_path = args.out / "results" / "meta.json"
    env = environment()
    # one record per step: the commit and environment it ran at and how long it took, so a report
    # built from several invocations says where each result came from
    meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
    meta = {**meta, **env, "quick": args.quick, "steps": {**meta.get("steps", {})}}
    meta_path.write_text(json.dumps(meta, indent=1) + "\n")  # the report step reads this run's commit
    t_all = time.perf_counter()
    for k, step in enumerate(steps, 1):
        if args.reuse and (args.out / RESULT_OF[step]).is_file():
            print(f"[{k}/{len(steps)}] {step}: reusing {RESULT_OF[step]}", file=sys.stderr, flush=True)
            continue
        print(f"[{k}/{len(steps)}] {step} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        STEP_FUNCTIONS[step](args, args.out)
        seconds = time.perf_counter() - t0
        # another invocation may have recorded its steps meanwhile (runs of different steps can
        # overlap): merge into what the file holds now, never write back a stale copy
        now = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
        meta["steps"] = {**meta["steps"], **now.get("steps", {}),
                         step: {"git_commit": env["git_commit"], "git_dirty": env["git_dirty"],
                                "seconds": round(seconds, 1), "quick": args.quick}}
        meta_path.write_text(json.dumps(meta, indent=1) + "\n")
        print(f"[{k}/{len(steps)}] {step} done in {seconds:.0f} s", file=sys.stderr, flush=True)
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
