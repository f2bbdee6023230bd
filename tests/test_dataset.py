import json

import pytest

from boilerplate.document import Document
from boilerplate.eval.dataset import (
    DatasetError,
    StandoffDriftError,
    join_standoff,
    line_hash,
    read_jsonl,
    read_standoff,
    to_standoff,
    write_jsonl,
    write_standoff,
)
from boilerplate.labels import LABELS
from boilerplate.lines import is_blank, split_lines

from .conftest import FIXTURES


def test_seed_fixtures_are_the_seed_files_line_for_line(seed_docs):
    assert len(seed_docs) == 2
    for doc in seed_docs:
        raw = (FIXTURES / "seeds" / f"{doc.id}.txt").read_bytes().decode("utf-8")
        assert doc.lines == split_lines(raw)
        assert all((lab is None) == is_blank(line) for line, lab in zip(doc.lines, doc.labels))
        assert doc.meta["provenance"]["method"].startswith("hand")


def test_seed_labels_cover_the_taxonomy(seed_docs):
    used = {lab for doc in seed_docs for lab in doc.labels if lab}
    assert used == set(LABELS)


def test_round_trip_is_byte_identical(tmp_path, seed_docs):
    out = tmp_path / "a.jsonl"
    write_jsonl(seed_docs, out)
    again = list(read_jsonl(out))
    assert [d.lines for d in again] == [d.lines for d in seed_docs]
    assert [d.labels for d in again] == [d.labels for d in seed_docs]
    out2 = tmp_path / "b.jsonl"
    write_jsonl(again, out2)
    assert out.read_bytes() == out2.read_bytes()


def _write(tmp_path, text: bytes):
    p = tmp_path / "bad.jsonl"
    p.write_bytes(text)
    return p


def _good() -> dict:
    return {"id": "d", "lines": ["hello world", ""], "labels": ["body", None]}


@pytest.mark.parametrize("mutate, message", [
    (lambda r: r.update(labels=["bodyy", None]), "unknown label"),
    (lambda r: r.update(labels=["body"]), "1 labels for 2 lines"),
    (lambda r: r.update(labels=[None, None]), "not blank but has no label"),
    (lambda r: r.update(labels=["body", "chrome"]), "blank but labeled"),
    (lambda r: r.pop("lines"), "missing field 'lines'"),
])
def test_reader_reports_file_and_line(tmp_path, mutate, message):
    bad = _good()
    mutate(bad)
    path = _write(tmp_path, (json.dumps(_good()) + "\n" + json.dumps(bad) + "\n").encode())
    with pytest.raises(DatasetError, match=rf"bad.jsonl:2: .*{message}"):
        list(read_jsonl(path))


def test_reader_rejects_bad_json_and_non_utf8(tmp_path):
    with pytest.raises(DatasetError, match=r"bad.jsonl:1: bad JSON"):
        list(read_jsonl(_write(tmp_path, b"{not json\n")))
    with pytest.raises(DatasetError, match=r"bad.jsonl:2: not UTF-8"):
        list(read_jsonl(_write(tmp_path, json.dumps(_good()).encode() + b"\n\xff\xfe\n")))


def test_standoff_round_trip_and_drift(tmp_path, seed_docs):
    records = [to_standoff(d, annotator="test") for d in seed_docs]
    assert all("lines" not in r and all(len(row) == 3 for row in r["labels"]) for r in records)
    path = tmp_path / "s.jsonl"
    write_standoff(records, path)
    loaded = read_standoff(path)
    for doc in seed_docs:
        bare = Document(lines=doc.lines, id=doc.id)
        assert join_standoff(bare, loaded[doc.id]).labels == doc.labels
    doc = seed_docs[0]
    edited = list(doc.lines)
    k = next(i for i, lab in enumerate(doc.labels) if lab)
    edited[k] = edited[k] + " changed"
    with pytest.raises(StandoffDriftError, match="hash mismatch"):
        join_standoff(Document(lines=edited, id=doc.id), loaded[doc.id])
    with pytest.raises(StandoffDriftError, match="renderer has changed"):
        join_standoff(Document(lines=doc.lines[:-1], id=doc.id), loaded[doc.id])


def test_standoff_reader_validates(tmp_path):
    p = tmp_path / "s.jsonl"
    p.write_text(json.dumps({"id": "x", "n_lines": 1, "labels": [[0, line_hash("a"), "nope"]]}) + "\n")
    with pytest.raises(DatasetError, match=r"s.jsonl:1: .*unknown label"):
        read_standoff(p)
