"""The hand-annotation workflow: label files with runs, completeness checks, stand-off output."""

import json

import pytest

from benchmarks.annotate import import_labels
from boilerplate.document import Document
from boilerplate.eval.dataset import read_standoff, write_jsonl


def _data(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    doc = Document(lines=["Home", "News", "", "The story.", "More"], id="postlight/x", labels=None,
                   meta={"source": "postlight", "site": "x.com"})
    write_jsonl([doc], data / "postlight.jsonl")
    return data


def test_runs_cover_blank_lines_and_give_standoff(tmp_path):
    data, labels = _data(tmp_path), tmp_path / "labels"
    labels.mkdir()
    (labels / "postlight_x.labels").write_text("0-2\tchrome\n3\tbody\n4\tteaser\n")
    out = tmp_path / "out.jsonl"
    assert import_labels(data, labels, "A", out, ["postlight/x"]) == 1
    rec = read_standoff(out)["postlight/x"]
    assert [(i, lab) for i, _, lab in rec["labels"]] == [(0, "chrome"), (1, "chrome"), (3, "body"), (4, "teaser")]
    assert rec["annotator"] == "A" and rec["n_lines"] == 5


@pytest.mark.parametrize("content, message", [
    ("0-1\tchrome\n3\tbody\n", "unlabeled"),  # line 4 missing
    ("0-9\tchrome\n", "outside"),  # range past the page
    ("0-4\tnavigation\n", "unknown label"),
])
def test_bad_label_files_fail_loudly(tmp_path, content, message):
    data, labels = _data(tmp_path), tmp_path / "labels"
    labels.mkdir()
    (labels / "postlight_x.labels").write_text(content)
    with pytest.raises(SystemExit, match=message):
        import_labels(data, labels, "A", tmp_path / "out.jsonl", ["postlight/x"])


def test_selection_rounds_are_disjoint_and_reach_the_languages():
    from tests.conftest import FIXTURES

    sel = json.loads((FIXTURES / "annotations" / "selection.json").read_text())
    first, second = sel["pages"], sel["pages_2"]
    assert len(second) == 200 and not set(first) & set(second)
    assert set(sel["second_pass_2"]) <= set(second) and len(sel["second_pass_2"]) >= 25
    assert sum(x.startswith("postlight/") for x in second) == 60
    not_english = [p for p in second if sel["languages_2"][p] not in ("en", "undeclared")]
    assert len(not_english) >= 30 and len({sel["languages_2"][p] for p in not_english}) >= 4
