"""The compiled render walk (``boilerplate._render``) makes the Python walk's rows, and ``render``
uses it only when it is built and checked."""

from __future__ import annotations

import gzip
import os
import sys
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import boilerplate
from boilerplate import html

from .conftest import shared_data

try:
    from boilerplate import _render
except ImportError:  # built where Cython and a C compiler were at install (setup.py)
    _render = None
else:
    _render.bind(html)

needs_compiled = pytest.mark.skipif(_render is None, reason="the compiled walk is not built here")

TAGS = ["div", "p", "li", "ul", "pre", "section", "nav", "footer", "td", "tr", "table", "h2", "span", "a",
        "b", "em", "br", "hr", "script", "style", "noscript", "textarea", "main", "article", "x-widget"]
ATTRIBUTES = st.sampled_from([
    'class="menu item"', "class='A  b'", 'id="main"', 'id="S:1a"', "hidden", 'hidden="until-found"',
    'aria-hidden="true"', 'aria-hidden="false"', 'style="display:none"', 'style="color:red"',
    'style="visibility: hidden"', 'role="navigation"', 'role="tabpanel"', 'itemprop="author name"',
    'href=" /x?a=1&amp;b "', 'rel="Sponsored"', 'data-x="1"', 'CLASS="upper"', 'class="accordion"',
    'class="a" class="b"',
])
TEXT = st.sampled_from(["", " ", "\n  ", "\xa0", " \u3000 ", "\x0b\x0c", " \x1c\x1f ", "\x85"]) | st.text(
    alphabet=" \t\n\xa0\u3000abcXYZé&;<>", max_size=12).map(
    lambda t: t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def _element(args):
    tag, attributes, children, tail = args
    inner = "".join(children)
    return f"<{tag} {' '.join(attributes)}>{inner}</{tag}>{tail}"


TREE = st.recursive(
    TEXT | st.just("<!-- c -->") | st.just("<br>"),
    lambda kids: st.tuples(st.sampled_from(TAGS), st.lists(ATTRIBUTES, max_size=3),
                           st.lists(kids, min_size=0, max_size=4), TEXT).map(_element),
    max_leaves=30,
)


def _both(page: str) -> None:
    root = html._parse(page, page.encode("utf-8"))
    assert root is not None
    for drop_hidden in (True, False):
        assert _render.walk(root, drop_hidden).rows == html._walk(root, drop_hidden).rows


@needs_compiled
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TREE, min_size=1, max_size=5))
def test_compiled_walk_makes_the_python_walks_rows(parts):
    _both("<html><body class='b'>" + "".join(parts) + "</body></html>")


@needs_compiled
def test_compiled_walk_on_the_check_page_and_a_deep_page():
    _both(html._CHECK_PAGE)
    deep = "<html><body>" + "<div class='d'>x<span>" * 1500 + "y" + "</span></div>" * 1500 + "</body></html>"
    _both(deep)


@needs_compiled
@pytest.mark.parametrize("name, env", [("scrapinghub", "BOILERPLATE_SCRAPINGHUB"), ("wcxb-dev", "BOILERPLATE_WCXB")])
def test_compiled_walk_on_benchmark_pages(name, env):
    pages = sorted((shared_data(name, env) / "html").glob("*.html.gz"))[:25]
    if not pages:
        pytest.skip(f"../shared/data/{name} is not here")
    for path in pages:
        data = gzip.decompress(path.read_bytes())
        text, raw, _ = html._to_text(data, html.MAX_HTML_BYTES, None)
        root = html._parse(text, raw)
        for drop_hidden in (True, False):
            assert _render.walk(root, drop_hidden).rows == html._walk(root, drop_hidden).rows, path.name


@needs_compiled
def test_render_uses_the_compiled_walk_when_it_is_built(monkeypatch):
    html._compiled_walk.cache_clear()
    monkeypatch.delenv("BOILERPLATE_PYTHON_WALK", raising=False)
    try:
        assert html._compiled_walk() is _render.walk
        monkeypatch.setenv("BOILERPLATE_PYTHON_WALK", "1")
        html._compiled_walk.cache_clear()
        assert html._compiled_walk() is None
    finally:
        html._compiled_walk.cache_clear()


@needs_compiled
def test_a_compiled_walk_that_disagrees_is_not_used(monkeypatch):
    monkeypatch.delenv("BOILERPLATE_PYTHON_WALK", raising=False)
    monkeypatch.setattr(_render, "walk", lambda root, drop_hidden=True: html._Lines())  # no rows at all
    html._compiled_walk.cache_clear()
    try:
        with pytest.warns(RuntimeWarning, match="does not match the Python walk"):
            assert html._compiled_walk() is None
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert html.render("<p>still rendered</p>").lines == ["still rendered"]
    finally:
        html._compiled_walk.cache_clear()


@needs_compiled
def test_namespaced_elements_walk_alike():
    from lxml import etree

    root = html._parse("<html><body><p>a</p></body></html>", b"<html><body><p>a</p></body></html>")
    body = root.find("body")
    etree.SubElement(body, "{urn:x}div").text = "namespaced"  # an inline "{urn:x}div", not a block
    etree.SubElement(body, "{urn:x}p", {"{urn:y}class": "k"}).tail = "tail"
    for drop_hidden in (True, False):
        assert _render.walk(root, drop_hidden).rows == html._walk(root, drop_hidden).rows


def test_a_walk_that_fails_to_load_is_not_used(monkeypatch):
    class Broken:
        def __getattr__(self, name):
            raise ValueError("lxml.etree._Element size changed")  # as a build against another lxml fails

    monkeypatch.delenv("BOILERPLATE_PYTHON_WALK", raising=False)
    monkeypatch.setitem(sys.modules, "boilerplate._render", Broken())
    monkeypatch.setattr(boilerplate, "_render", Broken(), raising=False)
    html._compiled_walk.cache_clear()
    try:
        with pytest.warns(RuntimeWarning, match="does not match the Python walk"):
            assert html._compiled_walk() is None
        assert html.render("<p>rendered</p>").lines == ["rendered"]
    finally:
        html._compiled_walk.cache_clear()


def test_ci_builds_the_compiled_walk():
    """CI (``.ci/run``) sets BOILERPLATE_REQUIRE_COMPILED: there, a build without the walk fails."""
    if not os.environ.get("BOILERPLATE_REQUIRE_COMPILED"):
        pytest.skip("only where the build is required to have it")
    assert _render is not None and html._compiled_walk() is _render.walk
