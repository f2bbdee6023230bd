"""Model files: crafted or damaged files fail to load with a one-line ModelError (issue 17, items
11-12), and honest ones (the shipped models, fresh round trips) load and predict as before."""

import json
import struct
import zipfile

import numpy as np
import pytest

from boilerplate.detectors.learned import SHIPPED, LearnedDetector, ModelError
from boilerplate.detectors.learned.forest import MAX_FOREST_NODES, export_forest, validate_forest
from boilerplate.detectors.learned.model import PARAM_TYPES, neighbour_words, read_arrays, write_arrays
from tests.test_learned import PROSE, _docs

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
FAST = {"max_iter": 5, "kind_max_iter": 20, "stack_folds": 0}  # 24 small pages: the trees have splits


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """Paths of small fitted models saved to disk, by kind stage, and the fitted detectors."""
    root = tmp_path_factory.mktemp("models")
    out = {}
    for stage in ("flat", "context", "context-linear"):
        det = LearnedDetector(kind_stage=stage, **FAST).fit(_docs(24))
        path = root / f"{stage}.npz"
        det.save(path)
        out[stage] = (path, det)
    assert (out["flat"][1].forest_["forest_nodes"]["is_leaf"] == 0).any()
    assert "kind2_nodes" in out["context"][1].kind_forest_ and "kind2_coef" in out["context-linear"][1].kind_forest_
    return out


def _read(path):
    arrays = read_arrays(path)
    return arrays, json.loads(str(arrays.pop("header")))


def _write(path, arrays, header):
    write_arrays(path, {"header": np.array(json.dumps(header)), **arrays})
    return path


def _craft(models, tmp_path, edit, stage="flat"):
    """A copy of a fitted model's file with ``edit(arrays, header)`` applied."""
    arrays, header = _read(models[stage][0])
    edit(arrays, header)
    return _write(tmp_path / "crafted.npz", arrays, header)


def _rejects(path, match):
    """Load must fail with one line naming the file and matching ``match``."""
    with pytest.raises(ModelError, match=match) as info:
        LearnedDetector.load(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    return message


def _refresh_flat(arrays):
    """Make the numpy walk's flat arrays agree with (edited) forest_nodes, as export_forest would."""
    nodes, sizes = arrays["forest_nodes"], arrays["forest_sizes"]
    start = np.repeat(np.cumsum(sizes) - sizes, sizes)
    arrays.update(forest_feature=nodes["feature_idx"].astype(np.int64),
                  forest_threshold=nodes["num_threshold"].astype(np.float64),
                  forest_missing_left=nodes["missing_go_to_left"].astype(bool),
                  forest_left=nodes["left"].astype(np.int64) + start,
                  forest_right=nodes["right"].astype(np.int64) + start,
                  forest_leaf=nodes["is_leaf"].astype(bool), forest_value=nodes["value"].astype(np.float64))


def _split(nodes):
    return int(np.flatnonzero(nodes["is_leaf"] == 0)[0])


def _node_edit(field, value, prefix="forest_", at=_split):
    def edit(arrays, header):
        nodes = arrays[f"{prefix}nodes"].copy()
        nodes[field][at(nodes)] = value
        arrays[f"{prefix}nodes"] = nodes
        if prefix == "forest_":
            _refresh_flat(arrays)
    return edit


def _set(name, index, value):
    def edit(arrays, header):
        a = arrays[name].copy()
        a[index] = value
        arrays[name] = a
    return edit


# --- honest files ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_models_load_unchanged_and_predict(name):
    det = LearnedDetector.load(SHIPPED[name])
    arrays, header = _read(SHIPPED[name])
    for key, value in det.forest_.items():
        if not key.startswith("_"):
            assert np.array_equal(value, arrays[key]) and value.dtype == arrays[key].dtype
    assert np.array_equal(det.scaler_mean_, arrays["scaler_mean"]) and det.kinds_ == tuple(header["kinds"])
    from boilerplate.html import render

    doc = render(b"<nav><p>Home</p></nav><h1>A title</h1><p>" + PROSE[0].encode() + b"</p>", id="x")
    proba = det.predict_proba(doc)
    assert proba.shape == (len(doc.lines), 7) and np.isfinite(proba).all()


def test_shipped_models_stay_under_20_mb_in_all():
    assert sum(path.stat().st_size for path in SHIPPED.values()) < 20e6


def test_index_arrays_are_written_with_lzma_and_read_by_numpy_too(models, tmp_path):
    from boilerplate.detectors.learned.model import LZMA_MEMBERS

    path, fitted = models["flat"]
    fitted.save(tmp_path / "m.npz")
    with zipfile.ZipFile(tmp_path / "m.npz") as zf:
        methods = {info.filename[:-4]: info.compress_type for info in zf.infolist()}
    # every index array the file holds (kind_mlp's and seq_net's columns only with their networks)
    assert {name for name, method in methods.items() if method == zipfile.ZIP_LZMA} == set(LZMA_MEMBERS) & set(methods)
    assert set(LZMA_MEMBERS) - set(methods) == {"kind_mlp_cols", "seq_net_cols"}
    assert set(methods.values()) == {zipfile.ZIP_LZMA, zipfile.ZIP_DEFLATED}
    with np.load(tmp_path / "m.npz", allow_pickle=False) as npz:
        assert np.array_equal(npz["kind_coef_indptr"], np.load(path, allow_pickle=False)["kind_coef_indptr"])


@pytest.mark.parametrize("stage", ["flat", "context", "context-linear"])
def test_round_trip_predicts_identically(models, tmp_path, stage):
    path, fitted = models[stage]
    docs = _docs(3)
    first = LearnedDetector.load(path)
    first.save(tmp_path / "again.npz")
    second = LearnedDetector.load(tmp_path / "again.npz")
    for doc in docs:
        p = first.predict_proba(doc)
        want = fitted.predict_proba(doc)
        assert np.allclose(p[:, 0], want[:, 0], atol=1e-5)  # P(body): its weights are saved as float32
        assert np.allclose(p, want, atol=1e-4)  # the kinds' word weights as float16
        assert np.array_equal(p, second.predict_proba(doc))
    assert first.get_params() == fitted.get_params()


def test_sklearn_trees_pass_validation_including_inf_thresholds():
    # scikit-learn numbers each tree's nodes in preorder (children after their parent) and writes
    # +inf as the threshold of a split that sends only missing values right: both must pass.
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 4))
    X[rng.random(X.shape) < 0.3] = np.nan
    y = np.isnan(X[:, 0]) | (np.nan_to_num(X[:, 1]) > 0.3)
    forest = export_forest(HistGradientBoostingClassifier(max_iter=30, random_state=0).fit(X, y))
    assert np.isposinf(forest["forest_threshold"]).any()
    validate_forest(forest, 4)
    with pytest.raises(ValueError, match="feature index"):
        validate_forest(forest, 1)


