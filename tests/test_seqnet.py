"""The line network (``LearnedDetector(seq_net=C)``): trained with PyTorch, evaluated with numpy."""
import copy
import sys
import zipfile

import numpy as np
import pytest

from boilerplate.detectors.learned import LearnedDetector, ModelError
from boilerplate.detectors.learned.features import SHAPE_WORD_VALUE
from boilerplate.detectors.learned.model import _blank, _softmax, read_arrays
from boilerplate.detectors.learned.seqnet import (
    MAX_SEQ_NET_WORDS,
    NOT_BODY,
    SEQ_NET_DILATION,
    SEQ_NET_MIN_COUNT,
    SEQ_NET_WIDTH,
    seq_net_logits,
    table_scores,
)
from boilerplate.document import Document
from boilerplate.labels import BODY_INDEX

from .test_learned import _docs, _resaved, _saved_without, check_network_parameter

torch = pytest.importorskip("torch")

PARAMS = dict(max_iter=10, kind_window=2, shape_words=True, edge_words=True, stack_kinds=True)


@pytest.fixture(scope="module")
def nets():
    docs = _docs(12)
    docs[0].labels = [None if label is None else ("body" if label == "body" else "other") for label in docs[0].labels]
    return docs, LearnedDetector(seq_net=8, **PARAMS).fit(docs), LearnedDetector(**PARAMS).fit(docs)


