"""The HTML renderer: lines a reader sees, markup cues, decoding, robustness."""

from __future__ import annotations

import codecs
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boilerplate.document import CUE_FIELDS, Document
from boilerplate.html import (
    HREF_MAX_CHARS,
    MAX_HTML_BYTES,
    HTMLTooLargeError,
    detect_encoding,
    render,
    render_text,
)
from boilerplate.lines import DecodingWarning, guess_encoding


def lines(html, **kw) -> list[str]:
    return render(html, **kw).lines


# --- a property over generated HTML --------------------------------------------------------------

BLOCKS = ["div", "p", "section", "article", "blockquote", "li", "ul", "h2", "nav", "header",
          "footer", "aside", "figure", "figcaption", "dd", "dt", "address", "main", "pre"]
INLINES = ["span", "a", "em", "strong", "b", "i", "code", "small", "label", "abbr", "sup"]
WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=7)
# Words inside invisible parts use capitals, which visible words never do.
SECRET = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=7)


def _text_node(words):
    # Spaces around every word keep tokens apart however the parser joins inline text.
    return (" " + " ".join(words) + " ", list(words))


def _invisible(pair):
    kind, words = pair
    body = " ".join(words)
    return {
        "script": (f"<script> var {body} = '<p>x</p>'; </script>", []),
        "style": (f"<style> .{body} {{ color: red }} </style>", []),
        "noscript": (f"<noscript> {body} </noscript>", []),
        "template": (f"<template><p> {body} </p></template>", []),
        "hidden": (f"<div hidden><p> {body} </p></div>", []),
        "aria": (f'<div aria-hidden="true"> {body} </div>', []),
        "none": (f'<div style="display: none"> {body} </div>', []),
        "comment": (f"<!-- {body} -->", []),
    }[kind]


LEAF = st.one_of(
    st.lists(WORD, min_size=1, max_size=5).map(_text_node),
    st.just(("<br>", [])),
    st.tuples(st.sampled_from(["script", "style", "noscript", "template", "hidden", "aria", "none",
                               "comment"]),
              st.lists(SECRET, min_size=1, max_size=3)).map(_invisible),
)


def _element(args):
    tag, children = args
    html = "".join(h for h, _ in children)
    tokens = [t for _, ts in children for t in ts]
    attrs = ' href="#"' if tag == "a" else ""
    return (f"<{tag}{attrs}>{html}</{tag}>", tokens)


TREE = st.recursive(
    LEAF,
    lambda kids: st.tuples(st.sampled_from(BLOCKS + INLINES), st.lists(kids, min_size=1, max_size=4)
                           ).map(_element),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TREE, min_size=1, max_size=4), st.booleans())
def test_every_visible_token_appears_once_in_order(parts, as_bytes):
    html = "<html><body>" + "".join(h for h, _ in parts) + "</body></html>"
    visible = [t for _, ts in parts for t in ts]
    doc = render(html.encode() if as_bytes else html)
    assert [tok for line in doc.lines for tok in line.split()] == visible
    for line in doc.lines:
        assert line and line == " ".join(line.split())  # normalised, never blank
    assert len(doc.cues["tag"]) == len(doc)


# --- lines ---------------------------------------------------------------------------------------

def test_br_splits_a_block():
    doc = render("<p>one<br>two<br/>three<br><br>  </p>")
    assert doc.lines == ["one", "two", "three"]
    assert doc.cues["tag"] == ["p", "p", "p"]


def test_inline_elements_join_into_the_block_line():
    html = ("<p>The <b>quick</b> brown <a href='#'>fox <em>jumps</em></a> over the "
            "<span class='x'>lazy</span> dog<i>s</i>.</p>")
    assert lines(html) == ["The quick brown fox jumps over the lazy dogs."]


def test_nested_block_splits_the_outer_text_in_order():
    doc = render("<div>before <b>bold</b><div>inner <i>one</i></div>after<ul><li>a</li><li>b</li></ul>"
                 "end</div>")
    assert doc.lines == ["before bold", "inner one", "after", "a", "b", "end"]
    assert doc.cues["tag"] == ["div", "div", "div", "li", "li", "div"]
    assert list(doc.cues["depth"]) == [2, 3, 2, 4, 4, 2]