def test_param_types_cover_every_parameter():
    assert set(PARAM_TYPES) == set(LearnedDetector().get_params())


def test_a_huge_kind_window_costs_nothing():
    import scipy.sparse as sp

    hashed = sp.random(5, 8, density=0.5, format="csr", random_state=0)
    blank = np.zeros(5, dtype=bool)
    assert np.allclose(neighbour_words(hashed, blank, 10**12).toarray(), neighbour_words(hashed, blank, 4).toarray())


# --- forests (item 11) ----------------------------------------------------------------------

@pytest.mark.parametrize("edit, match", [
    (_node_edit("feature_idx", 10**7), "feature index outside"),
    (_node_edit("feature_idx", -1), "feature index outside"),
    (_node_edit("left", 4_000_000_000), "left child is not a later node"),
    (_node_edit("right", 0), "right child is not a later node"),  # a cycle back to the root
    (_node_edit("left", 0, at=lambda n: int(np.flatnonzero(n["is_leaf"] == 0)[-1])), "left child"),
    (_node_edit("is_leaf", 0, at=lambda n: slice(None)), "child is not a later node"),  # no leaves
    (_node_edit("is_leaf", 2), "is_leaf is 2"),
    (_node_edit("is_categorical", 1), "categorical"),
    (_node_edit("num_threshold", np.nan), "threshold is NaN"),
    (_node_edit("num_threshold", -np.inf), "threshold is NaN or -inf"),
    (_node_edit("value", np.inf), "value is not finite"),
    (_set("forest_left", 0, 3), "forest_left: does not match forest_nodes"),
    (_set("forest_feature", 0, 10**7), "forest_feature: does not match"),
    (_set("forest_roots", 1, 0), "forest_roots: does not match"),
    (_set("forest_sizes", 0, 10**12), "forest_sizes"),
    (_set("forest_sizes", 0, 0), "forest_sizes"),
    (_set("forest_baseline", 0, np.nan), r"forest_baseline\[0\]: nan is not finite"),
    (lambda a, h: a.update(forest_nodes=a["forest_value"]), "not an array of node records"),
    (lambda a, h: a.update(forest_nodes=a["forest_nodes"].astype(
        a["forest_nodes"].dtype.newbyteorder(">"))), "field 'value'"),
    (lambda a, h: a.update(forest_leaf=a["forest_leaf"][:-1]), "forest_leaf: shape"),
    (lambda a, h: a.update(forest_baseline=np.zeros((1, 1))), "forest_baseline: shape"),
    (lambda a, h: a.update(forest_baseline=np.zeros(2)), "forest_baseline.npy: an array of shape"),
])
def test_crafted_forest_is_rejected(models, tmp_path, edit, match):
    _rejects(_craft(models, tmp_path, edit), match)


