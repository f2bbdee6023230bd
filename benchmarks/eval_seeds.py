"""The seeds test (issue 15): does a text model that never saw the two seed documents clean them?

    python -m benchmarks.eval_seeds --data data/ [--params JSON] [--out results/seeds.json]
    python -m benchmarks.eval_seeds --model FILE        # a saved model, as it is

The seeds (``fixtures/seeds.jsonl``) are article text as a scraper gives it, with no markup: the
case the text path exists for. By default a learned text detector (the text model's ``SHIPPED_PARAMS``, or
``--params``) is trained on every corpus page with the seeds left out, as the cross-validation's
seeds fit is (``benchmarks.cross_validate`` scores the seeds with :func:`seed_scores` too), and
labels them with the shipped text model's kind offsets. ``--model`` scores a saved model instead;
the shipped ones were trained *with* the seeds, so that run shows what ``boilerplate clean`` does
to them, not a held-out score.

Prints every non-blank seed line (gold, predicted label, P(body)), then the two counts the issue
sets: body lines kept (target: all 14) and appeal, ad and teaser lines kept (target: none of 35).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from boilerplate.detectors.learned import LearnedDetector, ModelError
from boilerplate.eval.dataset import read_jsonl
from boilerplate.eval.metrics import line_prf
from boilerplate.labels import BODY, BODY_INDEX, LABELS

from .common import ROOT, load_corpus
from .train_default import SHIPPED_PARAMS, shipped_offsets

#: The kinds a cleaned seed must not keep.
DROPPED_KINDS = ("appeal", "ad", "teaser")


def seed_scores(seeds: list, preds: list) -> dict:
    """Line scores of the seed documents' labels ``preds`` against their gold, with the body lines
    dropped and the appeal, ad and teaser lines kept, as text, and their counts."""
    res = line_prf([g for d in seeds for g in d.labels], [p for s in preds for p in s], LABELS)
    res["pred"] = preds
    pairs = [(t, g, p) for d, s in zip(seeds, preds) for t, g, p in zip(d.lines, d.labels, s)]
    res["body_lines_dropped"] = [t for t, g, p in pairs if g == BODY and p != BODY]
    res["appeal_ad_teaser_kept"] = [t for t, g, p in pairs if g in DROPPED_KINDS and p == BODY]
    res["body_lines"] = sum(g == BODY for _, g, _ in pairs)
    res["appeal_ad_teaser_lines"] = sum(g in DROPPED_KINDS for _, g, _ in pairs)
    return res


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--params", type=json.loads, default=SHIPPED_PARAMS["learned-text"],
                        help="LearnedDetector hyper-parameters as JSON (default: the shipped text model's, "
                             f"{json.dumps(SHIPPED_PARAMS['learned-text'])})")
    parser.add_argument("--model", type=Path, default=None, help="score this saved model instead of training one")
    parser.add_argument("--out", type=Path, default=None, help="also write the scores as JSON")
    args = parser.parse_args(argv)
    seeds = list(read_jsonl(ROOT / "fixtures" / "seeds.jsonl"))
    t0 = time.perf_counter()
    if args.model is not None:
        try:
            model = LearnedDetector.load(args.model)
        except ModelError as exc:
            print(f"eval_seeds: {exc}", file=sys.stderr)
            return 2
        source = f"{args.model} (as saved)"
    else:
        docs = load_corpus(args.data)
        params = {**args.params, "kind_offsets": shipped_offsets("learned-text")}
        model = LearnedDetector(html=False, **params).fit(docs)
        source = f"trained on {len(docs)} corpus pages, the seeds left out, {json.dumps(args.params)}"
    probas = model.predict_proba_many(seeds)
    preds = [model.labels_from_proba(d, p) for d, p in zip(seeds, probas)]
    res = seed_scores(seeds, preds)
    res["model"] = source
    print(f"model: {source} ({time.perf_counter() - t0:.0f} s)")
    for d, labels, proba in zip(seeds, preds, probas):
        print(f"\n{d.id}")
        for line, gold, pred, p in zip(d.lines, d.labels, labels, proba[:, BODY_INDEX]):
            if line.strip():
                mark = " " if gold == pred else "*"
                print(f"{mark} {gold:>8} {pred:>8} {p:5.2f}  {line[:90]}")
    kept = res["body_lines"] - len(res["body_lines_dropped"])
    print(f"\nbody lines kept: {kept} of {res['body_lines']}; appeal/ad/teaser lines kept: "
          f"{len(res['appeal_ad_teaser_kept'])} of {res['appeal_ad_teaser_lines']}; "
          f"macro-F1 {res['macro_f1']:.3f}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(res, indent=1, default=float) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