def test_table_cells_and_headings_are_lines():
    html = "<h1>Title</h1><table><tr><th>Name</th><td>Value <b>1</b></td></tr></table><h3>Sub</h3>"
    doc = render(html)
    assert doc.lines == ["Title", "Name", "Value 1", "Sub"]
    assert doc.cues["tag"] == ["h1", "th", "td", "h3"]


def test_whitespace_and_nbsp_collapse():
    assert lines("<p>  a \t\n b&nbsp;&nbsp;c\u00a0 d\u2003e  </p><p> \n\t&nbsp; </p>") == ["a b c d e"]


def test_pre_keeps_its_source_lines():
    doc = render("<pre>\nfirst  line\n\n   second <b>bold</b>\nthird</pre><p>after</p>")
    assert doc.lines == ["first line", "second bold", "third", "after"]
    assert doc.cues["tag"] == ["pre", "pre", "pre", "p"]


def test_invisible_content_is_dropped():
    html = """<html><head><title>Page title</title><style>p{}</style><meta charset="utf-8"></head>
    <body><script>var secret = 1;</script><p>visible one</p>
    <noscript>enable js</noscript><template><p>tmpl</p></template>
    <svg><title>icon</title><text>svgtext</text></svg><iframe>frame text</iframe>
    <div hidden>hidden attr</div><p aria-hidden="true">aria hidden</p>
    <div style="color:red; DISPLAY : none !important">display none</div>
    <span style="visibility:hidden">visibility hidden</span>
    <p style="display:block">visible two</p><p aria-hidden="false">visible three</p>
    <input type="hidden" value="hidden input"><img alt="alt text" src="x.png">
    <!-- a comment --><?php echo 'pi'; ?>
    <p>visible <span hidden>secret</span>four</p></body></html>"""
    doc = render(html)
    assert doc.lines == ["visible one", "visible two", "visible three", "visible four"]
    assert doc.meta["title"] == "Page title"
    assert render(html, drop_hidden=False).lines == [
        "visible one", "hidden attr", "aria hidden", "display none", "visibility hidden",
        "visible two", "visible three", "visible secretfour"]


def test_hidden_but_revealable_content_is_kept():
    html = ("<div><div class='faq-answer' style='display:none'>Answer text</div>"
            "<div role='tabpanel' hidden>Tab two</div><nav style='display:none'>Menu</nav></div>"
            "<div hidden id='S:1'><p>Streamed</p></div>")
    assert lines(html) == ["Answer text", "Tab two", "Streamed"]


def test_body_hidden_by_inline_style_is_rendered():
    assert lines('<html><body style="visibility:hidden"><p>shown later</p></body></html>') == ["shown later"]


def test_content_after_stray_html_end_tag_is_kept():
    html = "<html><body><p>one</p></body></html>\n<div><p>two</p></div><!-- x -->"
    assert lines(html) == ["one", "two"]
    assert lines("<p>one</p></html>  <!-- trailing comment -->\n") == ["one"]


# --- cues ----------------------------------------------------------------------------------------

def test_cue_format():
    html = ("<html><body><div class='Main content' id='story'><p class='lead content'>Hello "
            "<a href='#'>world</a></p><ul class='nav'><li><a href='/'>Home</a></li></ul></div>"
            "</body></html>")
    doc = render(html)
    assert isinstance(doc, Document) and doc.has_cues
    assert tuple(doc.cues) == CUE_FIELDS
    assert doc.lines == ["Hello world", "Home"]
    cues = doc.cues
    assert cues["tag"] == ["p", "li"]
    assert cues["path"] == ["html>body>div>p", "html>body>div>ul>li"]
    assert cues["depth"].dtype == np.int32 and list(cues["depth"]) == [3, 4]
    assert cues["link_ratio"].dtype == np.float64
    assert cues["link_ratio"].tolist() == pytest.approx([5 / 10, 1.0])
    assert cues["classid"] == ["lead content main story", "nav main content story"]
    assert cues["position"].dtype == np.float64 and cues["position"].tolist() == [0.0, 0.5]


