from boilerplate.detectors.linestats import line_stats
from boilerplate.lines import line_tokens


def test_unspaced_scripts_count_characters_as_words():
    words, line_of = line_tokens(["日本語の文章です。Hello world", "한국어 문장"], cjk_chars=True)
    assert words[:8] == list("日本語の文章です") and words[8:10] == ["Hello", "world"]
    assert words[10:] == ["한국어", "문장"] and list(line_of) == [0] * 10 + [1, 1]  # Hangul is spaced
    assert line_tokens(["日本語の文章です。"])[0] == ["日本語の文章です"]  # default: \w runs (alignment)


def test_prose_without_a_stoplist_is_decided_by_length():
    st = line_stats(["東京都は今日、新しい交通計画を発表した。市民の反応はさまざまだ。", "ホーム"])
    assert st.language == -1 and list(st.running_prose) == [True, False]
    english = line_stats(["Politics Business Sports Weather Travel Opinion Culture Science Health Technology",
                          "The council said that it would publish the report by the end of the year."])
    assert english.language >= 0 and list(english.running_prose) == [False, True]