def _kind2(name, index, value):
    return _set(f"kind2_{name}", index, value)


@pytest.mark.parametrize("edit, match", [
    (_node_edit("feature_idx", 10**7, prefix="kind2_"), "kind2_nodes.*feature index outside"),
    (_node_edit("right", 4_000_000_000, prefix="kind2_"), "kind2_nodes.*right child"),
    (_node_edit("num_threshold", np.nan, prefix="kind2_"), "kind2_nodes.*threshold"),
    (_kind2("class", 0, 3), "kind2_class.*outside"),
    (_kind2("class", 0, -1), "kind2_class.*outside"),
    (_kind2("baseline", 0, np.inf), "kind2_baseline"),
    (lambda a, h: a.update(kind2_order=np.zeros_like(a["kind2_order"])), "kind2_order: not a permutation"),
    (lambda a, h: a.pop("kind2_order"), "kind-stage arrays"),
    (lambda a, h: h["params"].update(kind_stage="flat"), "kind_stage='flat'"),
])
def test_crafted_kind_stage_forest_is_rejected(models, tmp_path, edit, match):
    _rejects(_craft(models, tmp_path, edit, stage="context"), match)


@pytest.mark.parametrize("edit, match", [
    (_kind2("coef", (0, 0), np.nan), r"kind2_coef\[0, 0\]"),
    (_kind2("intercept", 0, np.inf), "kind2_intercept"),
    (lambda a, h: a.update(kind2_coef=a["kind2_coef"][:, :-1]), "kind2_coef: shape"),
])
def test_crafted_linear_kind_stage_is_rejected(models, tmp_path, edit, match):
    _rejects(_craft(models, tmp_path, edit, stage="context-linear"), match)


# --- weights, indices and the header (item 12) ------------------------------------------------

@pytest.mark.parametrize("edit, match", [
    (_set("text_coef_val", 0, np.nan), r"text_coef_val\[0\]: nan"),
    (_set("text_coef_val", 0, np.inf), "text_coef_val"),
    (_set("kind_coef_data", 0, -np.inf), "kind_coef_data"),
    (_set("kind_intercept", 0, np.nan), "kind_intercept"),
    (_set("scaler_mean", 0, np.nan), "scaler_mean"),
    (_set("scaler_scale", 0, 0.0), "scaler_scale: a scale that is not > 0"),
    (_set("scaler_scale", 0, -1.0), "scaler_scale"),
    (_set("text_coef_idx", 0, -1), "text_coef_idx: index outside"),
    (_set("text_coef_idx", -1, 10**9), "text_coef_idx: index outside"),
    (lambda a, h: a.update(text_coef_idx=a["text_coef_idx"][::-1].copy(),
                           text_coef_val=a["text_coef_val"][::-1].copy()), "not strictly increasing"),
    (_set("kind_coef_indices", 0, -5), "kind_coef_indices: index outside"),
    (_set("kind_coef_indices", 1, 0), "kind_coef_indices: indices not strictly increasing"),
    (_set("kind_coef_indptr", -1, 10**6), "kind_coef_indptr: not row bounds"),
    (lambda a, h: a.update(kind_coef_indptr=a["kind_coef_indptr"][:-1]), "kind_coef_indptr: shape"),
    (lambda a, h: a.update(text_coef_val=a["text_coef_val"].astype(np.float64)), "text_coef_val: dtype"),
    (lambda a, h: a.update(scaler_mean=a["scaler_mean"][:-1]), "scaler_mean: shape"),
    (lambda a, h: a.update(kind_intercept=np.zeros((3, 1))), "kind_intercept: shape"),
])
def test_crafted_weights_and_indices_are_rejected(models, tmp_path, edit, match):
    _rejects(_craft(models, tmp_path, edit), match)


