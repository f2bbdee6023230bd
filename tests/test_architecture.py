"""The package's shape: no import cycle, wings that depend only inward, a cleaning path free of
evaluation code."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import boilerplate

PACKAGE = Path(boilerplate.__file__).parent
CORE = {"boilerplate.labels", "boilerplate.lines", "boilerplate.document", "boilerplate.html",
        "boilerplate.api"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in (*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.pyx"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package modules ``name`` imports, anywhere in the file (lazy imports count too)."""
    is_package = path.name == "__init__.py"
    if path.suffix == ".pyx":  # compiled: imports nothing of the package (test_compiled_modules_import_nothing_of_ours)
        return set()
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name in known}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in known:
                    out.add(sub)  # `from . import api`: the submodule
                elif target in known:
                    out.add(target)  # `from .labels import BODY`: the module itself
    out.discard(name)
    return out


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def test_the_import_parser_sees_relative_imports():
    graph = _graph()
    assert "boilerplate.detectors.base" in graph["boilerplate.detectors.rules"]
    assert "boilerplate.document" in graph["boilerplate.detectors.rules"]
    assert "boilerplate.api" in graph["boilerplate.streaming.pool"]


def test_no_import_cycle():
    graph = _graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])


def test_wings_depend_only_inward():
    graph = _graph()

    def wing(name: str) -> str:
        parts = name.split(".")
        return parts[1] if len(parts) > 2 else "core"

    allowed = {"core": {"core", "detectors"},  # api resolves detectors by name
               "detectors": {"core", "detectors"},
               "streaming": {"core", "streaming"},
               "eval": {"core", "eval", "streaming", "detectors"}}
    for name, deps in graph.items():
        if name in ("boilerplate", "boilerplate.cli", "boilerplate.__main__"):
            continue  # the package front and the CLI front-end may use every wing
        w = wing(name)
        for dep in deps:
            assert dep == "boilerplate" and name in CORE or wing(dep) in allowed[w], f"{name} imports {dep}"


def test_cleaning_never_imports_evaluation_code():
    code = ("import sys, boilerplate\n"
            "from boilerplate.streaming import pool, records\n"
            "boilerplate.clean('Home\\nA first sentence of the article body, long enough to count.')\n"
            "boilerplate.clean_html('<p>A first sentence of the article body, long enough to count.</p>')\n"
            "pool.clean_record(records.Record(0, 'text', 'Some text of a page.'), pool.CleanConfig())\n"
            "print(sorted(m for m in sys.modules if m.startswith('boilerplate.eval')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_compiled_modules_import_nothing_of_ours():
    """A ``.pyx`` module is outside the graph's parser: it must not import the package (``_render``
    is given ``html``'s helpers by ``bind`` instead), so it can close no cycle."""
    for path in PACKAGE.rglob("*.pyx"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from\s+\.|from\s+boilerplate|c?import\s+boilerplate)", text, re.M), path.name
