import random

from hypothesis import given, settings
from hypothesis import strategies as st

from boilerplate.eval.align import align

WORDS = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma "
         "tau upsilon phi chi psi omega river stone cloud market window garden letter silver").split()
BOILER = ["Home", "Menu", "Subscribe to our newsletter", "Share on Facebook", "Advertisement",
          "© 2025 Example Media", "Read more", "Related stories"]


def _paragraph(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30))).capitalize() + "."


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000))
def test_alignment_recovers_the_body_on_synthetic_pages(seed):
    rng = random.Random(seed)
    body = [_paragraph(rng) for _ in range(rng.randint(1, 8))]
    lines, truth = [], []
    for _ in range(rng.randint(0, 6)):
        lines.append(rng.choice(BOILER))
        truth.append(False)
    for para in body:
        lines.append(para)
        truth.append(True)
        if rng.random() < 0.3:
            lines.append(rng.choice(BOILER))
            truth.append(False)
    # a teaser after the article that repeats its lead sentence
    lines.append(body[0])
    truth.append(False)
    for _ in range(rng.randint(0, 6)):
        lines.append(rng.choice(BOILER))
        truth.append(False)
    gold = "\n\n".join(body)
    result = align(lines, gold)
    assert [lab == "body" for lab in result.labels] == truth


def test_punctuation_and_whitespace_differences_do_not_matter():
    gold = "The quick brown fox—jumps over the lazy dog, twice!\n\nSecond   paragraph here, with more words."
    lines = ["Menu", "The quick brown fox – jumps over the lazy dog twice", "Second paragraph here with more words",
             "Footer"]
    assert align(lines, gold).labels == ["other", "body", "body", "other"]


def test_partial_lines_record_their_fraction():
    gold = "one two three four five six seven eight nine ten"
    lines = ["one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
             "seventeen eighteen nineteen twenty"]
    result = align(lines, gold)
    assert abs(result.body_fraction[0] - 0.5) < 1e-9
    assert result.labels == ["body"]


def test_title_and_blank_lines():
    result = align(["", "My Great Title", "Body words are here in full and more"], "Body words are here in full and more",
                   title="My great title")
    assert result.labels == [None, "headline", "body"]


def test_empty_gold_gives_no_body():
    assert align(["a b c", "d e f"], "").labels == ["other", "other"]