def _header(**changes):
    return lambda a, h: h.update(changes)


def _params(**changes):
    return lambda a, h: h["params"].update(changes)


@pytest.mark.parametrize("edit, match", [
    (_header(feature_layout=["renamed"]), "different dense feature layout"),
    (_header(n_features_dense=3), "different dense feature layout"),
    (_params(html=True), "different dense feature layout"),  # the HTML layout is not the one saved
    (_header(hash_features=2**10), "different label set or feature layout"),
    (_header(labels=["body"]), "different label set"),
    (_header(version=1), "model format version 1"),
    (_header(format="other"), "not a boilerplate model file"),
    (lambda a, h: h.pop("kinds"), "the header lacks kinds"),
    (lambda a, h: h.pop("text_intercept"), "lacks text_intercept"),
    (_header(params=[1, 2]), "header params is a JSON list"),
    (_header(kinds=["body"]), "header kinds"),
    (_header(kinds=["ad", "ad"]), "header kinds"),
    (_header(kinds="ad"), "header kinds"),
    (_header(text_intercept=float("nan")), "text_intercept nan is not a finite number"),
    (_header(text_intercept="1"), "text_intercept"),
    (_params(C="4"), "C is '4', of the wrong type"),
    (_params(html=1), "html is 1"),
    (_params(threshold=float("nan")), "threshold must be in"),
    (_params(max_iter=1e400), "max_iter"),
    (_params(ablate="words"), "ablate"),
    (_params(ablate=[1]), "ablate"),
    (_params(kind_stage="bogus"), "kind_stage must be one of"),
    (_params(evil=1), "unknown parameter"),
])
def test_crafted_header_is_rejected(models, tmp_path, edit, match):
    _rejects(_craft(models, tmp_path, edit), match)


@pytest.mark.parametrize("edit, match", [
    # a stage fitted without the cohesion columns, in a header that says it has them, and the reverse
    (_params(cohesion=True), "kind2_coef: shape"),
    (lambda a, h: a.update(kind2_coef=np.hstack([a["kind2_coef"], np.zeros((len(a["kind2_coef"]), 14))])),
     "more than a model of this header can need"),
    (_params(cohesion=1), "cohesion is 1"),
])
def test_crafted_cohesion_header_is_rejected(models, tmp_path, edit, match):
    _rejects(_craft(models, tmp_path, edit, stage="context-linear"), match)


@pytest.fixture(scope="module")
def body_context_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("body2") / "b.npz"
    LearnedDetector(body_context=True, **FAST).fit(_docs(24)).save(path)
    return path


def _body2_node_edit(field, value):
    def edit(arrays, header):
        nodes = arrays["body2_forest_nodes"].copy()
        nodes[field][_split(nodes)] = value
        arrays["body2_forest_nodes"] = nodes
    return edit


@pytest.mark.parametrize("edit, match", [
    # a second booster in a header that says there is none, none where it says there is one
    (_params(body_context=False), "body_context is False but the file holds a second booster"),
    (lambda a, h: [a.pop(k) for k in list(a) if k.startswith("body2_")], "body_context is True but the file holds no"),
    (lambda a, h: a.pop("body2_forest_roots"), "no array body2_forest_roots"),
    (_body2_node_edit("feature_idx", 10_000), "body2_"),
    (_params(body_context="yes"), "body_context is 'yes'"),
])
def test_crafted_body_context_file_is_rejected(body_context_model, tmp_path, edit, match):
    arrays, header = _read(body_context_model)
    edit(arrays, header)
    _rejects(_write(tmp_path / "crafted.npz", arrays, header), match)


@pytest.mark.parametrize("past_the_end", [0, 1])
def test_a_body_context_split_on_the_last_column_loads_and_one_past_it_does_not(body_context_model, tmp_path,
                                                                                 past_the_end):
    det = LearnedDetector.load(body_context_model)
    width = det._stage_widths(len(det.kinds_))[0] + det._body_context(np.full(1, 0.5), np.zeros(1, dtype=bool)).shape[1]
    arrays, header = _read(body_context_model)
    nodes = arrays["body2_forest_nodes"].copy()
    nodes["feature_idx"][_split(nodes)] = width - 1 + past_the_end
    arrays.update(body2_forest_nodes=nodes, body2_forest_feature=nodes["feature_idx"].astype(np.int64))
    path = _write(tmp_path / "edge.npz", arrays, header)
    if past_the_end:
        _rejects(path, "body2_forest_nodes")
    else:
        assert LearnedDetector.load(path).body2_forest_["forest_feature"].max() == width - 1


