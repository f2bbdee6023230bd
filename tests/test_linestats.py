import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


LINES = ["The council said that it would publish the report.", "", "   ", "ÉLECTIONS 2024 — Résultats…",
         "Der Bundestag hat heute das Gesetz beschlossen...", "東京都は今日、新しい計画を発表した。",
         "Σ ΟΔΟΣ ή οδός", "By JANE DOE | 3 min read", "12 345 67", "İstanbul'da hava güzel!",
         "Share »", "“Quoted,” she said.", "x" * 300, "a\x0bb\u2028c"]


def _reference(lines, title=""):
    """line_stats written plainly, token by token (what the vectorised version must equal)."""
    from collections import Counter

    import justext

    from boilerplate.detectors.stopwords import _tables, stopword_languages

    words, line_of = line_tokens(lines, cjk_chars=True)
    lowered = [w.lower() for w in words]
    languages, row, table, log_size = _tables()
    hits = np.zeros(len(languages))
    for w, c in Counter(lowered).items():
        if w in row:
            hits[table[row[w]].indices] += c
    language = int((hits / log_size).argmax()) if hits.any() else -1
    stop = {s.lower() for s in justext.get_stoplist(stopword_languages()[language])} if language >= 0 else set()
    title_words = {t.lower() for t in line_tokens([title], cjk_chars=True)[0]}
    n = len(lines)

    def count(keep):
        return np.bincount(line_of[np.array(keep, dtype=bool)] if len(words) else np.zeros(0, int), minlength=n)[:n]

    stripped = [s.strip() for s in lines]
    return {"language": language, "n_words": count([True] * len(words)),
            "n_stop": count([w in stop for w in lowered]), "n_title": count([w[0].isupper() for w in words]),
            "n_digit_words": count([w.isdigit() for w in words]),
            "n_in_title": count([w in title_words for w in lowered]),
            "ends_terminal": [s.endswith(tuple(".!?\"”’':;)»")) for s in stripped],
            "ends_ellipsis": [s.endswith(("...", "…")) for s in stripped],
            "all_caps": [s.isupper() for s in stripped], "blank": [not s for s in stripped],
            "n_chars": [len(s) for s in stripped]}


@pytest.mark.parametrize("title", ["", "Elections: the results — Résultats"])
@pytest.mark.parametrize("lines", [LINES, LINES[4:5] * 3 + LINES[:2], LINES[5:7], [""], []])
def test_line_stats_equal_a_plain_token_by_token_reference(lines, title):
    st = line_stats(lines, title=title)
    want = _reference(lines, title)
    assert st.language == want.pop("language")
    for name, values in want.items():
        assert np.array_equal(getattr(st, name), np.asarray(values, dtype=getattr(st, name).dtype)), name


def test_language_of_counts_agrees_with_detect_language():
    from boilerplate.detectors.stopwords import detect_language, language_of_counts, stopword_languages

    german = "der die und das ist nicht mit the of".split()
    lang = detect_language(german)
    assert stopword_languages()[lang] == "German"
    assert language_of_counts(["der", "die", "the", "zzz"], np.array([3, 2, 4, 9])) == \
        detect_language(["der"] * 3 + ["die"] * 2 + ["the"] * 4 + ["zzz"] * 9)
    assert language_of_counts(["zzz"], np.array([5])) == -1 and detect_language([]) == -1


def test_line_token_ids_number_words_by_first_occurrence():
    from boilerplate.lines import line_token_ids

    for cjk in (False, True):
        words, line_of = line_tokens(LINES + ["the The the", "", "東京 東京"], cjk_chars=cjk)
        vocab, word_id, line_id = line_token_ids(LINES + ["the The the", "", "東京 東京"], cjk_chars=cjk)
        first: dict[str, int] = {}
        for w in words:
            first.setdefault(w, len(first))
        assert vocab == list(first) and [vocab[i] for i in word_id] == words
        assert list(word_id) == [first[w] for w in words] and np.array_equal(line_id, line_of)
    empty = line_token_ids([])
    assert empty[0] == [] and len(empty[1]) == len(empty[2]) == 0


