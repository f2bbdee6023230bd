import pytest

from boilerplate.detectors import available, get
from boilerplate.document import Document
from boilerplate.labels import LABELS

PROSE = ("The minister told reporters on Friday that the talks would continue in Geneva next week, "
         "and that both sides had agreed to keep the details private until then.")


def _labels(lines):
    return [lab for lab, _ in get("rules").explain(Document(lines=lines))]


def test_registry():
    assert "rules" in available()
    det = get("rules")
    assert det.fit([]) is det


def test_each_named_rule_fires_on_its_kind():
    lines = ["Advertisement", "Support us", PROSE, PROSE, "See also:", "Ten Things You Missed This Week",
             "Read more", "By Jane Doe", "04 Jul 2025, 13:16 GMT+10"]
    assert _labels(lines) == ["ad", "appeal", "body", "body", "teaser", "teaser", "chrome", "metadata", "metadata"]


def test_context_pass_makes_runs_and_subheads():
    subhead = "What happens next"
    lines = ["Dear readers,", PROSE, "Your support keeps us going.", PROSE, subhead, PROSE]
    labels = _labels(lines)
    assert labels[1] == "appeal"  # prose inside an appeal box is the appeal
    assert labels[4] == "body"  # a short line between body paragraphs is a subhead


def test_explain_gives_a_reason_per_line_and_proba_rows_sum_to_one():
    lines = ["Menu", "", PROSE]
    det = get("rules")
    reasons = det.explain(Document(lines=lines))
    assert len(reasons) == 3 and all(isinstance(r, str) and r for _, r in reasons)
    proba = det.predict_proba(Document(lines=lines))
    assert proba.shape == (3, len(LABELS))
    assert abs(proba[0].sum() - 1) < 1e-9 and proba[1].sum() == 0


def test_ad_lexicon_matches_the_lines_its_written_out_form_matches():
    import json
    import re

    from boilerplate.detectors.lexicons import AD_PHRASE, lexicon_matcher
    from tests.conftest import FIXTURES

    # the lexicon as first written: a \b in front of each word-bounded branch (slower, same lines)
    reference = re.compile(
        r"^[^\S\n]*(?:advertisement|advertising|sponsored|sponsored content|promoted|paid content|ad|ads|"
        r"anzeige|werbung|gesponsert|publicité|sponsorisé|publicidad|patrocinado|publicidade|pubblicità|"
        r"advertentie|gesponsord|annonce|annons|annonse|mainos|reklama|reklame|reklam|iklan|реклама|إعلان|"
        r"विज्ञापन|quảng cáo|広告|スポンサーリンク|pr|광고|广告|廣告|赞助)[^\S\n]*$|"
        r"ad-free|\b(?:disabled|block(?:ing)?|turn off|disable) (?:all |your )?ads?\b|ad ?blocker|"
        r"\bsponsored by\b|\badvertis(?:e|ing) with us\b|story continues below (?:this )?advertisement", re.MULTILINE)
    lines = ["Advertisement", "  ads ", "Ad-free reading", "bad-free", "We have disabled all ads", "undisabled ads",
             "Turn off your adblocker", "sponsored by Acme", "unsponsored by", "Advertise with us", "advertising with usx",
             "Story continues below this advertisement", "Read more", "", "adblock", "blocking ads."]
    other_languages = ["Anzeige", " 広告 ", "Реклама", "Iklan", "PR", "Anzeigen", "広告主様へ", "PRESS"]
    assert lexicon_matcher(other_languages)(AD_PHRASE).tolist() == [True] * 5 + [False] * 3
    lines += other_languages
    for doc in (json.loads(row) for row in (FIXTURES / "seeds.jsonl").read_text().splitlines()):
        lines += doc["lines"]
    match = lexicon_matcher(lines)
    assert match(AD_PHRASE).tolist() == match(reference).tolist()
    assert match(AD_PHRASE).sum() >= 8


def test_whole_line_lexicons_find_the_lines_a_scan_of_the_text_finds():
    import json

    import numpy as np

    from boilerplate.detectors.lexicons import (
        LEXICON_MAX_CHARS,
        WHOLE_LINE,
        _matching_lines,
        lexicon_matcher,
        lowered_heads,
    )
    from tests.conftest import FIXTURES

    lines = ["Home", "  MENU  ", "Related stories:", "A message from The Moscow Times:", "Dear readers,",
             "By Jane Doe and John Roe", "Updated: March 3, 2024 at 10:15 am EST", "5 min read", "Photo: AP",
             "more from the newsroom team", "x" * (LEXICON_MAX_CHARS + 50) + " home", "home" + " " * 2000,
             "İSTANBUL by Ali", "", "the home page", "Most read"]
    for doc in (json.loads(row) for row in (FIXTURES / "seeds.jsonl").read_text().splitlines()):
        lines += doc["lines"]
    text = lowered_heads(lines, LEXICON_MAX_CHARS)[0]
    starts = np.concatenate(([0], np.cumsum([len(line) + 1 for line in text.split("\n")])[:-1]))
    match = lexicon_matcher(lines)
    for pattern in WHOLE_LINE:  # one anchored match per line start finds what a scan finds
        assert match(pattern).tolist() == _matching_lines(pattern, text, starts).tolist()
    assert sum(match(p).sum() for p in WHOLE_LINE) >= 10


def test_a_line_holding_a_line_break_is_refused_with_a_clear_error():
    from boilerplate.api import document_labels
    from boilerplate.eval.dataset import validate

    doc = Document(lines=["Menu", "a\nb", "Hello there."])
    for name in ("rules", "learned-text"):  # not labels shifted by one line
        with pytest.raises(ValueError, match="line 1 holds a line break"):
            document_labels(doc, name)
    with pytest.raises(ValueError, match="line 1 holds a line break"):
        validate(Document(lines=["a", "b\rc"]))