def test_a_body_context_file_loads_as_saved(body_context_model):
    det = LearnedDetector.load(body_context_model)
    arrays, _ = _read(body_context_model)
    assert det.body_context and all(np.array_equal(v, arrays[f"body2_{k}"]) for k, v in det.body2_forest_.items()
                                    if not k.startswith("_"))


@pytest.mark.parametrize("header", ["[1, 2]", "\"text\"", "3", "null", "{", ""])
def test_a_header_that_is_no_json_object_is_rejected(models, tmp_path, header):
    arrays, _ = _read(models["flat"][0])
    path = tmp_path / "h.npz"
    np.savez(path, header=np.array(header), **arrays)
    _rejects(path, "not a boilerplate model file|not a readable")


def test_empty_and_foreign_files_are_rejected(tmp_path, models):
    empty = tmp_path / "empty.npz"
    empty.write_bytes(b"")
    _rejects(empty, "not a readable")
    npy = tmp_path / "plain.npz"
    with open(npy, "wb") as fh:
        np.save(fh, np.zeros(3))  # an .npy, not an .npz
    _rejects(npy, "not a readable")
    arrays, header = _read(models["flat"][0])
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, header=np.array([{"evil": 1}], dtype=object), **arrays)  # object arrays need pickle
    _rejects(pickled, "header.npy: holds Python objects")
    np.savez(pickled, header=np.array(json.dumps(header)), **{**arrays, "scaler_mean": arrays["scaler_mean"].astype(object)})
    _rejects(pickled, "scaler_mean.npy: holds Python objects")
    np.savez(tmp_path / "numeric.npz", header=np.array(3.0), **arrays)
    _rejects(tmp_path / "numeric.npz", "header: an array .* not a string")
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(models["flat"][0].read_bytes()[:5000])
    _rejects(truncated, "not a readable")
    del arrays["forest_value"]
    _rejects(_write(tmp_path / "missing.npz", arrays, header), "no array forest_value")


# --- sizes and members ------------------------------------------------------------------------

@pytest.fixture
def opened(monkeypatch):
    """The names of the zip members that get opened (decompressed) while loading."""
    names = []
    original = zipfile.ZipFile.open

    def spy(self, name, *args, **kwargs):
        names.append(getattr(name, "filename", name))
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    return names


def test_an_oversized_member_is_rejected_unread(models, tmp_path, opened):
    # 16 MB of zeros compress to ~16 KB: rejected on its declared size, never decompressed
    arrays, header = _read(models["flat"][0])
    arrays["forest_value"] = np.zeros(2 * MAX_FOREST_NODES)
    path = _write(tmp_path / "bomb.npz", arrays, header)
    assert path.stat().st_size < 1_000_000
    opened.clear()
    _rejects(path, "forest_value.npy declares .* bytes, over the")
    assert "forest_value.npy" not in opened and "header.npy" in opened


def test_a_lying_declared_size_is_rejected_unread(models, tmp_path, opened):
    # a member that claims ~4 GB in the zip directory (the zip-bomb shape): its entry is patched
    arrays, header = _read(models["flat"][0])
    path = _write(tmp_path / "liar.npz", arrays, header)
    data = bytearray(path.read_bytes())
    entry = data.index(b"PK\x01\x02")  # the first entry of the central directory
    while True:
        name_len = struct.unpack_from("<H", data, entry + 28)[0]
        if bytes(data[entry + 46:entry + 46 + name_len]) == b"text_coef_val.npy":
            break
        extra, comment = struct.unpack_from("<HH", data, entry + 30)
        entry += 46 + name_len + extra + comment
    struct.pack_into("<I", data, entry + 24, 0xFFFFFFF0)  # uncompressed size
    path.write_bytes(bytes(data))
    opened.clear()
    _rejects(path, "text_coef_val.npy declares 4294967280 bytes")
    assert "text_coef_val.npy" not in opened