def test_stoplist_table_holds_each_justext_stoplist_word_by_word():
    import justext

    from boilerplate.detectors.stopwords import _stoplist, _tables

    languages, row, table, log_size = _tables()
    assert languages == tuple(sorted(justext.get_stoplists()))
    want: dict[str, set[int]] = {}
    for li, lang in enumerate(languages):
        stoplist = justext.get_stoplist(lang)
        assert np.isclose(log_size[li], np.log(max(len(stoplist), 2)))
        for word in stoplist:
            want.setdefault(word.lower(), set()).add(li)
    assert set(row) == set(want) and set(table.data) == {1.0}
    assert all(set(table.indices[table.indptr[i]:table.indptr[i + 1]]) == want[w] for w, i in row.items())
    german = languages.index("German")
    assert _stoplist(german) == {w.lower() for w in justext.get_stoplist("German")}


def test_compiled_line_tokens_equal_the_regex_tokens_on_odd_characters():
    """The compiled tokenizer (numba) and the regex one give the same words, ids and lines, on the
    characters where \\w and the unspaced-script ranges disagree or are unusual."""
    from boilerplate.lines import line_token_ids

    odd = ["カタカナ・ひらがな゠漢字", "cafe\u0301 naïve ÉTÉ", "٣٤ ١٢٣ ²³ Ⅻ", "snake_case __init__ x_1",
           "emoji 🙂🙂 ok", "lone \ud800 surrogate", "tab\tsep\x0bvt\u2028ls", "", "한국어 문장 한국어",
           "𠀋𠀋 ext-B", "ＦＵＬＬ　ｗｉｄｔｈ", "a" * 5000, "İı ß ﬁ"]
    for cjk in (False, True):
        lines = LINES + odd
        vocab, word_id, line_id = line_token_ids(lines, cjk_chars=cjk)
        ref_vocab, ref_id, ref_line = line_token_ids(lines, cjk_chars=cjk, use_compiled=False)
        assert vocab == ref_vocab and word_id.tolist() == ref_id.tolist() and line_id.tolist() == ref_line.tolist()
        assert word_id.dtype == ref_id.dtype == np.int64 and line_id.dtype == ref_line.dtype == np.int64


def test_line_tokens_without_numba_take_the_regex_path(monkeypatch):
    import boilerplate.lines as lines_module

    expected = lines_module.line_token_ids(LINES, cjk_chars=True)
    monkeypatch.setattr(lines_module, "compiled_calling", lambda *args: None)
    vocab, word_id, line_id = lines_module.line_token_ids(LINES, cjk_chars=True)
    assert vocab == expected[0] and np.array_equal(word_id, expected[1]) and np.array_equal(line_id, expected[2])


def test_a_crowded_token_table_falls_back_to_the_regex_path(monkeypatch):
    """Past MAX_PROBES probes for one word the compiled tokenizer hands the text to the (linear)
    regex path: with a bound of 0, any two words sharing a slot trigger it; the result is the same."""
    import boilerplate.lines as lines_module

    lines = [" ".join(f"w{i} {i}x" for i in range(j, j + 400)) for j in range(0, 4000, 400)]
    calls = []
    regex = lines_module._regex_token_ids
    monkeypatch.setattr(lines_module, "_regex_token_ids", lambda *a: calls.append(1) or regex(*a))
    expected = lines_module.line_token_ids(lines)
    assert not calls  # the default bound is never reached by ordinary words
    monkeypatch.setattr(lines_module, "MAX_PROBES", 0)
    vocab, word_id, line_id = lines_module.line_token_ids(lines)
    assert calls and vocab == expected[0] and np.array_equal(word_id, expected[1]) and np.array_equal(line_id, expected[2])


def test_code_point_tables_are_read_only():
    from boilerplate.detectors.learned.hashing import char_classes
    from boilerplate.lines import re_class, token_classes

    for table in (re_class(r"\w+"), token_classes(True), token_classes(False), char_classes()):
        with pytest.raises(ValueError):
            table[0] = 1


