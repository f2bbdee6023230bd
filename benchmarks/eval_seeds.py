"""Line accuracy of a detector on the two hand-labeled seed documents, per label.

    python -m benchmarks.eval_seeds [--detector rules]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from boilerplate import detectors
from boilerplate.eval.dataset import read_jsonl
from boilerplate.eval.metrics import line_prf
from boilerplate.labels import LABELS

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds.jsonl"


def evaluate(detector_name: str) -> dict:
    det = detectors.get(detector_name)
    gold, pred = [], []
    for doc in read_jsonl(SEEDS):
        gold += doc.labels
        pred += det.predict(doc)
    return line_prf(gold, pred, LABELS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--detector", default="rules")
    args = parser.parse_args()
    result = evaluate(args.detector)
    print(f"detector {args.detector}: line accuracy {result['accuracy']:.3f} over {result['n']} labeled lines")
    print(f"{'label':10} {'support':>7} {'recall(acc)':>11} {'precision':>9} {'F1':>6}")
    for name in LABELS:
        r = result["per_label"][name]
        print(f"{name:10} {r['support']:7d} {r['recall']:11.3f} {r['precision']:9.3f} {r['f1']:6.3f}")


if __name__ == "__main__":
    main()