def test_href_and_rel_are_the_first_link_texts():
    html = ("<nav><a href=' https://facebook.com/x ' rel='NoFollow  sponsored'><span>Facebook</span></a>"
            " <a href='/news'>News</a></nav>"
            "<p>Text <a href='/a/b'>link</a> more <a href='/c'>c</a></p>"
            "<a href='/card'><div>Card title</div><div>sub</div></a>"
            "<p><a href='/icon'><img src=x></a>not linked</p><p><a>no target</a></p><p>plain</p>"
            "<p>" + "<a href='/" + "x" * 500 + "'>long</a></p>")
    doc = render(html)
    assert doc.lines[:7] == ["Facebook News", "Text link more c", "Card title", "sub", "not linked",
                             "no target", "plain"]
    hrefs = doc.cues["href"]
    assert hrefs[:7] == ["https://facebook.com/x", "/a/b", "/card", "/card", "", "", ""]
    assert hrefs[7] == ("/" + "x" * 500)[:HREF_MAX_CHARS]
    assert doc.cues["link_rel"][:3] == ["nofollow sponsored", "", ""]


def test_a_blank_link_claims_no_line_and_a_pre_link_only_its_own_line():
    doc = render("<p>Share: <a href='/share' rel='nofollow'> <i></i> </a> now <a href='/x'>x</a></p>"
                 "<pre>line one\nline <a href='/two' rel='sponsored'>two</a>\n\nthree</pre>")
    assert doc.lines == ["Share: now x", "line one", "line two", "three"]
    assert doc.cues["href"] == ["/x", "", "/two", ""]  # the icon-only link is not the line's link
    assert doc.cues["link_rel"] == ["", "", "sponsored", ""]


def test_link_ratio_hand_example():
    html = ("<p>abc <a href='#'>defg</a> hi</p><div><a href='#'>Home</a> | <a href='#'>News</a></div>"
            "<p>no links here</p><p><a href='#'>all <b>linked</b></a></p>")
    ratios = render(html).cues["link_ratio"].tolist()
    assert ratios == pytest.approx([4 / 9, 8 / 9, 0.0, 1.0])


def test_path_is_capped_and_position_in_unit_interval():
    html = "<div>" * 12 + "<p>deep</p>" + "</div>" * 12 + "<p>x</p><p>y</p>"
    doc = render(html)
    assert doc.cues["path"][0] == ">".join(["div"] * 7 + ["p"])
    assert doc.cues["depth"][0] == 14
    pos = doc.cues["position"]
    assert pos[0] == 0.0 and np.all(np.diff(pos) > 0) and pos[-1] < 1.0


def test_classid_is_deduplicated_lowercased_and_capped():
    long = " ".join(f"cls{i:03d}" for i in range(100))
    doc = render(f"<div id='A'><div class='{long}'><p class='X x'>t</p></div></div>")
    classid = doc.cues["classid"][0]
    assert classid.startswith("x cls000 cls001")
    assert len(classid) <= 200 and classid == " ".join(classid.split())
    assert len(set(classid.split())) == len(classid.split())


def test_classid_strings_are_kept_between_pages_only_for_short_token_lists():
    from boilerplate import html

    html._kept_classid.cache_clear()
    page = "<div class='menu'><p class='item'>a</p><p class='item'>b</p><p class='other'>c</p></div>"
    first = render(page).cues["classid"]
    assert first == ["item menu", "item menu", "other menu"] and render(page).cues["classid"] == first
    assert html._kept_classid.cache_info().currsize == 2  # (item, menu) and (other, menu), reused
    hostile = " ".join(f"t{i}" for i in range(5000))  # a class attribute no cache should hold on to
    doc = render(f"<div class='{hostile}'><p class='a'>x</p><p class='b'>y</p></div>")
    assert [c.split()[0] for c in doc.cues["classid"]] == ["a", "b"]
    assert html._kept_classid.cache_info().currsize == 2


# --- decoding ------------------------------------------------------------------------------------

def test_utf8_bom_wins_over_meta():
    data = codecs.BOM_UTF8 + '<meta charset="windows-1251"><p>café ☕</p>'.encode()
    doc = render(data)
    assert doc.lines == ["café ☕"] and doc.meta["encoding"] == "utf-8"


