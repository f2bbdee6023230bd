"""benchmarks.parsers: each parser's visit reaches every element of a page and reads its text."""

import pytest

from benchmarks import parsers

PAGE = b"<html><body><p>one <b>two</b></p><!-- note --><div id=x>three</div></body></html>"


def test_lxml_and_resiliparse_visit_every_element():
    # html, body, p, b, div (libxml2 adds no head), one attribute (id), not the comment; "one " "two" "three"
    assert parsers.lxml_visit(PAGE) == (5, 1, 12)
    assert parsers.resiliparse_visit(PAGE) == (6, 1, 12)  # lexbor's HTML5 tree adds head


def test_lexbor_visit_counts_the_same_tree_as_resiliparse():
    pytest.importorskip("selectolax")
    for page in (PAGE, b"<p>unclosed <b>tags", b""):
        assert parsers.lexbor_visit(page) == parsers.resiliparse_visit(page)


def test_broken_and_empty_pages_give_their_counts():
    assert parsers.lxml_visit(b"") == (0, 0, 0)  # libxml2 gives no tree
    # the unclosed tags are closed: html, body, p, b with "unclosed " and "tags" (libxml2; lexbor adds head)
    assert parsers.lxml_visit(b"<p>unclosed <b>tags") == (4, 0, 13)
    assert parsers.resiliparse_visit(b"<p>unclosed <b>tags") == (5, 0, 13)


def test_contenders_name_every_row_and_time_the_shipped_renderer():
    rows = parsers.contenders(with_trafilatura=False)
    assert {"boilerplate render", "lxml parse + visit", "resiliparse parse + visit"} <= set(rows)
    assert all(callable(fn) for fn in rows.values())
