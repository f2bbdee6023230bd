"""Train the models shipped inside the package (boilerplate/detectors/learned/models/{text,html}.npz).

    python -m benchmarks.train_default --data data/ [--params JSON] [--only NAME] [--decision-only]

The hyper-parameters are each model's :data:`SHIPPED_PARAMS`, the setting chosen by grouped
cross-validation (``python -m benchmarks.cross_validate --params ...``; the numbers are in the
closing notes and ``paper/``), never by scores on the pages the shipped model then trains on.
``--params`` trains every model it trains with the given setting instead.

Text-only model: the seeds, both aligned corpora and the hand-annotated pages (the corpus files
already carry the hand labels, joined by benchmarks.build_corpus). HTML-aware model: the corpus
pages (the seeds have no HTML). Fixed random_state: the same data gives the same model.

``--decision-only`` refits nothing: it sets each shipped model's decision knobs
(:data:`SHIPPED_KIND_OFFSETS` under :data:`KIND_DECISION`, and the label chain's weight of
:data:`SHIPPED_PARAMS`) on the model files as they are, for knobs chosen by a cross-validation run
after the models were trained. The arrays are unchanged; a chain weight needs a file with a chain.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from boilerplate.detectors.learned import SHIPPED, LearnedDetector
from boilerplate.eval.dataset import read_jsonl

from .common import ROOT, load_corpus

#: LearnedDetector parameters of each shipped model. Both boosters also read the kind evidence
#: (``stack_kinds``). HTML, grouped CV of 1,733 pages at 983ca76 against b52c2b2: fine macro-F1
#: 0.716 -> 0.725 with every label up, Scrapinghub F1 0.940 -> 0.943, WCXB 0.838 -> 0.842. Text:
#: with the out-of-fold kind fits stopped at 100 iterations (9be22a5) P(body) lost calibration
#: (ECE 0.020 -> 0.047); run as long as the kind model's own fit (500, at 27b0b93) fine macro-F1
#: went 0.587 -> 0.604 with every label up, Scrapinghub 0.878 -> 0.890, WCXB 0.808 -> 0.806, ECE
#: 0.026, and the leave-seeds-out model kept 15 of the 35 seed appeal/ad/teaser lines (11 before).
#: Text, grouped CV at a1852d4 against 4a43f4a's (the same first stage, so the same P(body)): the
#: second kind stage (``kind_stage="context-linear"``) took fine macro-F1 0.609 -> 0.621 (headline
#: 0.523 -> 0.556, metadata 0.579 -> 0.595, teaser 0.613 -> 0.630); the booster cut to 100 trees
#: lost at most 0.0014 of any F1 (Scrapinghub 0.8971 -> 0.8957) with ECE 0.029 -> 0.020, for
#: 1.11x the text path's speed (``benchmarks.speed``'s tree curve), so it ships with 100.
#: Lexical cohesion in that stage (``cohesion``), grouped CV at 831c74b against 882387d's (same
#: rounds 1-34, same P(body)): fine macro-F1 0.6215 -> 0.6296 (headline 0.554 -> 0.596, teaser
#: 0.634 -> 0.638; Japanese, 30 pages, 0.412 -> 0.388).
#: Edge words (``edge_words``), grouped CV at 83ee74d on rounds 1-36 against d74d062's (the same
#: data and folds): fine macro-F1 0.6210 -> 0.6252 (teaser 0.617 -> 0.631, headline 0.588 -> 0.594,
#: metadata 0.595 -> 0.601, ad 0.400 -> 0.398), Scrapinghub 0.9008 -> 0.9057, WCXB 0.8096 -> 0.8123,
#: WCXB article 0.9291 -> 0.9317, ECE 0.018 both; leave-seeds-out 13 of 35 kept both.
#: HTML keeps the flat kinds: the same stage, in the grouped CV of rounds 1-36 at 9454750, took fine
#: macro-F1 0.7230 -> 0.7206 (ad 0.549 -> 0.537), and with it the chain's weight over all folds is 0.
#: The line network in the HTML model (``seq_net=64``), grouped CV on rounds 1-37 (1,817 hand-read
#: pages, the same folds) at 727f082 against 9e34b80's run without it, under the rule written before
#: both runs (``docs/measuring.md``, stop 53): fine macro-F1 0.7229 -> 0.7273 with every label
#: up or level (headline 0.815 -> 0.827, ad 0.564 -> 0.569), Scrapinghub 0.9388 -> 0.9425, WCXB
#: 0.8446 -> 0.8451, WCXB article 0.9499 -> 0.9514, ECE 0.0091 -> 0.0074.
#: The kind network in the text model at the decision alone (``kind_mlp=32``,
#: ``kind_mlp_decision``, the 16,384 most frequent words), grouped CV on rounds 1-37 at 49f771d
#: (``results/r37kmw``) against a41fd2d's run of the setting without it on the same machine, build
#: and folds (``results/r37base``), under the rule written before the baseline (``docs/measuring.md``,
#: stop 56): fine macro-F1 0.6177 -> 0.6235 (metadata 0.542 -> 0.554, appeal 0.688 -> 0.695, ad
#: 0.410 -> 0.420, teaser 0.620 -> 0.618), Scrapinghub 0.8991, WCXB 0.8121, WCXB article 0.9308 and
#: ECE 0.0178 in both (P(body) never reads it).
SHIPPED_PARAMS: dict[str, dict] = {
    "learned-text": {"kind_window": 2, "silver_weight": 0.3, "stack_kinds": True, "stack_kind_max_iter": 500,
                     "shape_words": True, "kind_stage": "context-linear", "max_iter": 100,
                     "kind_transition_weight": 0.1, "cohesion": True, "edge_words": True,
                     "kind_mlp": 32, "kind_mlp_decision": True, "kind_mlp_words": 16384},
    "learned-html": {"kind_window": 2, "silver_weight": 0.3, "stack_kinds": True, "kind_transition_weight": 0.2,
                     "seq_net": 64},
}
#: How the shipped models decide a non-body line's kind: ``"offsets"`` (each model's
#: :data:`SHIPPED_KIND_OFFSETS`) or ``"argmax"``; ``benchmarks.cross_validate`` scores this one as
#: ``fine``.
KIND_DECISION = "offsets"
#: Each shipped model's ``kind_offsets`` (``KINDS`` order: headline, metadata, appeal, ad, teaser,
#: chrome): the offsets ``benchmarks.cross_validate`` fits on the out-of-fold predictions of all
#: its folds (``cv.json``, ``<variant>.kind_offsets.all``), copied here from the run named beside
#: them. Never fitted on the pages a model is scored on: in the CV each fold is decided by offsets
#: fitted on the other folds.
SHIPPED_KIND_OFFSETS: dict[str, tuple[float, ...]] = {
    # benchmarks.cross_validate --variants text with the shipped setting (context-linear with
    # cohesion and edge words, the kind network at the decision, 100 trees, no chain) at 49f771d,
    # 1,817 hand-read pages (rounds 1-37; results/r37kmw); the chain's weight, 0.1, chosen over all
    # folds of the same run's saved rows by benchmarks.decoders (0.6235 -> 0.6250; 0.6251 with the
    # weight chosen on the other folds)
    "learned-text": (0.25, 0.5, 0.25, 0.75, 0.25, 0.0),
    # benchmarks.cross_validate --variants html with the shipped setting (the line network, no
    # chain) at 727f082, 1,817 hand-read pages (rounds 1-37; results/h37seq64); the chain's weight,
    # 0.2, chosen over all folds of the same run's saved rows by benchmarks.decoders (0.7273 ->
    # 0.7313; 0.7313 with the weight chosen on the other folds)
    "learned-html": (-0.25, 0.5, 1.0, 0.5, 0.5, -0.25),
}


def shipped_offsets(name: str) -> tuple[float, ...] | None:
    """The ``kind_offsets`` the shipped model ``name`` carries under :data:`KIND_DECISION`."""
    return SHIPPED_KIND_OFFSETS[name] if KIND_DECISION == "offsets" else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--params", type=json.loads, default=None,
                        help="LearnedDetector hyper-parameters as JSON for every model trained (default: "
                             f"each model's own, {json.dumps(SHIPPED_PARAMS)})")
    parser.add_argument("--only", choices=tuple(SHIPPED), default=None, help="train one of the two models")
    parser.add_argument("--decision-only", action="store_true",
                        help="refit nothing: set the shipped kind offsets on the model files as they are")
    args = parser.parse_args(argv)
    if args.decision_only:
        for name in SHIPPED if args.only is None else (args.only,):
            offsets = shipped_offsets(name)
            weight = SHIPPED_PARAMS[name].get("kind_transition_weight", 0.0)
            det = LearnedDetector.load(SHIPPED[name])
            if weight > 0 and det.kind_transitions_ is None:
                raise SystemExit(f"{name}: the model file has no label chain for kind_transition_weight "
                                 f"{weight}: retrain it (without --decision-only)")
            det.set_params(kind_offsets=offsets, kind_transition_weight=weight).save(SHIPPED[name])
            print(f"{name}: kind_offsets {offsets}, kind_transition_weight {weight} set, arrays unchanged")
        return 0
    logging.basicConfig(format="%(asctime)s %(name)s: %(message)s")
    logging.getLogger("boilerplate").setLevel(logging.INFO)  # each fit's stages as it goes
    docs = load_corpus(args.data)
    seeds = list(read_jsonl(ROOT / "fixtures" / "seeds.jsonl"))
    for name, html, train in (("learned-text", False, docs + seeds), ("learned-html", True, docs)):
        if args.only and name != args.only:
            continue
        t0 = time.perf_counter()
        params = {**(SHIPPED_PARAMS[name] if args.params is None else args.params),
                  "kind_offsets": shipped_offsets(name)}
        LearnedDetector(html=html, **params).fit(train).save(SHIPPED[name])
        t1 = time.perf_counter()
        LearnedDetector.load(SHIPPED[name])
        print(f"{name} {json.dumps(params)}: {len(train)} documents, trained in {t1 - t0:.0f} s, "
              f"{SHIPPED[name].stat().st_size / 1e6:.1f} MB, loads in {time.perf_counter() - t1:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