def test_utf16_bom():
    data = codecs.BOM_UTF16_LE + "<p>Grüße</p>".encode("utf-16-le")
    assert lines(data) == ["Grüße"]


def test_meta_charset_windows_1251():
    data = "<html><head><meta charset='windows-1251'></head><body><p>Привет, мир</p></body></html>"
    doc = render(data.encode("cp1251"))
    assert doc.lines == ["Привет, мир"] and doc.meta["encoding"] == "cp1251"


def test_meta_http_equiv_latin1():
    data = ('<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'
            "<p>Café “crème” brûlée</p>").encode("cp1252")
    assert lines(data) == ["Café “crème” brûlée"]
    assert detect_encoding(data) == "cp1252"


def test_valid_utf8_beats_a_stale_legacy_declaration():
    data = '<meta charset="iso-8859-1"><p>café</p>'.encode()
    assert lines(data) == ["café"]


def test_unknown_or_bogus_charset_falls_back_to_utf8():
    for label in ("no-such-charset", "base64", "rot13", "utf-16"):
        data = f'<meta charset="{label}"><p>naïve</p>'.encode()
        assert detect_encoding(data) == "utf-8", label
        assert lines(data) == ["naïve"]


def test_invalid_utf8_warns_and_gives_replacement_character():
    with pytest.warns(DecodingWarning):
        doc = render(b'<meta charset="utf-8"><p>ok \xff\xfe bad</p>')  # declared, so no guess
    assert doc.lines == ["ok \ufffd\ufffd bad"]


def test_nul_bytes_are_stripped():
    assert lines(b"<p>a\x00b</p>\x00<p>c</p>") == ["ab", "c"]
    assert lines("<p>a\x00b</p>") == ["ab"]


def test_str_input_with_xml_encoding_declaration():
    html = '<?xml version="1.0" encoding="iso-8859-1"?><html><body><p>été</p></body></html>'
    assert lines(html) == ["été"]
    assert lines(html.encode("latin-1")) == ["été"]


def test_str_with_lone_surrogate():
    assert lines("<p>a\ud800b</p>") == ["a\ufffdb"]


# --- robustness ----------------------------------------------------------------------------------

def test_broken_html():
    html = "<div><p>one<p>two</div></div></span><li>three<li>four<table><td>five</table><b>six"
    assert lines(html) == ["one", "two", "three", "four", "five", "six"]
    assert lines("<p>unclosed <a href='x>broken attr</a> text") in (["unclosed text"], ["unclosed"])
    assert lines("</p></div>stray end tags<") == ["stray end tags<"]


def test_deep_nesting_keeps_inner_text():
    n = 5000
    html = "<p>before</p>" + "<div>" * n + "inner" + "</div>" * n + "<p>after</p>"
    doc = render(html)
    assert doc.lines == ["before", "inner", "after"]
    html = "<span>" * n + "deep inline" + "</span>" * n + "tail"
    assert lines(html) == ["deep inlinetail"]


CROWDED_FORMS = {  # n attributes written the ways HTML5's tokenizer accepts them
    "quoted": lambda n: " ".join(f'a{i}="x"' for i in range(n)),
    "quoted >": lambda n: " ".join(f'a{i}=">"' for i in range(n)),
    "no blanks": lambda n: "".join(f"a{i}='x'" for i in range(n)),
    "bare": lambda n: " ".join(f"a{i}" for i in range(n)),
    "stray quotes": lambda n: " ".join(f"a{i}" if i % 300 else '"' for i in range(n)),
    "unquoted": lambda n: " ".join(f"a{i}=x" for i in range(n)),
    "slashes": lambda n: "/".join(f"a{i}" for i in range(n)),
}


