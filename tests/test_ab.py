import pickle
from pathlib import Path

import pytest

from benchmarks.ab import ROOT, run_tree, tree_commit

PAGE = b"<html><body><h1>Title</h1><p>The council voted on Tuesday to expand the bus network.</p></body></html>"


def test_a_tree_is_timed_in_its_own_process(tmp_path: Path):
    pages, texts = tmp_path / "pages.pkl", tmp_path / "texts.pkl"
    pages.write_bytes(pickle.dumps([PAGE, PAGE]))
    texts.write_bytes(pickle.dumps(["Home\nThe council voted on Tuesday to expand the bus network."]))
    out = run_tree(ROOT, pages, texts, reps=2)
    assert len(out["html"]) == len(out["text"]) == 2 and min(out["html"] + out["text"]) > 0
    assert out["ready_s"] > 0
    assert Path(out["package"]).resolve() == (ROOT / "boilerplate").resolve()


def test_tree_commit_and_a_tree_without_the_package(tmp_path: Path):
    from benchmarks.ab import main

    here = tree_commit(ROOT)
    assert here["path"] == str(ROOT) and (here["commit"] is None or len(here["commit"]) == 10)
    assert tree_commit(tmp_path)["commit"] is None
    with pytest.raises(SystemExit):
        main(["--before", str(tmp_path), "--after", str(ROOT), "--scrapinghub", str(tmp_path)])
