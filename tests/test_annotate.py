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


def test_round_three_is_disjoint_from_earlier_rounds_and_reproducible(tmp_path):
    from benchmarks.annotate import NEWS_ROUNDS, select_round

    N_3 = NEWS_ROUNDS[3].pages
    from tests.conftest import FIXTURES

    sel = json.loads((FIXTURES / "annotations" / "selection.json").read_text())
    third = sel["pages_3"]
    assert len(third) == sum(N_3.values()) and len(set(third)) == len(third)
    assert not set(third) & (set(sel["pages"]) | set(sel["pages_2"]))
    assert set(sel["second_pass_3"]) <= set(third) and len(sel["second_pass_3"]) == 8
    for source, n in N_3.items():
        assert sum(p.startswith(source + "/") for p in third) == n
    # the selection is a function of the seed and the pages: a toy corpus gives the same pick twice,
    # one page per site, none from earlier rounds
    from boilerplate.document import Document
    from boilerplate.eval.dataset import write_jsonl

    for source in ("scrapinghub", "wcxb", "postlight"):
        docs = [Document(lines=["a"] * 6, id=f"{source}/{i}", meta={"site": f"{source}-s{i % 30}", "page_type": "article"})
                for i in range(60)]
        write_jsonl(docs, tmp_path / f"{source}.jsonl")
    earlier = {"pages": ["scrapinghub/0"], "pages_2": ["wcxb/1"]}
    a, b = select_round(tmp_path, earlier, 3), select_round(tmp_path, earlier, 3)
    assert a == b and not set(a["pages_3"]) & {"scrapinghub/0", "wcxb/1"}
    sites = [p.split("/")[0] + "-s" + str(int(p.split("/")[1]) % 30) for p in a["pages_3"]]
    assert len(sites) == len(set(sites)) and "scrapinghub-s0" not in sites and "wcxb-s1" not in sites


def test_round_six_takes_only_pages_with_ad_markup(tmp_path):
    from benchmarks.annotate import AD_MARKUP_MIN_LINES, has_ad_markup, select_news_round
    from boilerplate.document import Document
    from boilerplate.eval.dataset import write_jsonl
    from boilerplate.html import render

    def page(i: int, classid: str, n_ad: int = 6) -> Document:
        rows = "".join(f'<p class="{classid}">ad line {j}</p>' for j in range(n_ad))
        rows += "".join(f"<p>line {j}</p>" for j in range(6))
        doc = render(f"<html><body>{rows}</body></html>", id=f"wcxb/{i}")
        doc.meta.update(site=f"s{i}", page_type="article")
        return doc

    ads = [page(i, "sidebar ad-slot-top") for i in range(10)]  # "ad" is a word of "ad-slot-top"
    plain = [page(i, "header loading badge") for i in range(10, 30)]  # "ad" only inside other words
    assert all(has_ad_markup(d) for d in ads) and not any(has_ad_markup(d) for d in plain)
    assert not has_ad_markup(page(99, "promo", AD_MARKUP_MIN_LINES - 1)) and has_ad_markup(page(99, "promo", AD_MARKUP_MIN_LINES))
    assert not has_ad_markup(Document(lines=["a"] * 6))  # text: no markup
    write_jsonl(ads + plain, tmp_path / "wcxb.jsonl")
    for source in ("scrapinghub", "postlight"):
        write_jsonl([], tmp_path / f"{source}.jsonl")
    got = select_news_round(tmp_path, {"pages": ["wcxb/0"]}, 7, {"scrapinghub": 0, "wcxb": 20, "postlight": 0}, 2,
                            "6", eligible=has_ad_markup)
    assert sorted(got["pages_6"], key=lambda p: int(p.split("/")[1])) == [f"wcxb/{i}" for i in range(1, 10)]


def test_round_six_is_disjoint_from_earlier_rounds():
    from benchmarks.annotate import NEWS_ROUNDS

    N_6, SECOND_PASS_6 = NEWS_ROUNDS[6].pages, NEWS_ROUNDS[6].second_pass
    from tests.conftest import FIXTURES

    sel = json.loads((FIXTURES / "annotations" / "selection.json").read_text())
    earlier = {p for k in ("pages", "pages_2", "pages_3", "pages_4", "pages_5") for p in sel[k]}
    assert len(sel["pages_6"]) == len(set(sel["pages_6"])) == sum(N_6.values())
    assert not set(sel["pages_6"]) & earlier and all(p.startswith("wcxb/") for p in sel["pages_6"])
    assert set(sel["second_pass_6"]) <= set(sel["pages_6"]) and len(sel["second_pass_6"]) == SECOND_PASS_6