def test_token_kernel_runs_the_same_as_plain_python():
    """The kernel's arithmetic is masked to 32 bits, so uncompiled (as Python) it gives what numba gives."""
    import warnings

    from boilerplate.lines import MAX_PROBES, _compiled_token_ids, _token_ids, token_classes

    text = "\n".join(LINES + ["東京 東京 the The the", "𠀋𠀋 ext-B"])
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning either
        plain = _token_ids(codes, token_classes(True), MAX_PROBES)
    fast = _compiled_token_ids()(codes, token_classes(True), MAX_PROBES)
    assert all(np.array_equal(a, b) for a, b in zip(plain, fast))


def test_language_and_stopwords_equal_the_table_rows_and_the_stoplist():
    # the bit table's answer against the sparse table's rows and the language's own stoplist,
    # on bags of words drawn from several stoplists (and words in none)
    from boilerplate.detectors.stopwords import _stoplist, _tables, language_and_stopwords

    languages, row, table, log_size = _tables()
    rng = np.random.default_rng(7)
    pool = sorted(row)
    for _ in range(40):
        words = list(dict.fromkeys([pool[i] for i in rng.integers(0, len(pool), rng.integers(1, 60))]
                                   + ["zzqx", "qqvv"][:int(rng.integers(0, 3))]))
        counts = rng.integers(1, 9, len(words)).astype(np.float64)
        hits = np.zeros(len(languages))
        for w, c in zip(words, counts):
            if w in row:
                hits[table[row[w]].indices] += c
        want = int((hits / log_size).argmax()) if hits.any() else -1
        language, stop = language_and_stopwords(words, counts)
        assert language == want
        assert stop.tolist() == [language >= 0 and w in _stoplist(language) for w in words]
    language, stop = language_and_stopwords([], np.zeros(0))
    assert language == -1 and stop.shape == (0,)


ODD_WORDS = ["The", "THE", "the", "İstanbul", "İ", "ΟΔΟΣ", "Σ", "οδός", "ΣΑΣ", "Straße", "STRASSE", "ǅemal",
             "ﬁne", "Der", "DIE", "und", "À", "ÉTÉ", "été", "東京", "한국어", "ИЗ", "из", "lone\ud800", "𐐀𐐨",
             "ᏸ", "ꭰ", "Ⅻ", "x" * 300, "zzqx", "a", "и", "Ⓐ", "ǈ"]


def test_compiled_stoplist_rows_equal_lowered_dictionary_lookups():
    """The compiled pass (one code point at a time, str.lower where that would differ) finds the
    rows str.lower and a dictionary lookup find: on words whose lower case is special (İ, Σ, ß,
    title-case digraphs, Cherokee) and on stopwords of many languages written in capitals."""
    from boilerplate.detectors.stopwords import _tables, stoplist_rows

    row = _tables()[1]
    pool = sorted(row)
    rng = np.random.default_rng(3)
    sample = [pool[i] for i in rng.integers(0, len(pool), 3000)]
    for words in (ODD_WORDS, sample, [w.upper() for w in sample], [w.title() for w in sample], ["x"]):
        fast = stoplist_rows(words, lowered=False)
        assert fast.tolist() == [row.get(w.lower(), -1) for w in words]
        assert fast.tolist() == stoplist_rows(words, lowered=False, use_compiled=False).tolist()
    assert stoplist_rows([], lowered=False).tolist() == []
    assert (stoplist_rows(sample) >= 0).all()  # each pool word is its own row, lower-cased already


_ANY_CHARACTER = st.characters(exclude_characters="\n", exclude_categories=())  # lone surrogates too


def _stopword_pool() -> list[str]:
    from boilerplate.detectors.stopwords import _tables

    return sorted(_tables()[1])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(_ANY_CHARACTER, max_size=12),
                          st.builds(lambda w, f: f(w), st.sampled_from(_stopword_pool()),
                                    st.sampled_from([str.upper, str.title, str.capitalize, str.swapcase]))),
                max_size=30))
