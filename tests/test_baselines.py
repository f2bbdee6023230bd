from boilerplate.detectors import get
from boilerplate.document import Document

PROSE = "The committee said on Monday that it would publish the full report before the end of the year."


def _keep(name, lines):
    return [lab == "body" for lab in get(name).predict(Document(lines=lines))]


def test_c4_keeps_sentences_and_drops_short_or_unpunctuated_lines():
    assert _keep("c4", [PROSE, "Menu", "Two words.", "Please enable JavaScript to view the comments."]) == \
        [True, False, False, False]


def test_gopher_drops_counters_caps_ellipsis_and_ui():
    lines = [PROSE, "12 likes", "BREAKING NEWS TODAY", "Another story begins here and goes on…", "Read more", "2024"]
    assert _keep("gopher", lines) == [True, False, False, False, False, False]


def test_justext_keeps_long_prose_and_drops_menus():
    lines = ["Home", "News", " ".join([PROSE] * 3), "Contact us", ""]  # > 200 chars: "good"
    labels = get("justext").predict(Document(lines=lines))
    assert labels[2] == "body" and labels[0] != "body" and labels[4] is None
