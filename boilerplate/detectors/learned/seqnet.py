"""A small convolutional network over a page's lines (``LearnedDetector(seq_net=C)``).

Each line becomes a vector of ``C`` numbers from its hashed words (a table of word vectors,
summed with the words' hashed values) and its scaled dense features; two convolutions over the
page's non-blank lines, five lines wide (the second dilated to reach four lines away), see the run
around it; a last layer reads the line's vector and both convolutions' outputs and gives the
logits of the seven labels. The detector averages its P(body) with the booster's.

Training needs PyTorch (``pip install torch``), and only training: the fitted network is plain
arrays, and :func:`seq_net_logits` evaluates it with numpy in single precision, as it was
trained, one matrix product per convolution tap over all the lines of a document at once. Model
files hold the arrays (:data:`SEQ_NET_MEMBERS`, the word table in half precision), checked on
load by :func:`check_seq_net`.

1. **Inputs.** The words a fit's labeled lines hold at least :data:`SEQ_NET_MIN_COUNT` times (the
   :data:`MAX_SEQ_NET_WORDS` most frequent, past it); any other word reads a zero vector.
2. **Layers.** ``v = relu(words @ E + z @ W_dense + b)``; ``h1 = relu(conv(v))``;
   ``h2 = relu(conv_dilated(h1))``; logits ``[v, h1, h2] @ W_out + b_out``. Past a page's ends a
   convolution reads zeros.
3. **Loss.** Cross-entropy over the seven labels on lines with a fine label; on lines known only
   not to be body (the aligned benchmark pages' boilerplate), minus the log of the kinds' summed
   probability. :data:`SEQ_NET_EPOCHS` epochs of Adam over batches of :data:`SEQ_NET_PAGES` pages,
   dropout :data:`SEQ_NET_DROPOUT` on the line vectors and on the last layer's input.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from ...compiled import compiled
from ...labels import BODY_INDEX, N_LABELS
from .features import HASH_FEATURES
from .forest import check_array, check_finite

#: A hashed word enters the network when at least this many of the fit's labeled lines hold it.
SEQ_NET_MIN_COUNT = 5
#: The most word columns the network reads (the most frequent, past it).
MAX_SEQ_NET_WORDS = 1 << 15
#: The most channels ``seq_net`` may ask for.
MAX_SEQ_NET = 128
#: The largest weight a model file's network may hold.
MAX_SEQ_NET_WEIGHT = 1e4
#: Convolution width (lines) and the second convolution's dilation.
SEQ_NET_WIDTH = 5
SEQ_NET_DILATION = 2
#: Training: epochs, pages per batch, Adam's learning rate, dropout.
SEQ_NET_EPOCHS = 6
SEQ_NET_PAGES = 16
SEQ_NET_LEARNING_RATE = 2e-3
SEQ_NET_DROPOUT = 0.2
#: The precision cleaning evaluates the network in: PyTorch's, which it was trained in (double
#: precision costs twice the time in the convolutions' products for differences below 1e-6).
SEQ_NET_DTYPE = np.float32
#: The target of a line known only not to be body (no fine label).
NOT_BODY = -2
#: Arrays of a model file's network, in the order :func:`check_seq_net` checks them.
SEQ_NET_MEMBERS = ("seq_net_cols", "seq_net_embed", "seq_net_dense_w", "seq_net_dense_b", "seq_net_conv1_w",
                   "seq_net_conv1_b", "seq_net_conv2_w", "seq_net_conv2_b", "seq_net_out_w", "seq_net_out_b")


class MissingDependency(ImportError):
    """An optional package the parameters need is not installed (the message says which)."""


def require_torch():
    """PyTorch, or :class:`MissingDependency` (one line) saying the network needs it to train."""
    try:
        import torch
    except ImportError:
        raise MissingDependency("seq_net needs PyTorch to train (pip install torch); a fitted model runs without it") from None
    return torch


def word_table(cols: np.ndarray, rows: np.ndarray, dtype: type = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """A network's word table as cleaning reads it: each hashed column's row (``len(cols)``, the
    last, all zero, for a word the network does not read) and the table (``rows``, one per column
    of ``cols``, then the zero row), contiguous, as ``dtype`` (:func:`table_scores` sums in it)."""
    lookup = np.full(HASH_FEATURES, len(cols), dtype=np.int64)
    lookup[cols] = np.arange(len(cols))
    return lookup, np.ascontiguousarray(np.vstack([rows, np.zeros((1, rows.shape[1]))]), dtype=dtype)


def table_scores(H: sp.csr_matrix, shape: tuple[np.ndarray, np.ndarray] | None, lookup: np.ndarray,
                 table: np.ndarray, shape_value: float, use_compiled: bool = True) -> np.ndarray:
    """Each line's words through a word table (:func:`word_table`): the rows of ``table`` its hashed
    words pick through ``lookup``, times their values in ``H``, summed, plus ``shape_value`` times the
    rows of the shape and edge words ``shape`` (lines, (lines, k) columns) beside them. With numba,
    one compiled pass over the words (:func:`_table_sum`); else, or with ``use_compiled=False``, a
    sparse product, to the same sums up to rounding. The sums are of ``table``'s dtype."""
    rows, cols = shape if shape is not None else (np.zeros(0, np.int64), np.zeros((0, 1), np.int64))
    kernel = compiled(_table_sum) if use_compiled else None
    if kernel is not None:
        return kernel(H.indptr, H.indices, np.asarray(H.data, dtype=np.float64), lookup, table,
                      np.asarray(rows, dtype=np.int64), np.asarray(cols), float(shape_value))
    words = sp.csr_matrix((H.data, lookup[H.indices], H.indptr), shape=(H.shape[0], len(table)))
    out = np.asarray(words @ table, dtype=table.dtype)
    if len(rows):
        np.add.at(out, rows, shape_value * table[lookup[cols]].sum(axis=1))  # a line listed twice adds twice
    return out


