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


def _lexicon_test_lines() -> list[str]:
    import json

    from tests.conftest import FIXTURES

    lines = ["Advertisement", "  ads ", "Ad-free reading", "bad-free", "We have disabled all ads", "undisabled ads",
             "Turn off your adblocker", "sponsored by Acme", "unsponsored by", "Advertise with us", "advertising with usx",
             "Story continues below this advertisement", "Read more", "", "adblock", "blocking ads.",
             "© 2024 Acme", "Copyright", "nocopyright", "xcopyright", "copyrighted", "Privacy Policy | Terms of use",
             "Subscribe now", "unsubscribe", "Support us", "supportus", "our newsletter", "Dear reader",
             "Thank you for reading", "Supporting local journalism", "a small contribution", "resign up",
             "İSTANBUL subscribe", "click here!", "$5", "5 €"]
    for doc in (json.loads(row) for row in (FIXTURES / "seeds.jsonl").read_text().splitlines()):
        lines += doc["lines"]
    return lines


def test_ad_lexicon_finds_ad_labels_disclosures_and_shop_buttons_in_several_languages():
    from boilerplate.detectors.lexicons import AD_PHRASE, lexicon_matcher

    ads = ["Advertisement", "  ads ", "Ad-free reading", "We have disabled all ads", "Turn off your adblocker",
           "sponsored by Acme", "Advertise with us", "Story continues below this advertisement",
           "Advertisement - Continue Reading Below", "As an Amazon Associate we earn from qualifying purchases.",
           "This post may contain affiliate links.", "We may earn a commission from links on this page",
           "Check Price", "See details & buying options", "Buy on Amazon", "Sponsor message", "Advert",
           # other languages
           "Anzeige", " 広告 ", "Реклама", "Iklan", "PR", "Cet article contient des liens affiliés",
           "Contiene enlaces de afiliados", "Ver precio", "Zum Angebot", "この記事はアフィリエイト広告を含みます"]
    not_ads = ["bad-free", "undisabled ads", "unsponsored by", "advertising with usx", "Read more", "", "adblock",
               "The company says subscribers will earn more", "He checked the prices of houses", "Sponsor",
               "Anzeigen", "広告主様へ", "PRESS", "Subscribe now"]
    match = lexicon_matcher(ads + not_ads)(AD_PHRASE)
    assert [line for line, hit in zip(ads + not_ads, match) if hit != (line in ads)] == []


def test_appeal_and_social_lexicons_find_follow_and_sign_up_calls_in_several_languages():
    from boilerplate.detectors.lexicons import APPEAL_PHRASE, CHROME_LINE, SOCIAL_LINE, lexicon_matcher

    appeals = ["Follow us", "Follow us on Twitter", "Connect with us", "Get started", "Request a quote",
               "No credit card required.", "Create an account", "Enter your email address", "Subscribe now",
               "Folgen Sie uns", "Jetzt abonnieren", "Abonnez-vous à notre newsletter", "Síguenos", "Iscriviti",
               "Подпишитесь на нас", "メルマガ会員登録", "关注我们"]
    others = ["He did not follow usual practice", "The home page", "Started in 2001", "Dear reader, more"]
    match = lexicon_matcher(appeals + others)
    assert match(APPEAL_PHRASE).tolist() == [True] * len(appeals) + [False, False, False, True]
    assert not match(CHROME_LINE)[0]  # "Follow us" is the guideline's appeal, not chrome
    social = ["Facebook", "  Instagram ", "RSS feed", "LinkedIn", "Facebook is a social network", "Share on X"]
    assert lexicon_matcher(social)(SOCIAL_LINE).tolist() == [True, True, True, True, False, False]


def _matching_lines_of(pattern, lines):
    """Lines where ``pattern`` matches, by a plain scan of the lowered, capped text."""
    import numpy as np

    from boilerplate.detectors.lexicons import LEXICON_MAX_CHARS, _matching_lines, lowered_heads

    text = lowered_heads(lines, LEXICON_MAX_CHARS)[0]
    starts = np.concatenate(([0], np.cumsum([len(line) + 1 for line in text.split("\n")])[:-1]))
    return _matching_lines(pattern, text, starts)


