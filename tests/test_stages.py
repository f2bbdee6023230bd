import boilerplate
from benchmarks.stages import STAGES, stage_table

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