def test_compiled_stoplist_rows_on_any_words(words):
    from boilerplate.detectors.stopwords import _tables, stoplist_rows

    fast = stoplist_rows(words, lowered=False).tolist()
    assert fast == stoplist_rows(words, lowered=False, use_compiled=False).tolist()
    assert fast == [_tables()[1].get(w.lower(), -1) for w in words]


def test_a_slot_is_a_hit_only_when_its_code_points_are_the_word():
    """A slot whose 31-bit hash tag matches is no hit unless the stored word has the same length
    and code points: a table built for "ab" is given other words under the same slots."""
    from boilerplate.detectors.stopwords import _compiled_rows, _lower_table

    kernel = _compiled_rows()
    if kernel is None:
        pytest.skip("numba is not installed")

    def codes(text):
        return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)

    slots = np.full(16, -1, dtype=np.int64)
    built = kernel(codes("ab\n"), _lower_table(), codes("ab"), np.array([0, 2]), slots, True)
    assert built.tolist() == [0] and (slots >= 0).sum() == 1
    assert kernel(codes("ab\nAB\nzz\n"), _lower_table(), codes("ab"), np.array([0, 2]), slots, False).tolist() == \
        [0, 0, -1]
    # the same slots and tags, another stored word: of the same length, and of another length
    assert kernel(codes("ab\n"), _lower_table(), codes("cd"), np.array([0, 2]), slots, False).tolist() == [-1]
    assert kernel(codes("ab\n"), _lower_table(), codes("abc"), np.array([0, 3]), slots, False).tolist() == [-1]


def test_a_word_with_a_line_break_is_refused():
    from boilerplate.detectors.stopwords import stoplist_rows

    for use_compiled in (True, False):
        with pytest.raises(ValueError, match="line break"):
            stoplist_rows(["the", "a\nb"], lowered=False, use_compiled=use_compiled)


def test_lower_table_is_str_lower_where_one_code_point_maps_to_one():
    from boilerplate.detectors.stopwords import _lower_table

    table = _lower_table()
    every = np.arange(0x110000, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")
    for c in range(0, 0x110000, 97):  # a spread sample, and the special ones
        _check_lower(table, every[c])
    for ch in "İΣσςẞßǅǄǈ\u1e9e\U00010400ᏸꭰ":
        _check_lower(table, ch)
    with pytest.raises(ValueError):
        table[0] = 1


def _check_lower(table, ch):
    low = ch.lower()
    if ch == "Σ" or len(low) != 1:
        assert table[ord(ch)] == 0xFFFFFFFF, repr(ch)
    else:
        assert table[ord(ch)] == ord(low), repr(ch)


def test_line_stats_without_numba_are_the_same(monkeypatch):
    import boilerplate.detectors.stopwords as stopwords_module

    lines = LINES + [" ".join(ODD_WORDS)]
    expected = line_stats(lines)
    monkeypatch.setattr(stopwords_module, "compiled_calling", lambda *args: None)
    plain = line_stats(lines)
    assert plain.language == expected.language and np.array_equal(plain.n_stop, expected.n_stop)


def test_compiled_calling_binds_the_helpers_before_the_kernel(monkeypatch):
    import boilerplate.compiled as compiled_module

    def helper(x):
        return x + 1

    def kernel(x):
        return namespace["helper"](x) * 2

    namespace = {"helper": helper}
    monkeypatch.setattr(compiled_module, "compiled", lambda func: None if func is helper else func)
    assert compiled_module.compiled_calling(kernel, namespace, {"helper": helper}) is None
    assert namespace["helper"] is helper  # nothing bound when a helper cannot be compiled
    fake = {helper: lambda x: x + 10}
    monkeypatch.setattr(compiled_module, "compiled", lambda func: fake.get(func, func))
    assert compiled_module.compiled_calling(kernel, namespace, {"helper": helper})(1) == 22
