"""Reliability diagram of P(body) from a cross-validation run (``benchmarks.cross_validate``).

    python -m benchmarks.reliability --cv results/cv.json --out paper/figures/reliability.png

Plots, for the text and the HTML model, the observed share of body lines against the mean
predicted P(body) per bin (out-of-fold, all corpus lines; bins with fewer than 50 lines are not
drawn) and prints the expected calibration error of each. A missing input is an error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .common import ROOT

MIN_BIN_LINES = 50


def plot_reliability(cv: dict, ax) -> None:
    """Draw the reliability diagram of both variants of a cv.json onto ``ax``; prints each ECE."""
    variants = [v for v in ("text", "html") if "calibration" in cv.get(v, {})]
    if not variants:
        raise SystemExit("reliability: the cv results have no calibration")
    ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls="--", label="perfect calibration")
    for variant, marker in zip(variants, ("o", "s")):
        cal = cv[variant]["calibration"]["all"]
        bins = [b for b in cal["bins"] if b["n"] >= MIN_BIN_LINES]
        ax.plot([b["mean_p"] for b in bins], [b["rate"] for b in bins], marker=marker,
                label=f"{variant} model (ECE {cal['ece']:.3f})")
        print(f"{variant}: ECE {cal['ece']:.4f} over {sum(b['n'] for b in cal['bins']):,} lines; "
              f"hand pages only {cv[variant]['calibration']['hand']['ece']:.4f}", file=sys.stderr)
    ax.set_xlabel("mean predicted P(body) in bin")
    ax.set_ylabel("observed share of body lines")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title(f"Reliability of P(body), grouped {cv.get('folds', '?')}-fold CV (bins of ≥ {MIN_BIN_LINES} lines)",
                 fontsize=8)
    ax.legend(fontsize=7, loc="upper left")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cv", type=Path, default=ROOT / "results" / "cv.json")
    parser.add_argument("--out", type=Path, default=ROOT / "paper" / "figures" / "reliability.png")
    args = parser.parse_args(argv)
    if not args.cv.is_file():
        parser.error(f"{args.cv}: no such file (run python -m benchmarks.cross_validate first)")
    cv = json.loads(args.cv.read_text())
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.2, 4.2))
    plot_reliability(cv, ax)
    fig.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=150)
    return 0


if __name__ == "__main__":
    sys.exit(main())