@pytest.mark.parametrize("form", sorted(CROWDED_FORMS))
def test_an_element_with_200000_attributes_keeps_its_text_and_the_page_after_it(form):
    from boilerplate.html import MAX_ATTRIBUTES, cap_attributes

    attributes = CROWDED_FORMS[form](200_000)
    html = (f"<p>before</p><div class=lead {attributes} hidden>inside</div><p>after</p>"
            f"<script {CROWDED_FORMS[form](3000)}>var s = '<b';</script><p>end</p>")
    doc = render(html)  # uncapped, libxml2 compares each attribute with every earlier one: minutes
    assert doc.lines == ["before", "inside", "after", "end"]  # the "hidden" past the cap is gone
    assert doc.cues["classid"][1] == "lead"  # the first attributes stay
    capped = cap_attributes(html.encode())
    assert b"a1000" not in capped and f"a{MAX_ATTRIBUTES - 1}".encode() in capped


def test_the_attribute_cap_leaves_comments_scripts_end_tags_and_real_pages_alone():
    from boilerplate.html import cap_attributes

    many = " ".join(f"x{i}" for i in range(3000))
    pages = [f"<p>a</p><!-- <div {many}> -->", f"<script>if (a <b {many} ') {{}}</script><p>b</p>",
             f"<STYLE>p<x {many} {{}}</Style ><p>c</p>", f"<textarea><div {many}></textarea>",
             f"<p>d</p></div {many}>", f"<title>t <i {many}</title>", f"<!doctype html {many}><p>e</p>"]
    for page in pages:
        data = page.encode()
        assert cap_attributes(data) is data, page[:30]
    # a raw-text element ends at its own end tag: a crowded tag after it is still cut
    data = f"<script>x</script><div {many}>f</div>".encode()
    assert len(cap_attributes(data)) < len(data)
    # where HTML5's tokenizer reads text, the scan must too, or it cuts visible text
    # ("</" + non-letter is a bogus comment to ">"; "</script>" inside "<!--<script>" does not end
    # the script; plaintext never ends)
    crowd = " ".join(f"a{i}" for i in range(1000))
    for page in (f'<p>x</ <div {crowd} b=">VISIBLE">end</p>',
                 f'<p>x<script><!--<script>1</script><div {crowd} b="</script>"><p>VISIBLE</p>',
                 f'<plaintext>y</plaintext><div {crowd} b=">VISIBLE">'):
        data = page.encode()
        assert cap_attributes(data) is data, page[:30]
        assert any("VISIBLE" in line for line in render(page).lines)
    # every way HTML5 closes a comment: the crowded tag after it is still cut
    for comment in ("<!-->", "<!--->", "<!-- c --!>", "<!-- c -->"):
        data = f"<p>x{comment}<div {many}>y</div>".encode()
        assert len(cap_attributes(data)) < len(data), comment
        assert render(data).lines == ["x", "y"]


def test_empty_and_blank_input_give_no_lines():
    for html in ("", b"", "   \n\t ", b"<!-- only a comment -->", "<html></html>",
                 "<html><head><title>t</title></head></html>", "<script>x</script>", "\x00\x00"):
        doc = render(html)
        assert doc.lines == [] and len(doc) == 0
        assert tuple(doc.cues) == CUE_FIELDS and all(len(v) == 0 for v in doc.cues.values())
    assert render_text("") == ""


def test_text_without_markup_or_body():
    assert lines("just some text") == ["just some text"]
    assert lines(b"<p>no html or body tags</p>") == ["no html or body tags"]


def test_too_large_input_raises():
    assert MAX_HTML_BYTES == 20 * 1024 * 1024
    assert issubclass(HTMLTooLargeError, ValueError)
    with pytest.raises(HTMLTooLargeError, match="limit"):
        render(b"<p>" + b"x" * 100 + b"</p>", max_bytes=50)
    with pytest.raises(HTMLTooLargeError):
        render("<p>" + "x" * 100 + "</p>", max_bytes=50)
    with pytest.raises(HTMLTooLargeError):  # 40 characters but 80 UTF-8 bytes
        render("é" * 40, max_bytes=60)
    assert lines("<p>ok</p>", max_bytes=9) == ["ok"]


def test_render_is_deterministic():
    html = (b"<html><body><nav class='menu'><a href='/'>Home</a></nav><article id='a'><h1>Head</h1>"
            b"<p>Body <a href='#'>link</a> text.</p><br>tail</article></body></html>")
    a, b = render(html, id="x"), render(html, id="x")
    assert a.lines == b.lines and a.id == b.id == "x" and a.meta == b.meta
    for name in CUE_FIELDS:
        assert np.array_equal(np.asarray(a.cues[name]), np.asarray(b.cues[name]))