def test_round_seven_takes_ad_or_appeal_markup_and_is_disjoint_from_earlier_rounds():
    from benchmarks.annotate import NEWS_ROUNDS, has_ad_or_appeal_markup

    N_7, SECOND_PASS_7 = NEWS_ROUNDS[7].pages, NEWS_ROUNDS[7].second_pass
    from boilerplate.html import render
    from tests.conftest import FIXTURES

    def page(classid: str) -> object:
        return render("<html><body>" + "".join(f'<p class="{classid}">x {j}</p>' for j in range(4)) + "</body></html>")

    assert has_ad_or_appeal_markup(page("newsletter-box")) and has_ad_or_appeal_markup(page("ad-slot"))
    assert not has_ad_or_appeal_markup(page("applause happen"))  # "app" only inside other words
    sel = json.loads((FIXTURES / "annotations" / "selection.json").read_text())
    earlier = {p for k in ("pages", "pages_2", "pages_3", "pages_4", "pages_5", "pages_6") for p in sel[k]}
    assert len(sel["pages_7"]) == len(set(sel["pages_7"])) == sum(N_7.values())
    assert not set(sel["pages_7"]) & earlier and all(p.startswith("wcxb/") for p in sel["pages_7"])
    assert set(sel["second_pass_7"]) <= set(sel["pages_7"]) and len(sel["second_pass_7"]) == SECOND_PASS_7


def test_a_round_of_read_sites_takes_only_their_further_pages_one_per_site(tmp_path):
    from benchmarks.annotate import select_news_round
    from boilerplate.document import Document
    from boilerplate.eval.dataset import write_jsonl

    # 20 sites of three pages each; the earlier rounds read the first page of sites 0-9
    docs = [Document(lines=["a"] * 6, id=f"wcxb/{i}", meta={"site": f"s{i % 20}", "page_type": "article"})
            for i in range(60)]
    write_jsonl(docs, tmp_path / "wcxb.jsonl")
    for source in ("scrapinghub", "postlight"):
        write_jsonl([], tmp_path / f"{source}.jsonl")
    earlier = {"pages": [f"wcxb/{i}" for i in range(10)]}
    counts = {"scrapinghub": 0, "wcxb": 30, "postlight": 0}
    got = select_news_round(tmp_path, earlier, 3, counts, 2, "x", new_sites=False)["pages_x"]
    sites = [f"s{int(p.split('/')[1]) % 20}" for p in got]
    assert len(got) == 10 and sorted(sites) == sorted(f"s{i}" for i in range(10))  # read sites only, one each
    assert not set(got) & set(earlier["pages"])
    fresh = select_news_round(tmp_path, earlier, 3, counts, 2, "x")["pages_x"]
    assert {f"s{int(p.split('/')[1]) % 20}" for p in fresh} == {f"s{i}" for i in range(10, 20)}
    # new_sites=None with several pages per site: every unread page, read and unread sites alike
    every = select_news_round(tmp_path, earlier, 3, {**counts, "wcxb": 100}, 2, "x", new_sites=None,
                              one_per_site=False)["pages_x"]
    assert sorted(every, key=lambda p: int(p.split("/")[1])) == [f"wcxb/{i}" for i in range(10, 60)]
    one_each = select_news_round(tmp_path, earlier, 3, {**counts, "wcxb": 100}, 2, "x", new_sites=None)["pages_x"]
    assert sorted(f"s{int(p.split('/')[1]) % 20}" for p in one_each) == sorted(f"s{i}" for i in range(20))


def test_a_round_can_take_long_pages_only(tmp_path):
    from benchmarks.annotate import select_news_round
    from boilerplate.document import Document
    from boilerplate.eval.dataset import write_jsonl

    docs = [Document(lines=["a"] * (10 if i % 2 else 700), id=f"wcxb/{i}", meta={"site": f"s{i}", "page_type": "article"})
            for i in range(20)]
    write_jsonl(docs, tmp_path / "wcxb.jsonl")
    for source in ("scrapinghub", "postlight"):
        write_jsonl([], tmp_path / f"{source}.jsonl")
    counts = {"scrapinghub": 0, "wcxb": 20, "postlight": 0}
    long_ = select_news_round(tmp_path, {}, 3, counts, 2, "x", lines=(601, 1500))["pages_x"]
    short = select_news_round(tmp_path, {}, 3, counts, 2, "x")["pages_x"]
    assert sorted(int(p.split("/")[1]) for p in long_) == list(range(0, 20, 2))
    assert sorted(int(p.split("/")[1]) for p in short) == list(range(1, 20, 2))