def test_an_npy_header_claiming_a_huge_array_is_rejected(models, tmp_path):
    # a small member whose .npy header says (10**9,) float64: the shape is checked before reading
    arrays, header = _read(models["flat"][0])
    path = _write(tmp_path / "shape.npz", arrays, header)
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    raw = members["forest_value.npy"]
    magic_end = raw.index(b"\n") + 1
    fake = np.lib.format.header_data_from_array_1_0(np.zeros(1))
    fake["shape"] = (10**9,)
    import io

    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, fake)
    members["forest_value.npy"] = buf.getvalue() + raw[magic_end:]
    with zipfile.ZipFile(path, "w") as zf:
        for name, blob in members.items():
            zf.writestr(name, blob)
    _rejects(path, r"forest_value.npy: an array of shape \(1000000000,\)")


def test_unknown_members_are_rejected_and_never_loaded(models, tmp_path, opened):
    arrays, header = _read(models["flat"][0])
    arrays["payload"] = np.zeros(4)
    path = _write(tmp_path / "extra.npz", arrays, header)
    opened.clear()
    _rejects(path, "unexpected member 'payload.npy'")
    assert "payload.npy" not in opened
    path = _write(tmp_path / "dup.npz", *_read(models["flat"][0]))
    with zipfile.ZipFile(path, "a") as zf, pytest.warns(UserWarning, match="Duplicate"):
        zf.writestr("scaler_mean.npy", b"")
    _rejects(path, "unexpected member 'scaler_mean.npy'")


def test_word_weights_are_written_as_byte_planes_and_version_3_files_still_load(models, tmp_path):
    from boilerplate.detectors.learned.model import PLANE_MEMBERS, byte_planes, from_byte_planes

    values = np.array([[1.0, -2.0, 65504.0], [2.0 ** -24, -0.0, np.pi]], dtype=np.float16)
    planes = byte_planes(values)
    assert planes.dtype == np.uint8 and planes.shape == (2, 2, 3)
    assert planes[0].tobytes() == values.astype("<f2").tobytes()[0::2]  # plane 0: every value's low byte
    assert np.array_equal(from_byte_planes("w", planes).view(np.uint16), values.view(np.uint16))  # -0.0 too
    f32 = np.linspace(-3, 3, 7, dtype=np.float32)
    assert np.array_equal(from_byte_planes("w", byte_planes(f32)), f32)
    for bad in (planes.astype(np.int8), planes[:1], np.zeros((3, 4), np.uint8), np.zeros(4, np.uint8)):
        with pytest.raises(ValueError, match="w: byte planes"):
            from_byte_planes("w", bad)
    with pytest.raises(ValueError, match="float arrays"):
        byte_planes(np.arange(3))

    path, det = models["flat"]
    with np.load(path, allow_pickle=False) as npz:  # in the file: planes of the weights
        stored = {name: npz[name] for name in npz.files}
    held = sorted(set(PLANE_MEMBERS) & set(stored))
    assert held == ["kind_coef_data", "text_coef_val"]
    assert all(stored[name].dtype == np.uint8 for name in held)
    arrays, header = _read(path)
    assert header["version"] == 4 and arrays["kind_coef_data"].dtype == np.float16
    assert arrays["text_coef_val"].dtype == np.float32
    # a version 3 file (the weights plain, as stop 55's models) loads to the same model
    old = tmp_path / "v3.npz"
    with zipfile.ZipFile(old, "w") as zf:
        for name, array in {**arrays, "header": np.array(json.dumps({**header, "version": 3}))}.items():
            with zf.open(name + ".npy", "w") as fh:
                np.lib.format.write_array(fh, array, allow_pickle=False)
    new, v3 = LearnedDetector.load(path), LearnedDetector.load(old)
    assert np.array_equal(v3.kind_coef_, new.kind_coef_)
    assert np.array_equal(v3.text_coef_, new.text_coef_)
    doc = _docs(1)[0]
    assert np.array_equal(v3.predict_proba(doc), new.predict_proba(doc))
    # planes where version 3 has weights, or weights where version 4 has planes: refused
    _rejects(_write(tmp_path / "c.npz", {**arrays, "text_coef_val": stored["text_coef_val"]}, {**header, "version": 3}),
             "text_coef_val: dtype uint8")
    with zipfile.ZipFile(tmp_path / "p.npz", "w") as zf:
        for name, array in {**arrays, "header": np.array(json.dumps(header))}.items():
            with zf.open(name + ".npy", "w") as fh:
                np.lib.format.write_array(fh, array, allow_pickle=False)
    _rejects(tmp_path / "p.npz", "text_coef_val.npy: an array of shape .* dtype float32, more than")
    _rejects(_write(tmp_path / "q.npz", {**arrays, "kind_coef_data": stored["kind_coef_data"][:1]}, header),
             "kind_coef_data: byte planes")


