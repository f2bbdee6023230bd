import boilerplate
from benchmarks.stages import STAGES, _own_stage, stage_table

TEXT = "\n".join(["Home", "Sign up for our newsletter",
                  "The council voted on Tuesday to expand the city's bus network into the northern districts.",
                  "Officials said the new routes would begin running in the spring."] * 5)


def test_stage_table_splits_the_profiled_time_over_the_stages():
    table = stage_table(boilerplate.clean, [TEXT] * 4)
    share = table["share"]
    assert table["inputs"] == 4 and table["profiled_s"] > 0
    assert set(share) == {name for name, _ in STAGES} | {"unattributed"}
    assert abs(sum(share.values()) - 1) < 1e-3
    # text cleaning has no markup to parse or walk; its features and models take time
    assert share["render walk"] == share["parse (libxml2)"] == 0
    assert share["line statistics"] > 0 and share["word hashing"] > 0 and share["lexicons"] > 0


def test_stage_of_a_function_is_its_job_not_the_api():
    # the lexicons' hyperscan prefilter and the compiled tokenizer are their stages' own work; the
    # API stage is only what is left (decoding, splitting, Document, output)
    assert _own_stage("/src/boilerplate/detectors/prefilter.py:hits") == "lexicons"
    assert _own_stage("/src/boilerplate/lines.py:_token_ids") == "line statistics"
    assert _own_stage("/src/boilerplate/lines.py:_regex_token_ids") == "line statistics"
    assert _own_stage("/src/boilerplate/detectors/learned/sequence.py:viterbi") == "linear models and stacking"
    # the markup's words (class/id, landmark and link words hashed) are markup features
    assert _own_stage("/src/boilerplate/detectors/learned/features.py:hashed_cues") == "markup features"
    assert _own_stage("/src/boilerplate/detectors/learned/features.py:_link_cue_words") == "markup features"
    assert _own_stage("/src/boilerplate/detectors/learned/features.py:base_features") == "other features"
    assert _own_stage("/src/boilerplate/lines.py:split_lines") == "api (decode, lines, labels)"
    assert _own_stage("/site-packages/numpy/core/numeric.py:flatnonzero") is None
