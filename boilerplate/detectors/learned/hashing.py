"""Hashed word uni- and bigrams of all lines of a document in one compiled pass.

The text features of the learned detectors: each line's first characters, lower-cased, cut into
tokens, and every token and every pair of neighbouring tokens hashed into one of ``n_features``
columns, counted, and the row scaled to unit length (what scikit-learn's ``HashingVectorizer``
with ``ngram_range=(1, 2)``, ``alternate_sign=False`` and ``norm="l2"`` gives, with a hash of our
own and one more token rule).

Tokens (by the class of each character, :func:`char_classes`):

1. a run of word characters (what ``\\w`` matches in :mod:`re`) is one token;
2. every other non-space character (punctuation, symbols, emoji) is a token of its own;
3. **every ideograph and kana character is a token of its own**: Chinese and Japanese are written
   without spaces, so a run of ``\\w`` there is a whole phrase or line ("無料会員登録はこちら"),
   which no other page repeats; its characters and character pairs carry across pages.
4. spaces separate tokens and are no tokens.

Hashes: FNV-1a over a token's code points, MurmurHash3's 32-bit finaliser on the token hash (a
unigram) or on a combination of the two (a bigram), the low bits as the column. The loop is
written once, in the subset of Python that numba compiles (cached on disk); without numba the same
function runs as plain Python, slower, to the same result.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from ...compiled import compiled as compiled_loop
from ...compiled import compiled_calling
from ...lines import CJK_RANGES, FMIX1, FMIX2, FNV_OFFSET, FNV_PRIME, MASK_32, re_class

#: Character classes of :func:`char_classes`.
SPACE, WORD, OTHER, IDEOGRAPH = 0, 1, 2, 3
#: Code point ranges whose characters are tokens of their own (class IDEOGRAPH): the unspaced
#: scripts of :data:`boilerplate.lines.CJK_RANGES` (kana, CJK ideographs with extension A,
#: compatibility ideographs), and their rarer blocks: katakana phonetic extensions, half-width
#: katakana and (above the basic plane) the CJK extensions B and later.
IDEOGRAPH_RANGES = (*CJK_RANGES, (0x31F0, 0x31FF), (0xFF66, 0xFF9F), (0x20000, 0x3FFFF))
#: The largest ``n_features``: columns are the low bits of a 32-bit hash, stored as int32.
MAX_FEATURES = 2**31
_BIGRAM_MIX = 0x9E3779B1  # the golden-ratio constant: (first * it + second) orders the pair
_UNIGRAM_SEED = 0x5BD1E995  # unigram and bigram hashes are kept apart before the finaliser
_CHAR_SEED = 0x27D4EB2F  # character n-grams are kept apart from words the same way


@lru_cache(maxsize=1)
def char_classes() -> np.ndarray:
    """The class of every code point (uint8, 0x110000 entries): WORD where :mod:`re` matches
    ``\\w``, SPACE where it matches ``\\s``, IDEOGRAPH in :data:`IDEOGRAPH_RANGES`, else OTHER.
    Built from the runs ``re`` finds in a string of all code points (a few tens of ms, once)."""
    classes = np.where(re_class(r"\w+"), WORD, OTHER).astype(np.uint8)
    classes[re_class(r"\s+")] = SPACE
    for lo, hi in IDEOGRAPH_RANGES:
        classes[lo:hi + 1] = IDEOGRAPH
    classes.setflags(write=False)
    return classes


def close_row(cols, k, nnz, indices, data):  # pragma: no cover - compiled
    # One row's k columns cols[:k]: sorted, each run of one column counted, written from nnz on
    # and scaled to unit length. Returns the new number of entries.
    row = cols[:k]
    row.sort()  # in place: no array made per row
    start = nnz
    total = 0.0  # the counts' sum of squares: whole numbers, exact in any order
    j = 0
    while j < k:
        n = 1
        while j + n < k and row[j + n] == row[j]:
            n += 1
        indices[nnz] = row[j]
        data[nnz] = n
        total += n * n
        nnz += 1
        j += n
    if nnz > start:
        data[start:nnz] /= np.sqrt(total)
    return nnz


def fmix(x):  # pragma: no cover - compiled
    # MurmurHash3's 32-bit finaliser: every bit of x reaches every bit of the column
    x ^= x >> 16
    x = (x * FMIX1) & MASK_32
    x ^= x >> 13
    x = (x * FMIX2) & MASK_32
    return x ^ (x >> 16)


# what the kernels call (compiled_calling binds them to the compiled versions)
_close_row, _fmix = close_row, fmix


def _hash_lines(codes, starts, ends, classes, n_features, indptr, indices, data):  # pragma: no cover - compiled
    # One row per line: its token and token-pair columns into `cols`, sorted, runs counted, the row
    # scaled to unit length. Returns the number of entries written. Integer arithmetic is masked to
    # 32 bits after each step, so numba's wrapping int64 and Python's unbounded int agree.
    width = 0
    for r in range(starts.shape[0]):
        width = max(width, ends[r] - starts[r])
    cols = np.empty(2 * width + 2, dtype=np.int64)
    mask = n_features - 1
    nnz = 0
    for r in range(starts.shape[0]):
        k = 0
        prev = -1  # hash of the previous token of the line
        word = -1  # hash of the word being read
        for i in range(starts[r], ends[r] + 1):
            c = int(codes[i]) if i < ends[r] else 32
            cl = classes[c] if i < ends[r] else SPACE  # the line end closes a word
            ended = -1  # tokens that end at this character: a word, then a character token
            if word >= 0 and cl != WORD:
                ended = word
                word = -1
            single = -1
            if cl == WORD:
                word = ((FNV_OFFSET if word < 0 else word) ^ c) * FNV_PRIME & MASK_32
            elif cl != SPACE:
                single = ((FNV_OFFSET ^ c) * FNV_PRIME) & MASK_32
            for h in (ended, single):
                if h < 0:
                    continue
                for t in range(2 if prev >= 0 else 1):  # the unigram, then the bigram with prev
                    x = (h ^ _UNIGRAM_SEED) if t == 0 else ((prev * _BIGRAM_MIX + h) & MASK_32)
                    cols[k] = _fmix(x) & mask
                    k += 1
                prev = h
        nnz = _close_row(cols, k, nnz, indices, data)
        indptr[r + 1] = nnz
    return nnz


def _hash_char_ngrams(codes, starts, ends, classes, head, min_n, max_n, n_features, indptr, indices, data):  # pragma: no cover - compiled
    # One row per line: the character n-grams of each of its white-space separated chunks in its
    # first `head` characters, as scikit-learn's "char_wb" analyzer cuts them (each chunk padded
    # with a space on both sides; a padded chunk no longer than n gives itself once and no longer
    # n-grams), hashed (FNV-1a over the code points, seeded apart from words, the MurmurHash3
    # finaliser), counted, the row scaled to unit length. Returns the number of entries written.
    width = 0
    for r in range(starts.shape[0]):
        width = max(width, min(ends[r] - starts[r], head))
    # per size n, each chunk gives at most its length + 2 n-grams (n = 1) and there are at most
    # (width + 1) / 2 chunks: at most 1.5 * width + 1.5 in all
    cols = np.empty((max_n - min_n + 1) * (2 * width + 2), dtype=np.int64)
    mask = n_features - 1
    nnz = 0
    for r in range(starts.shape[0]):
        k = 0
        stop = min(ends[r], starts[r] + head)
        i = starts[r]
        while i < stop:
            if classes[codes[i]] == SPACE:
                i += 1
                continue
            j = i
            while j < stop and classes[codes[j]] != SPACE:
                j += 1
            size = j - i + 2  # the chunk codes[i:j] with a space before and after it
            for n in range(min_n, max_n + 1):
                offset = 0
                while True:
                    h = _CHAR_SEED
                    for q in range(offset, offset + min(n, size)):
                        c = 32 if q == 0 or q == size - 1 else int(codes[i + q - 1])
                        h = ((h ^ c) * FNV_PRIME) & MASK_32
                    cols[k] = _fmix(h) & mask
                    k += 1
                    if offset + n >= size:
                        break
                    offset += 1
                if offset == 0:  # a short chunk counts once
                    break
            i = j
        nnz = _close_row(cols, k, nnz, indices, data)
        indptr[r + 1] = nnz
    return nnz


#: MurmurHash3's block constants (x86, 32-bit); its finaliser's are FMIX1 and FMIX2.
_MURMUR_C1, _MURMUR_C2 = 0xCC9E2D51, 0x1B873593
_MURMUR_STEP = 0xE6546B64


def _murmur_columns(data, bounds, n_features, out):  # pragma: no cover - compiled
    # MurmurHash3_x86_32 (seed 0) of the bytes data[bounds[w]:bounds[w + 1]] of each word w, as a
    # signed 32-bit number, made a column as scikit-learn's FeatureHasher makes it.
    for w in range(out.shape[0]):
        lo, hi = int(bounds[w]), int(bounds[w + 1])
        n = hi - lo
        end = lo + n - n % 4
        h = 0
        for j in range(lo, end, 4):
            k = int(data[j]) | (int(data[j + 1]) << 8) | (int(data[j + 2]) << 16) | (int(data[j + 3]) << 24)
            k = (k * _MURMUR_C1) & MASK_32
            k = ((k << 15) | (k >> 17)) & MASK_32
            h ^= (k * _MURMUR_C2) & MASK_32
            h = ((h << 13) | (h >> 19)) & MASK_32
            h = (h * 5 + _MURMUR_STEP) & MASK_32
        if end < hi:
            k = 0
            for j in range(hi - 1, end - 1, -1):
                k = (k << 8) | int(data[j])
            k = (k * _MURMUR_C1) & MASK_32
            k = ((k << 15) | (k >> 17)) & MASK_32
            h ^= (k * _MURMUR_C2) & MASK_32
        h ^= n
        h ^= h >> 16
        h = (h * FMIX1) & MASK_32
        h ^= h >> 13
        h = (h * FMIX2) & MASK_32
        h ^= h >> 16
        signed = h - 4294967296 if h >= 2147483648 else h
        if signed == -2147483648:  # abs() of it does not fit: FeatureHasher's own rule
            out[w] = (2147483647 - (n_features - 1)) % n_features
        else:
            out[w] = abs(signed) % n_features


def murmur_columns(words: list[str], n_features: int, compiled: bool = True) -> list[int]:
    """The column of each of ``words`` in ``n_features`` columns as scikit-learn's
    ``FeatureHasher(n_features, input_type="string", alternate_sign=False)`` puts it: the absolute
    value of the signed MurmurHash3 (x86, 32-bit, seed 0) of the word's UTF-8 bytes, modulo
    ``n_features`` (what ``sklearn.utils.murmurhash3_32`` computes; written here so that cleaning
    does not import scikit-learn). One compiled pass over all the words; ``compiled=False`` runs
    the plain Python loop (tests)."""
    encoded = [word.encode("utf-8") for word in words]
    bounds = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)), out=bounds[1:])
    out = np.empty(len(encoded), dtype=np.int64)
    run = (compiled_loop(_murmur_columns) or _murmur_columns) if compiled else _murmur_columns
    run(np.frombuffer(b"".join(encoded), dtype=np.uint8), bounds, int(n_features), out)
    return out.tolist()


def _line_codes(lines: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The lengths of ``lines``, where each starts and ends in their ``"\\n"``-joined text, and
    that text's code points (uint32)."""
    lengths = np.fromiter(map(len, lines), dtype=np.int64, count=len(lines))
    ends = np.cumsum(lengths + 1) - 1
    codes = np.frombuffer("\n".join(lines).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return lengths, ends - lengths, ends, codes


def _run_rows(kernel, compiled: bool, n: int, size: int, n_features: int, *args) -> sp.csr_matrix:
    """A row kernel's CSR matrix of ``n`` rows (one per line): ``kernel(*args, indptr, indices,
    data)`` writes at most ``size`` entries, compiled (with :func:`close_row` and :func:`fmix`)
    unless ``compiled`` is False."""
    indptr = np.zeros(n + 1, dtype=np.int64)
    indices = np.empty(size, dtype=np.int64)
    data = np.empty(size, dtype=np.float64)
    run = (compiled_calling(kernel, globals(), {"_close_row": close_row, "_fmix": fmix}) or kernel) if compiled else kernel
    nnz = run(*args, indptr, indices, data)
    return sp.csr_matrix((data[:nnz], indices[:nnz].astype(np.int32), indptr.astype(np.int32)),
                         shape=(n, n_features))


def hash_lines(lines: list[str], n_features: int, compiled: bool = True) -> sp.csr_matrix:
    """Hashed, counted, unit-length uni- and bigram rows of ``lines`` (already lower-cased and cut
    to length by the caller): a ``len(lines) x n_features`` CSR matrix with sorted indices.
    ``n_features`` is a power of two from 2 to :data:`MAX_FEATURES`. ``compiled=False`` runs the
    plain Python loop (tests)."""
    _, starts, ends, codes = _line_codes(lines)
    return hash_text_lines(codes, starts, ends, n_features, compiled)


def hash_text_lines(codes: np.ndarray | str, starts: np.ndarray, ends: np.ndarray, n_features: int,
                    compiled: bool = True) -> sp.csr_matrix:
    """:func:`hash_lines` of the lines ``text[starts[i]:ends[i]]`` of one text, given as it is or as
    its code points (uint32): no list of lines to make and join again."""
    if not 2 <= n_features <= MAX_FEATURES or n_features & (n_features - 1):
        raise ValueError(f"n_features must be a power of two from 2 to 2**31, not {n_features}")
    if isinstance(codes, str):
        codes = np.frombuffer(codes.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    starts, ends = np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)
    if starts.shape != ends.shape or starts.ndim != 1 or (len(starts) and (
            starts.min() < 0 or (ends < starts).any() or ends.max() > len(codes))):
        raise ValueError("line bounds must be one start and one end per line, 0 <= start <= end <= the text's length")
    return _run_rows(_hash_lines, compiled, len(starts), int(2 * (ends - starts).sum()), n_features,
                     codes, starts, ends, char_classes(), int(n_features))


def hash_char_ngrams(lines: list[str], n_features: int, head: int, sizes: tuple[int, int] = (3, 5),
                     compiled: bool = True) -> sp.csr_matrix:
    """Hashed, counted, unit-length rows of the character n-grams of ``lines`` (already lower-cased
    by the caller), ``sizes`` the smallest and largest n: each line's first ``head`` characters cut
    into white-space separated chunks, each padded with a space on both sides and cut into n-grams
    as scikit-learn's ``analyzer="char_wb"`` cuts it (a padded chunk no longer than n gives itself
    once). A ``len(lines) x n_features`` CSR matrix with sorted indices, in the columns of
    :func:`hash_lines` (seeded apart from its words). ``compiled=False`` runs the plain Python loop
    (tests).

    Word parts carry what whole words miss: an inflection or a compound ("newsletters",
    "Newsletter-Anmeldung"), a price or a code ("€69", "msa50"), in any script.
    """
    if not 2 <= n_features <= MAX_FEATURES or n_features & (n_features - 1):
        raise ValueError(f"n_features must be a power of two from 2 to 2**31, not {n_features}")
    if not 1 <= sizes[0] <= sizes[1] or head < 0:
        raise ValueError(f"sizes must be 1 <= smallest <= largest and head >= 0, not {sizes} and {head}")
    lengths, starts, ends, codes = _line_codes(lines)
    size = (sizes[1] - sizes[0] + 1) * (2 * np.minimum(lengths, head).sum() + 2 * len(lines))
    return _run_rows(_hash_char_ngrams, compiled, len(lines), int(size), n_features, codes, starts, ends, char_classes(),
                     int(head), int(sizes[0]), int(sizes[1]), int(n_features))
