"""The sequence decision studied on saved out-of-fold rows (benchmarks.decoders) and the chain it
uses (boilerplate.detectors.learned.sequence): their examples run, and the benchmark labels rows
with the detector's own decision."""

import doctest

import numpy as np

from benchmarks import decoders
from boilerplate.detectors.learned import sequence
from boilerplate.document import Document
from boilerplate.labels import KINDS, LABELS


def test_the_examples_run():
    for module in (sequence, decoders):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__


def test_the_benchmark_decides_as_the_detector_and_the_chain_follows_the_pages():
    teaser = LABELS.index("teaser")
    pages = [Document(lines=["a", "b", "c", "d"], labels=["teaser"] * 3 + ["body"]) for _ in range(3)]
    start, trans = sequence.label_transitions(decoders.chains(pages), len(LABELS))
    assert trans[teaser].argmax() == teaser and start.argmax() == teaser
    proba = np.full((4, len(LABELS)), 0.01)
    proba[:, 0] = [0.1, 0.1, 0.1, 0.9]
    proba[:3, teaser] = [0.6, 0.3, 0.6]
    proba[:3, LABELS.index("ad")] = [0.2, 0.4, 0.2]
    alone = decoders.decider({}, (0.0,) * len(KINDS), start, trans, 0.0).labels_from_proba(pages[0], proba)
    chained = decoders.decider({}, (0.0,) * len(KINDS), start, trans, 1.0).labels_from_proba(pages[0], proba)
    assert alone == ["teaser", "ad", "teaser", "body"]
    assert chained == ["teaser", "teaser", "teaser", "body"]