def test_kind_weights_are_stored_in_half_precision_and_float32_files_still_load(models, tmp_path):
    path, det = models["flat"]
    arrays, header = _read(path)
    assert arrays["kind_coef_data"].dtype == np.float16
    loaded = LearnedDetector.load(path)
    np.testing.assert_allclose(loaded.kind_coef_, det.kind_coef_, rtol=2 ** -10, atol=1e-7)

    def as_float32(arrays, header):
        arrays["kind_coef_data"] = arrays["kind_coef_data"].astype(np.float32)
    old = LearnedDetector.load(_craft(models, tmp_path, as_float32))
    np.testing.assert_array_equal(old.kind_coef_, loaded.kind_coef_)

    def as_float64(arrays, header):
        arrays["kind_coef_data"] = arrays["kind_coef_data"].astype(np.float64)
    _rejects(_craft(models, tmp_path, as_float64), "kind_coef_data: dtype float64")


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_models_carry_their_declared_setting(name):
    from benchmarks.train_default import SHIPPED_PARAMS, shipped_offsets

    params = LearnedDetector.load(SHIPPED[name]).get_params()
    for key, value in SHIPPED_PARAMS[name].items():
        assert params[key] == value, f"{name}: {key} is {params[key]!r}, SHIPPED_PARAMS says {value!r}"
    offsets = shipped_offsets(name)
    assert params["kind_offsets"] == (None if offsets is None else tuple(offsets))


# --- the label chain (kind_transition_weight) -------------------------------------------------

@pytest.mark.parametrize("edit, match", [
    (_set("kind_transitions", (0, 0), np.nan), r"kind_transitions\[0, 0\]: nan"),
    (_set("kind_transitions", (1, 2), 0.0), "kind_transitions: a row that is not a log-probability"),
    (_set("kind_start", 3, np.inf), "kind_start"),
    (lambda a, h: a.update(kind_transitions=a["kind_transitions"][:, :-1]), "kind_transitions: shape"),
    (lambda a, h: a.update(kind_start=a["kind_start"].astype(np.float32)), "kind_start: dtype"),
    (lambda a, h: a.pop("kind_start"), "kind_transitions without kind_start"),
    (lambda a, h: a.pop("kind_transitions"), "kind_start without kind_transitions"),
    (_set("kind_start", 0, np.nan), r"kind_start\[0\]: nan"),
    (_set("kind_transitions", (2, 2), 0.5), r"kind_transitions: a log-probability outside"),
    (_set("kind_transitions", (2, 3), -1e308), r"kind_transitions: a log-probability outside"),
    (lambda a, h: a.update(kind_start=np.full(7, np.log(0.5))), "kind_start: a row that is not"),
    (lambda a, h: (a.pop("kind_start"), a.pop("kind_transitions"), h["params"].update(kind_transition_weight=1.0)),
     "kind_transition_weight > 0 but the file has no label chain"),
])
def test_crafted_label_chain_is_rejected(models, tmp_path, edit, match):
    _rejects(_craft(models, tmp_path, edit), match)


def test_a_file_without_the_chain_loads_and_labels_each_line_alone(models, tmp_path):
    path = _craft(models, tmp_path, lambda a, h: (a.pop("kind_start"), a.pop("kind_transitions")))
    det = LearnedDetector.load(path)
    assert det.kind_transitions_ is None
    doc = _docs(1)[0]
    assert det.predict(doc) == models["flat"][1].predict(doc)


def test_the_registry_refuses_a_chain_weight_on_a_model_without_a_chain(monkeypatch, models, tmp_path):
    from boilerplate.detectors.learned import model as model_module

    bare = _craft(models, tmp_path, lambda a, h: (a.pop("kind_start"), a.pop("kind_transitions")))
    monkeypatch.setitem(model_module.SHIPPED, "learned-text", bare)
    model_module._load_cached.cache_clear()
    try:
        with pytest.raises(ValueError, match="has no label chain"):
            model_module.shipped_model("learned-text", kind_transition_weight=0.2)
        assert model_module.shipped_model("learned-text", kind_transition_weight=0.0).kind_transition_weight == 0.0
    finally:
        model_module._load_cached.cache_clear()