def test_render_text():
    assert render_text("<p>a</p><p>b<br>c</p>") == "a\nb\nc"


def test_rejects_other_types():
    with pytest.raises(TypeError):
        render(123)  # type: ignore[arg-type]


def test_no_warning_on_clean_input():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        render(b"<p>clean</p>")


def test_meta_date_from_meta_tags_or_time():
    """The page's declared publication date (issue 18: clean --format jsonl gives it)."""
    head = "<head><meta name=date content='2020-01-01'><meta property='article:published_time' content=' 2026-03-01T10:00:00Z '></head>"
    assert render(f"<html>{head}<body><p>x</p></body></html>").meta["date"] == "2026-03-01T10:00:00Z"
    assert render("<p>Posted <time datetime='2024-05-06'>May 6</time></p>").meta["date"] == "2024-05-06"
    assert render("<p>No date here</p>").meta["date"] == ""


@pytest.mark.parametrize("encoding, text", [
    ("cp1252", "Le café crème brûlée était délicieux, dit-elle à ses invités."),
    ("cp1251", "Москва - столица России, крупнейший по численности населения город."),
    ("shift_jis", "東京は日本の首都であり、世界最大の都市圏の一つです。"),
    ("iso-8859-2", "Příliš žluťoučký kůň úpěl ďábelské ódy v Praze."),
    ("euc-kr", "대한민국은 동아시아에 위치한 민주공화국이며 수도는 서울이다."),  # uchardet's CP949: no WHATWG name
    ("cp932", "株式会社①②③のテスト、" * 8),  # Windows' Shift_JIS: the browsers' mapping of the label
    ("mac-cyrillic", "Привет, мир. Это длинный рассказ о жизни в городе."),
])
def test_undeclared_legacy_encoding_is_detected(encoding, text):
    data = f"<html><body><p>{text}</p></body></html>".encode(encoding)
    assert data.decode(guess_encoding(data)) == data.decode(encoding)  # cp932 for shift_jis: a superset
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # detected, so nothing is replaced
        doc = render(data)
    assert doc.lines == [text] and doc.meta["encoding"] == guess_encoding(data)


def test_damaged_utf8_stays_utf8():
    # mostly UTF-8 with one stray byte: no legacy guess turns "é" into "Ã©"; the byte is replaced
    data = "<p>Café, crème, naïve: déjà vu \xff here</p>".encode().replace(b"\xc3\xbf", b"\xff")
    with pytest.warns(DecodingWarning, match="1 undecodable"):
        doc = render(data)
    assert doc.lines == ["Café, crème, naïve: déjà vu \ufffd here"] and doc.meta["encoding"] == "utf-8"


def test_declared_charset_beats_detection():
    # cp1251 bytes that declare windows-1252: the declaration is what the page says (browsers agree)
    data = '<meta charset="windows-1252"><p>Привет</p>'.encode("cp1251")
    assert detect_encoding(data) == "cp1252"


def test_transport_charset_comes_before_the_meta_and_after_valid_utf8():
    data = '<meta charset="iso-8859-1"><p>Привет, мир</p>'.encode("cp1251")
    doc = render(data, encoding="windows-1251")  # the HTTP header wins over the page's meta
    assert doc.lines == ["Привет, мир"] and doc.meta["encoding"] == "cp1251"
    assert render(data).lines != ["Привет, мир"]  # the meta alone misleads
    assert render("<p>café</p>".encode(), encoding="iso-8859-1").lines == ["café"]  # valid UTF-8 first
    legacy = '<meta charset="windows-1251"><p>Привет</p>'.encode("cp1251")
    assert render(legacy, encoding="no-such-charset").lines == ["Привет"]  # an unknown label: the meta
    assert detect_encoding(legacy, "koi8-r") == "koi8-r"
    # a 7-bit encoding is taken only for 7-bit bytes: a stale ISO-2022-JP header on UTF-8 bytes is not
    assert render("<p>日本語のページです。</p>".encode(), encoding="iso-2022-jp").lines == ["日本語のページです。"]
