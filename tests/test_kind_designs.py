"""The linear-chain decoding of benchmarks.kind_designs (the second kind-model design)."""

import itertools

import numpy as np

from benchmarks.kind_designs import STATES, chain_labels, chain_statistics, forward_backward
from boilerplate.document import Document
from boilerplate.labels import BODY, KINDS, LABELS


def test_forward_backward_gives_the_marginals_of_brute_force_enumeration():
    rng = np.random.default_rng(0)
    emission = rng.random((4, 3))
    transition = rng.random((3, 3))
    transition /= transition.sum(axis=1, keepdims=True)
    brute = np.zeros((4, 3))
    for path in itertools.product(range(3), repeat=4):
        p = np.prod([emission[i, s] for i, s in enumerate(path)])
        p *= np.prod([transition[a, b] for a, b in zip(path, path[1:])])
        for i, s in enumerate(path):
            brute[i, s] += p
    brute /= brute.sum(axis=1, keepdims=True)
    assert np.allclose(forward_backward(emission, transition), brute)


def test_chain_keeps_body_decisions_and_pulls_a_doubtful_line_into_its_run():
    docs = [Document(lines=["a", "b", "c", "d"], labels=["teaser"] * 4)] * 5
    transition, prior = chain_statistics(docs)
    assert transition.shape == (len(STATES), len(STATES)) and np.allclose(transition.sum(axis=1), 1)
    assert np.isclose(prior.sum(), 1) and prior.argmax() == KINDS.index("teaser")
    proba = np.zeros((5, len(LABELS)))
    teaser, chrome, body = LABELS.index("teaser"), LABELS.index("chrome"), LABELS.index(BODY)
    proba[[0, 1, 3], teaser] = 0.9
    proba[[0, 1, 3], chrome] = 0.1
    proba[2, chrome], proba[2, teaser] = 0.55, 0.45  # alone, chrome by a little
    proba[4, body] = 0.9
    lines = ["x", "y", "z", "w", "article text"]
    assert chain_labels(lines, proba, transition, prior, 0.0, 0.0)[2] == "chrome"
    chained = chain_labels(lines, proba, transition, prior, 0.0, 1.0)
    assert chained[2] == "teaser" and chained[4] == BODY
    assert chain_labels(lines + [""], np.vstack([proba, np.zeros(len(LABELS))]), transition, prior, 0.0, 1.0)[5] is None


def test_block_group_decoding_lets_a_block_vote_and_keeps_body():
    from benchmarks.kind_designs import group_labels
    from boilerplate.html import render

    html = ('<html><body><ul class="promo"><li>Subscribe now</li><li>Our app</li><li>Shop</li></ul>'
            '<p>The article text runs on here.</p></body></html>')
    doc = render(html)
    n = len(doc.lines)
    assert n == 4
    proba = np.zeros((n, len(LABELS)))
    appeal, chrome, body = LABELS.index("appeal"), LABELS.index("chrome"), LABELS.index(BODY)
    proba[:3, appeal], proba[:3, chrome] = 0.8, 0.2
    proba[2, appeal], proba[2, chrome] = 0.3, 0.7  # alone, the third item is chrome
    proba[3, body] = 0.9
    assert group_labels(doc, proba, 0.0) == ["appeal", "appeal", "chrome", "body"]
    assert group_labels(doc, proba, 1.0) == ["appeal", "appeal", "appeal", "body"]  # the block votes appeal