def _torch_logits(net, vectors, Z, rows):
    """The network's logits of one page's lines ``rows`` by torch's own layers, loaded with the arrays."""
    c = net["dense_b"].shape[0]
    conv1 = torch.nn.Conv1d(c, c, SEQ_NET_WIDTH, padding=SEQ_NET_WIDTH // 2)
    conv2 = torch.nn.Conv1d(c, c, SEQ_NET_WIDTH, padding=SEQ_NET_WIDTH // 2 * SEQ_NET_DILATION, dilation=SEQ_NET_DILATION)
    for conv, name in ((conv1, "conv1"), (conv2, "conv2")):
        conv.weight.data = torch.tensor(net[f"{name}_w"])
        conv.bias.data = torch.tensor(net[f"{name}_b"])
    v = torch.relu(torch.tensor(vectors[rows] + Z[rows] @ net["dense_w"] + net["dense_b"]))
    x = v.T[None]
    h1 = torch.relu(conv1(x))
    h2 = torch.relu(conv2(h1))
    h = torch.cat([x, h1, h2], 1)[0].T
    return (h @ torch.tensor(net["out_w"]) + torch.tensor(net["out_b"])).detach().numpy()


def test_the_numpy_network_is_torchs_and_p_body_is_the_mean_with_the_booster(nets):
    docs, det, plain = nets
    net = det.seq_net_
    # the words it reads: those at least SEQ_NET_MIN_COUNT labeled lines hold (shape and edge words too)
    counts = np.bincount(np.concatenate([det._features(d)[0][np.array(d.labels, dtype=object) != None].indices  # noqa: E711
                                         for d in docs]), minlength=1 << 18)
    assert net["cols"].tolist() == np.flatnonzero(counts >= SEQ_NET_MIN_COUNT).tolist()
    assert net["embed"].shape == (len(net["cols"]), 8) and net["out_w"].shape == (24, 7)
    page = Document(lines=["", *docs[1].lines, "", *docs[2].lines], id="p")  # blank lines between
    _, H, Z, blanks, bounds, shape, _ = det._prepared([page])
    hashed, _ = det._features(page)
    vectors = hashed[:, net["cols"]] @ net["embed"]  # the matrix it was fitted on, shape words summed in
    for use_compiled in (True, False):
        assert np.allclose(table_scores(H, shape, *_table(det), SHAPE_WORD_VALUE, use_compiled=use_compiled), vectors,
                           atol=1e-12)
    logits = seq_net_logits(net, vectors, Z, blanks, bounds)
    rows = np.flatnonzero(~_blank(page))
    assert np.allclose(logits[rows], _torch_logits(net, vectors, Z, rows), rtol=1e-5, atol=1e-5)  # single precision
    assert not logits[_blank(page)].any()
    # P(body) is the mean of the booster's (the same booster as without the network) and the network's
    booster = copy.deepcopy(det)
    booster.seq_net_ = None
    expected = (booster.predict_proba(page)[:, BODY_INDEX] + _softmax(logits)[:, BODY_INDEX]) / 2
    got = det.predict_proba(page)[:, BODY_INDEX]
    assert np.allclose(got[rows], expected[rows]) and not got[_blank(page)].any()
    assert det.body_mask(page).tolist() == ((expected >= det.threshold) & ~_blank(page)).tolist()
    # two pages in one call are each convolved alone: the same rows as one by one
    both = det.predict_proba_many([docs[1], docs[2]])
    assert all(np.allclose(a, det.predict_proba(d)) for a, d in zip(both, docs[1:3]))


def _table(det):
    from boilerplate.detectors.learned.seqnet import word_table

    return word_table(det.seq_net_["cols"], det.seq_net_["embed"])


def test_the_loss_reads_fine_labels_and_lines_known_only_not_to_be_body(monkeypatch):
    from boilerplate.detectors.learned import model as model_module

    seen = {}

    class Seen(Exception):
        pass

    def spy(words, dense, targets, channels, random_state):
        seen["targets"] = targets
        raise Seen

    monkeypatch.setattr(model_module, "fit_seq_net", spy)
    docs = _docs(6)
    docs[0].labels = [None if label is None else ("body" if label == "body" else "other") for label in docs[0].labels]
    with pytest.raises(Seen):
        LearnedDetector(max_iter=5, seq_net=4).fit(docs)
    # blank (unlabeled) lines are left out; "other" is NOT_BODY; fine labels are their index
    assert seen["targets"][0].tolist() == [NOT_BODY, NOT_BODY, 0, 0, 0, NOT_BODY]
    assert seen["targets"][1].tolist() == [6, 3, 0, 0, 0, 4]


def test_fits_are_repeatable_and_need_torch_only_to_train(nets, monkeypatch):
    docs, det, _ = nets
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    again = LearnedDetector(seq_net=8, **PARAMS).fit(docs)
    assert torch.equal(torch.rand(3), expected)  # the caller's torch random state is untouched
    assert all(np.array_equal(again.seq_net_[k], v) for k, v in det.seq_net_.items())
    bad = _docs(4)
    bad[1].labels = ["Body" if label == "body" else label for label in bad[1].labels]
    with pytest.raises(ValueError, match="label 'Body' is none of"):  # a misspelt label is not "not body"
        LearnedDetector(max_iter=5, seq_net=4).fit(bad)
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match="seq_net needs PyTorch to train"):
        LearnedDetector(max_iter=5, seq_net=4).fit(docs)
    assert det.predict_proba(docs[0]).shape == (len(docs[0].lines), 7)  # cleaning needs no torch


def test_line_network_round_trips_and_a_crafted_one_is_refused(nets, tmp_path):
    docs, det, plain = nets
    loaded = LearnedDetector.load(_resaved(det, tmp_path / "net.npz", lambda a: a))
    with zipfile.ZipFile(tmp_path / "net.npz") as zf:
        assert zf.getinfo("seq_net_cols.npy").compress_type == zipfile.ZIP_LZMA
        assert zf.getinfo("seq_net_embed.npy").file_size < 2 * 8 * len(det.seq_net_["cols"]) + 200  # half precision
    assert loaded.seq_net == 8
    for doc in docs[:3]:
        assert np.allclose(loaded.predict_proba(doc), det.predict_proba(doc), atol=2e-3)
    old = LearnedDetector.load(_saved_without(plain, tmp_path / "old.npz", "seq_net"))
    assert old.seq_net == 0 and old.seq_net_ is None

    def crafted(change, match):
        with pytest.raises(ModelError, match=match):
            LearnedDetector.load(_resaved(det, tmp_path / "bad.npz", change))

    crafted(lambda a: {k: v for k, v in a.items() if k != "seq_net_out_b"}, "lacks seq_net_out_b")
    crafted(lambda a: {**a, "seq_net_cols": a["seq_net_cols"][::-1].copy()}, "seq_net_cols: not increasing")
    crafted(lambda a: {**a, "seq_net_cols": a["seq_net_cols"] + (1 << 30)}, "seq_net_cols")
    crafted(lambda a: {**a, "seq_net_embed": a["seq_net_embed"][:-1]}, "seq_net_embed: shape")
    crafted(lambda a: {**a, "seq_net_conv1_w": np.full_like(a["seq_net_conv1_w"], np.nan)}, "seq_net_conv1_w")
    crafted(lambda a: {**a, "seq_net_dense_b": a["seq_net_dense_b"].astype(np.float32)}, "seq_net_dense_b: dtype")
    crafted(lambda a: {**a, "seq_net_out_b": np.full_like(a["seq_net_out_b"], 1e308)}, "seq_net_out_b: a weight over")
    crafted(lambda a: {**a, "seq_net_cols": np.arange(MAX_SEQ_NET_WORDS + 1, dtype=np.int64)}, "seq_net_cols")
    network = {k: a for k, a in read_arrays(tmp_path / "net.npz").items() if k.startswith("seq_net_")}
    with pytest.raises(ModelError, match="seq_net"):  # a network the header does not declare
        LearnedDetector.load(_resaved(plain, tmp_path / "plain.npz", lambda a: {**a, **network}))
    huge = copy.deepcopy(det)  # a weight half precision cannot hold: refused before writing, not at load
    huge.seq_net_ = {**det.seq_net_, "embed": det.seq_net_["embed"] * 0 + 7e4}
    with pytest.raises(ValueError, match="cannot save the line network: seq_net_embed"):
        huge.save(tmp_path / "huge.npz")
    assert not (tmp_path / "huge.npz").exists()
    check_network_parameter("seq_net", det, plain, tmp_path)


def test_html_models_take_the_line_network_too(tmp_path):
    from .test_learned import _html_docs

    docs = _html_docs(8)
    det = LearnedDetector(html=True, max_iter=5, seq_net=4).fit(docs)
    assert det.seq_net_["dense_w"].shape == (len(det.scaler_mean_), 4)
    loaded = LearnedDetector.load(_resaved(det, tmp_path / "html.npz", lambda a: a))
    assert np.allclose(loaded.predict_proba(docs[0]), det.predict_proba(docs[0]), atol=2e-3)


def test_prediction_runs_blas_on_one_thread_and_gives_the_setting_back(nets, monkeypatch):
    from threadpoolctl import threadpool_info, threadpool_limits

    from boilerplate.detectors.learned import seqnet

    def blas_threads():
        return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]

    if not blas_threads():
        pytest.skip("numpy links no BLAS threadpoolctl can see")
    docs, det, _ = nets
    seen = []
    plain_conv = seqnet._conv

    def spy(*args):  # the network's products, inside the model's prediction
        seen.append(blas_threads())
        return plain_conv(*args)

    monkeypatch.setattr(seqnet, "_conv", spy)
    with threadpool_limits(2, user_api="blas"):
        before = blas_threads()
        det.body_mask(docs[1])
        assert blas_threads() == before  # the caller's setting, given back
        det.predict_proba_many(docs[1:3])
        assert blas_threads() == before
    assert len(seen) == 2 + 4 and all(threads == [1] * len(before) for threads in seen)
