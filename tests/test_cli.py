import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import boilerplate
from boilerplate.cli import main
from boilerplate.labels import LABELS

from .conftest import FIXTURES

SEED = FIXTURES / "seeds" / "000_a1dbe0679a729252.txt"


def test_clean_file_matches_api(capsys):
    assert main(["clean", str(SEED)]) == 0
    out = capsys.readouterr().out
    assert out == boilerplate.clean(SEED.read_text(encoding="utf-8")) + "\n"


def test_label_jsonl(capsys):
    assert main(["label", str(SEED), "--format", "jsonl"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    api = boilerplate.label(SEED.read_text(encoding="utf-8"))
    assert [(r["label"], r["text"]) for r in rows] == [(x.label, x.text) for x in api]


def test_errors_exit_2_with_one_line(tmp_path, capsys):
    for argv in (["clean", str(tmp_path / "missing.txt")], ["clean", "--keep", "nope", str(SEED)],
                 ["clean", "--detector", "nope", str(SEED)], ["frobnicate"], ["clean", str(tmp_path)]):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("boilerplate: error: ") and err.count("\n") == 1, err


def test_stdin_stream_and_bad_bytes():
    proc = subprocess.run([sys.executable, "-m", "boilerplate", "clean", "--keep", "body,chrome", "-"],
                          input="Menu café\n".encode() + b"\xff broken bytes here\n", capture_output=True)
    assert proc.returncode == 0  # mostly UTF-8: the stray byte is replaced, with a one-line warning
    assert b"undecodable" in proc.stderr and proc.stderr.count(b"\n") == 1
    legacy = "Menu café\nLe café crème brûlée était délicieux, dit-elle à ses invités ce soir-là.\n"
    proc = subprocess.run([sys.executable, "-m", "boilerplate", "clean", "--keep", ",".join(LABELS), "-"],
                          input=legacy.encode("cp1252"), capture_output=True)
    assert proc.returncode == 0 and proc.stderr == b""  # undeclared cp1252: detected, nothing replaced
    assert "brûlée".encode() in proc.stdout


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(["Support us", "", "Read more", "A long sentence of the story, told in full by the reporter today.",
                                 "Advertisement", "Dear readers,"]), max_size=15).map("\n".join))
def test_cli_and_api_agree(text):
    import contextlib
    import io
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as fh:
        fh.write(text)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["clean", fh.name]) == 0
    expected = boilerplate.clean(text)
    assert buf.getvalue() == (expected + "\n" if expected else "")


def test_train_writes_a_model_that_loads(tmp_path, capsys):
    """`boilerplate train` ran into an AttributeError on every call (issue 18)."""
    from boilerplate.cli import main
    from boilerplate.detectors.learned import LearnedDetector

    from .conftest import FIXTURES

    out = tmp_path / "m.npz"
    assert main(["train", "--corpus", str(FIXTURES / "seeds.jsonl"), "--out", str(out)]) == 0
    model = LearnedDetector.load(out)
    assert len(model.predict_proba(__import__("boilerplate").document.Document.from_text("a\nb"))) == 2
    # progress: the fit's stages on stderr as it goes, each a "boilerplate:" line with its seconds
    err = capsys.readouterr().err.splitlines()
    stages = [line for line in err if line.startswith("boilerplate: fit: ")]
    assert any("P(body) booster" in line for line in stages) and any("kind model" in line for line in stages)
    assert all(line.endswith(" s)") for line in stages if "(" in line), stages
    assert stages[-1].startswith("boilerplate: fit: done in"), stages
    assert err[-1] == f"boilerplate: model written to {out}"
    # and only while training: the package's logger is left as it was
    import logging

    logger = logging.getLogger("boilerplate")
    assert logger.handlers == [] and logger.level == logging.NOTSET and logger.propagate


def test_train_progress_prints_once_and_the_logger_is_restored_on_errors(tmp_path, capsys, monkeypatch):
    import logging

    from boilerplate.cli import _progress_on_stderr, main
    from boilerplate.detectors.learned import LearnedDetector

    from .conftest import FIXTURES

    seen: list[str] = []

    class Collect(logging.Handler):  # the embedding application's own handler, on the root logger
        def emit(self, record):
            seen.append(record.getMessage())

    root = logging.getLogger()
    collect = Collect()
    root.addHandler(collect)
    try:
        assert main(["train", "--corpus", str(FIXTURES / "seeds.jsonl"), "--out", str(tmp_path / "m.npz")]) == 0
    finally:
        root.removeHandler(collect)
    err = capsys.readouterr().err.splitlines()
    assert [line for line in err if "fit: done in" in line] and not [m for m in seen if m.startswith("fit:")]
    logger = logging.getLogger("boilerplate")
    logger.setLevel(logging.WARNING)

    def fail(self, docs):
        raise KeyboardInterrupt

    monkeypatch.setattr(LearnedDetector, "fit", fail)
    with pytest.raises(KeyboardInterrupt):
        with _progress_on_stderr():
            LearnedDetector().fit([])
    assert logger.handlers == [] and logger.level == logging.WARNING and logger.propagate
    logger.setLevel(logging.NOTSET)


def test_train_uses_the_shipped_setting_unless_params_are_given(tmp_path, capsys):
    from boilerplate.cli import main
    from boilerplate.detectors.learned import SHIPPED, LearnedDetector

    from .conftest import FIXTURES

    out = tmp_path / "m.npz"
    assert main(["train", "--corpus", str(FIXTURES / "seeds.jsonl"), "--out", str(out)]) == 0
    shipped = LearnedDetector.load(SHIPPED["learned-text"]).get_params()
    trained = LearnedDetector.load(out).get_params()
    assert trained["kind_offsets"] is None
    assert {k: v for k, v in trained.items() if k != "kind_offsets"} == \
        {k: v for k, v in shipped.items() if k != "kind_offsets"}
    assert main(["train", "--corpus", str(FIXTURES / "seeds.jsonl"), "--out", str(out),
                 "--params", '{"max_iter": 5}']) == 0
    assert LearnedDetector.load(out).get_params() == {**LearnedDetector().get_params(), "max_iter": 5}
    capsys.readouterr()
    for bad, says in (('{"max_iter": 5', "not JSON"), ('{"C": 1, "no_such": 2}', "no_such"),
                      ('{"C": -1}', "C must be"), ('[1]', "JSON object"), ('{"html": true}', "--html")):
        assert main(["train", "--corpus", str(FIXTURES / "seeds.jsonl"), "--out", str(out), "--params", bad]) == 2
        errors = [line for line in capsys.readouterr().err.splitlines() if "error" in line]
        assert len(errors) == 1 and says in errors[0], errors


def test_train_checks_out_before_training(tmp_path, capsys):
    from boilerplate.cli import main

    from .conftest import FIXTURES

    assert main(["train", "--corpus", str(FIXTURES / "seeds.jsonl"), "--out", str(tmp_path / "no" / "m.npz")]) == 2
    err = capsys.readouterr().err
    assert "--out" in err and "fit:" not in err


def test_train_without_torch_for_the_line_network_says_so_before_training(tmp_path, capsys, monkeypatch):
    import sys

    from boilerplate.cli import main

    from .conftest import FIXTURES

    monkeypatch.setitem(sys.modules, "torch", None)
    args = ["train", "--corpus", str(FIXTURES / "seeds.jsonl"), "--out", str(tmp_path / "m.npz"),
            "--params", '{"seq_net": 8}']
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "seq_net needs PyTorch to train" in err and "fit:" not in err and "Traceback" not in err
    assert not (tmp_path / "m.npz").exists()