def test_compiled_phrases_match_the_lines_their_plain_alternation_matches():
    import re

    import pytest

    from boilerplate.detectors.lexicons import LEXICONS, Lexicon, compile_phrases, lexicon_matcher

    lines = _lexicon_test_lines()
    match = lexicon_matcher(lines)
    for name, lexicon in LEXICONS.items():
        if not lexicon.phrases:
            continue
        plain = re.compile("|".join(lexicon.phrases))
        assert lexicon.phrase.pattern != plain.pattern or len(lexicon.phrases) == 1
        found = _matching_lines_of(plain, lines)
        assert match(Lexicon(phrases=lexicon.phrases)).tolist() == found.tolist(), name
        assert found.any(), name
    # a leading \b moved behind the letter keeps its meaning at a text's start and after a word
    mixed = compile_phrases((r"\bcat\b", "dog"))
    assert [bool(mixed.search(t)) for t in ("cat", "a cat", "bobcat", "hotdog", "cats")] == [True, True, False, True, False]
    with pytest.raises(ValueError, match="before a letter"):
        compile_phrases((r"\b1st", "dog"))
    with pytest.raises(ValueError, match="before a letter"):  # "s?" would lose its quantifier
        compile_phrases((r"\bs?foo", "x", "y"))
    with pytest.raises(ValueError, match="top-level"):  # "bar" would be grouped under "f"
        compile_phrases(("foo|bar", "fxx"))
    assert compile_phrases(("f(?:oo|ar)", "[|]x", r"\|y")).search("a|y")  # bars inside groups, classes, escapes
    with pytest.raises(ValueError, match="needs"):
        Lexicon()


def test_whole_line_lexicons_find_the_lines_a_scan_of_the_text_finds():
    from boilerplate.detectors.lexicons import LEXICON_MAX_CHARS, LEXICONS, lexicon_matcher

    lines = ["Home", "  MENU  ", "Related stories:", "A message from The Moscow Times:", "Dear readers,",
             "By Jane Doe and John Roe", "Updated: March 3, 2024 at 10:15 am EST", "5 min read", "Photo: AP",
             "more from the newsroom team", "x" * (LEXICON_MAX_CHARS + 50) + " home", "home" + " " * 2000,
             "İSTANBUL by Ali", "", "the home page", "Most read", "Facebook", " Instagram ",
             "Facebook is a social network"] + _lexicon_test_lines()
    match = lexicon_matcher(lines)
    whole_line = [lexicon for lexicon in LEXICONS.values() if lexicon.line is not None and not lexicon.phrases]
    assert {"chrome_line", "metadata_line", "social"} <= {k for k, v in LEXICONS.items() if v in whole_line}
    for lexicon in whole_line:  # one anchored match per line start finds what a scan finds
        assert match(lexicon).tolist() == _matching_lines_of(lexicon.line, lines).tolist()
    assert sum(match(lexicon).sum() for lexicon in whole_line) >= 10


def test_lowered_text_bounds_are_the_lowered_lines_also_where_lower_casing_lengthens_one():
    from boilerplate.detectors.lexicons import lowered_heads, lowered_text

    for lines in (["Home", "", "İSTANBUL by Ali", "x" * 50], ["Home", "News"], ["", ""], [""], []):
        for head in (3, 40):
            text, starts, ends = lowered_text(lines, head)
            heads = [line[:head].lower() for line in lines]  # "İ" lowers to two code points
            assert text == "\n".join(heads) and lowered_heads(lines, head) == (text, text.split("\n") if lines else [])
            assert [text[a:b] for a, b in zip(starts, ends)] == heads


def test_a_line_holding_a_line_break_is_refused_with_a_clear_error():
    from boilerplate.api import document_labels
    from boilerplate.eval.dataset import validate

    doc = Document(lines=["Menu", "a\nb", "Hello there."])
    for name in ("rules", "learned-text"):  # not labels shifted by one line
        with pytest.raises(ValueError, match="line 1 holds a line break"):
            document_labels(doc, name)
    with pytest.raises(ValueError, match="line 1 holds a line break"):
        validate(Document(lines=["a", "b\rc"]))