def _table_sum(indptr, indices, data, lookup, table, rows, cols, value):  # pragma: no cover - compiled
    # out[i] = sum over line i's words of data * table[lookup[word]]; then each shape/edge word of
    # line rows[a] adds value * table[lookup[cols[a, b]]].
    n, k = indptr.shape[0] - 1, table.shape[1]
    out = np.zeros((n, k), dtype=table.dtype)
    for i in range(n):
        for j in range(indptr[i], indptr[i + 1]):
            r = lookup[indices[j]]
            w = data[j]
            for c in range(k):
                out[i, c] += w * table[r, c]
    for a in range(rows.shape[0]):
        i = rows[a]
        for b in range(cols.shape[1]):
            r = lookup[cols[a, b]]
            for c in range(k):
                out[i, c] += value * table[r, c]
    return out


def seq_net_columns(H: sp.csr_matrix) -> np.ndarray:
    """The hashed word columns the network reads: held by at least :data:`SEQ_NET_MIN_COUNT` rows
    of ``H``, the :data:`MAX_SEQ_NET_WORDS` most frequent of them, increasing."""
    counts = np.bincount(H.indices, minlength=HASH_FEATURES)[:HASH_FEATURES]
    cols = np.flatnonzero(counts >= SEQ_NET_MIN_COUNT)
    if len(cols) > MAX_SEQ_NET_WORDS:
        cols = np.sort(cols[np.argsort(-counts[cols], kind="stable")[:MAX_SEQ_NET_WORDS]])
    return cols.astype(np.int64)


def fit_seq_net(words: Sequence[sp.csr_matrix], dense: Sequence[np.ndarray], targets: Sequence[np.ndarray],
                channels: int, random_state: int | None = 0) -> dict[str, np.ndarray]:
    """Fit the network on pages: each page's hashed words (rows: its lines in order, blank lines
    left out), scaled dense features and targets (a label index, or :data:`NOT_BODY`). Returns the
    arrays :func:`seq_net_logits` reads. :class:`MissingDependency` (one line) without PyTorch.
    Two fits with the same ``random_state`` are the same at the same number of torch threads
    (sums split across threads round differently, by ~1e-8)."""
    torch = require_torch()
    H = sp.vstack(list(words), format="csr")
    cols = seq_net_columns(H)
    lookup, _ = word_table(cols, np.zeros((len(cols), 0)))
    n_dense = dense[0].shape[1]
    seed = 0 if random_state is None else int(random_state)
    with torch.random.fork_rng(devices=[]):  # the caller's torch random state is left as it was
        torch.manual_seed(seed)
        return _train(torch, words, dense, targets, channels, cols, lookup, n_dense, seed)


def _train(torch, words, dense, targets, channels, cols, lookup, n_dense, seed) -> dict[str, np.ndarray]:
    """:func:`fit_seq_net`'s training, torch's random state seeded by the caller."""
    from torch import nn

    gen = torch.Generator().manual_seed(seed)
    pad = SEQ_NET_WIDTH // 2

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.EmbeddingBag(len(cols) + 1, channels, mode="sum", padding_idx=len(cols))
            self.dense = nn.Linear(n_dense, channels)
            self.conv1 = nn.Conv1d(channels, channels, SEQ_NET_WIDTH, padding=pad)
            self.conv2 = nn.Conv1d(channels, channels, SEQ_NET_WIDTH, padding=pad * SEQ_NET_DILATION,
                                   dilation=SEQ_NET_DILATION)
            self.out = nn.Linear(3 * channels, N_LABELS)
            self.drop = nn.Dropout(SEQ_NET_DROPOUT)

        def forward(self, idx, offsets, weights, z, mask):  # mask: (pages, lines) of real lines
            v = torch.relu(self.embed(idx, offsets, per_sample_weights=weights) + self.dense(z))
            x = torch.zeros(mask.shape[0], mask.shape[1], channels)
            x[mask] = self.drop(v)
            x = x.transpose(1, 2)
            keep = mask[:, None, :].float()  # past a page's end the next layer reads zeros, as in numpy
            h1 = torch.relu(self.conv1(x)) * keep
            h2 = torch.relu(self.conv2(h1)) * keep
            h = torch.cat([x, h1, h2], 1).transpose(1, 2)[mask]
            return self.out(self.drop(h))

    not_body = torch.tensor([i != BODY_INDEX for i in range(N_LABELS)])
    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=SEQ_NET_LEARNING_RATE)
    pages = [i for i, t in enumerate(targets) if len(t)]

    def batch(chosen: list[int]):
        sub = sp.vstack([words[i] for i in chosen], format="csr")
        lens = [words[i].shape[0] for i in chosen]
        mask = torch.zeros(len(chosen), max(lens), dtype=torch.bool)
        for b, n in enumerate(lens):
            mask[b, :n] = True
        return (torch.from_numpy(lookup[sub.indices]),
                torch.from_numpy(sub.indptr[:-1].astype(np.int64)), torch.from_numpy(sub.data.astype(np.float32)),
                torch.from_numpy(np.vstack([dense[i] for i in chosen]).astype(np.float32)), mask,
                torch.from_numpy(np.concatenate([targets[i] for i in chosen]).astype(np.int64)))

    net.train()
    for _ in range(SEQ_NET_EPOCHS):
        order = torch.randperm(len(pages), generator=gen).tolist()
        for s in range(0, len(order), SEQ_NET_PAGES):
            idx, offsets, weights, z, mask, y = batch([pages[j] for j in order[s:s + SEQ_NET_PAGES]])
            logp = torch.log_softmax(net(idx, offsets, weights, z, mask), -1)
            fine, coarse = y >= 0, y == NOT_BODY
            loss = -(logp[fine, y[fine]].sum() + torch.logsumexp(logp[coarse][:, not_body], -1).sum())
            loss = loss / max(int(fine.sum() + coarse.sum()), 1)
            opt.zero_grad()
            loss.backward()
            opt.step()

    def arr(t) -> np.ndarray:
        return t.detach().numpy().astype(np.float64)

    return {"cols": cols, "embed": arr(net.embed.weight[:len(cols)]),
            "dense_w": arr(net.dense.weight).T.copy(), "dense_b": arr(net.dense.bias),
            "conv1_w": arr(net.conv1.weight), "conv1_b": arr(net.conv1.bias),
            "conv2_w": arr(net.conv2.weight), "conv2_b": arr(net.conv2.bias),
            "out_w": arr(net.out.weight).T.copy(), "out_b": arr(net.out.bias)}


def _taps(w: np.ndarray) -> np.ndarray:
    """A convolution's weights ``w`` (out x in x width) as :func:`_conv` reads them: (width, in,
    out), contiguous (a strided tap costs a third more), in :data:`SEQ_NET_DTYPE`."""
    return np.ascontiguousarray(w.transpose(2, 1, 0), dtype=SEQ_NET_DTYPE)


def _conv(x: np.ndarray, taps: np.ndarray, b: np.ndarray, dilation: int) -> np.ndarray:
    """A 1-d convolution of the rows of ``x`` (lines x channels) with ``taps`` (:func:`_taps`) and
    bias ``b``, zeros past the ends: one product per tap."""
    width = len(taps)
    pad = dilation * (width // 2)
    n = len(x)
    padded = np.zeros((n + 2 * pad, x.shape[1]), dtype=x.dtype)
    padded[pad:pad + n] = x
    out = np.zeros((n, taps.shape[2]), dtype=x.dtype) + b
    for t in range(width):
        out += padded[t * dilation:t * dilation + n] @ taps[t]
    return out


def seq_net_logits(net: dict[str, np.ndarray], vectors: np.ndarray, Z: np.ndarray, blanks: list,
                   bounds: np.ndarray) -> np.ndarray:
    """The network's logits of every line (rows of ``vectors``: each line's words through the word
    table, ``words @ net["embed"]``; ``Z`` the scaled dense features), each document (its ``blanks``,
    rows ``bounds``) convolved over its non-blank lines; blank lines get zeros. In single
    precision, as the network was trained (:data:`SEQ_NET_DTYPE`); the weights are converted once
    per call, not per document."""
    f = SEQ_NET_DTYPE
    v = np.maximum(vectors.astype(f, copy=False) + Z.astype(f) @ net["dense_w"].astype(f) + net["dense_b"].astype(f), 0)
    taps1, taps2 = _taps(net["conv1_w"]), _taps(net["conv2_w"])
    b1, b2, out_w = net["conv1_b"].astype(f), net["conv2_b"].astype(f), net["out_w"].astype(f)
    out = np.zeros((len(v), N_LABELS))
    for blank, a in zip(blanks, bounds[:-1]):
        rows = a + np.flatnonzero(~blank)
        if not len(rows):
            continue
        x = v[rows]
        h1 = np.maximum(_conv(x, taps1, b1, 1), 0.0)
        h2 = np.maximum(_conv(h1, taps2, b2, SEQ_NET_DILATION), 0.0)
        out[rows] = np.hstack([x, h1, h2]) @ out_w + net["out_b"]
    return out


def seq_net_arrays(net: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The network as a model file's members (the word table in half precision)."""
    return {f"seq_net_{k}": (v.astype(np.float16) if k == "embed" else v) for k, v in net.items()}


def check_members(arrays: dict[str, np.ndarray], members: Sequence[str], declared: bool, why_none: str,
                  declared_as: str) -> bool:
    """Whether a model file holds a network: all its ``members`` when the parameters declare one
    (``declared``), none otherwise; ``ValueError`` naming a member that should not be there
    (``why_none``: why) or the ones missing (``declared_as``: what the parameters say)."""
    if not declared:
        present = [name for name in members if name in arrays]
        if present:
            raise ValueError(f"the file holds {present[0]} but {why_none}")
        return False
    missing = [name for name in members if name not in arrays]
    if missing:
        raise ValueError(f"{declared_as} but the file lacks {', '.join(missing)}")
    return True


def check_word_columns(name: str, cols: np.ndarray, cap: int) -> None:
    """A network's word columns from a model file: int64, at most ``cap``, increasing, among the
    hashed ones; ``ValueError`` naming ``name`` otherwise."""
    check_array(name, cols, np.int64, (None,))
    if len(cols) > cap:
        raise ValueError(f"{name}: {len(cols)} columns, over {cap}")
    if len(cols) and (cols[0] < 0 or cols[-1] >= HASH_FEATURES or (np.diff(cols) <= 0).any()):
        raise ValueError(f"{name}: not increasing columns among the {HASH_FEATURES} hashed ones")


def check_seq_net(arrays: dict[str, np.ndarray], channels: int, n_dense: int) -> dict[str, np.ndarray] | None:
    """The network of a model file, checked: every member when ``channels`` (``seq_net``) says
    there is one, none otherwise; word columns increasing among the hashed ones, layers of the
    implied shapes, all finite and at most :data:`MAX_SEQ_NET_WEIGHT` in size."""
    if not check_members(arrays, SEQ_NET_MEMBERS, bool(channels), "seq_net is 0", f"seq_net is {channels}"):
        return None
    cols = arrays["seq_net_cols"]
    check_word_columns("seq_net_cols", cols, MAX_SEQ_NET_WORDS)
    for name, (dtype, shape) in _layer_shapes(channels, n_dense, len(cols)).items():
        check_array(name, arrays[name], dtype, shape)
        check_finite(name, arrays[name])
        if np.abs(arrays[name]).max(initial=0) > MAX_SEQ_NET_WEIGHT:
            raise ValueError(f"{name}: a weight over {MAX_SEQ_NET_WEIGHT:g} in size")
    return {name[len("seq_net_"):]: (arrays[name].astype(np.float64) if name != "seq_net_cols" else arrays[name])
            for name in SEQ_NET_MEMBERS}


def _layer_shapes(channels: int, n_dense: int, n_words: int) -> dict[str, tuple[type, tuple[int, ...]]]:
    """The dtype and shape of each member after the columns, for ``channels`` and ``n_words`` columns."""
    c = channels
    return {"seq_net_embed": (np.float16, (n_words, c)), "seq_net_dense_w": (np.float64, (n_dense, c)),
            "seq_net_dense_b": (np.float64, (c,)), "seq_net_conv1_w": (np.float64, (c, c, SEQ_NET_WIDTH)),
            "seq_net_conv1_b": (np.float64, (c,)), "seq_net_conv2_w": (np.float64, (c, c, SEQ_NET_WIDTH)),
            "seq_net_conv2_b": (np.float64, (c,)), "seq_net_out_w": (np.float64, (3 * c, N_LABELS)),
            "seq_net_out_b": (np.float64, (N_LABELS,))}


def seq_net_caps(channels: int, n_dense: int) -> dict[str, tuple[int, int]]:
    """The most elements and the largest item (bytes) of each member for ``channels``."""
    caps = {"seq_net_cols": (MAX_SEQ_NET_WORDS, 8)}
    for name, (dtype, shape) in _layer_shapes(channels, n_dense, MAX_SEQ_NET_WORDS).items():
        caps[name] = (int(np.prod(shape)), np.dtype(dtype).itemsize)
    return caps
