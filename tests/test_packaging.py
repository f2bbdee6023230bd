"""Packaging (issue 18): every runtime import declared, the paper's plotting an extra, a distinct
distribution name in every install hint, SPDX licence, py.typed, changelog, README = CI."""

from __future__ import annotations

import ast
import re
import sys

import pytest

from .conftest import ROOT

tomllib = pytest.importorskip("tomllib")

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
#: Import name -> distribution, where they differ.
DISTRIBUTION_OF = {"sklearn": "scikit-learn", "justext": "jusText", "fastwarc": "fastwarc"}
#: Modules imported only where an extra (or a documented optional package) is installed.
OPTIONAL = {"zstandard": "io", "datatrove": "datatrove", "brotli": None, "torch": "net"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _third_party_imports() -> set[str]:
    names = set()
    for path in (ROOT / "boilerplate").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n not in ("boilerplate", "__future__")}


def test_every_runtime_import_is_declared():
    declared = {_name(r) for r in PROJECT["dependencies"]}
    extras = {extra: {_name(r) for r in reqs} for extra, reqs in PROJECT["optional-dependencies"].items()}
    for module in sorted(_third_party_imports()):
        dist = DISTRIBUTION_OF.get(module, module).lower()
        if module in OPTIONAL:
            extra = OPTIONAL[module]
            assert extra is None or dist in extras[extra], f"{module} not in the {extra} extra"
        else:
            assert dist in declared, f"{module} is imported but not a dependency"
    assert "lxml-html-clean" in declared and "threadpoolctl" in declared  # jusText needs it; streaming imports it
    assert "matplotlib" not in declared and "matplotlib" in extras["paper"]


def test_distribution_name_licence_and_files():
    assert PROJECT["name"] == "boilerplate-lines"
    assert PROJECT["license"] == "MIT" and (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert (ROOT / "boilerplate" / "py.typed").is_file()
    assert "py.typed" in PYPROJECT["tool"]["setuptools"]["package-data"]["boilerplate"]
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in changelog


def test_install_hints_name_the_distribution():
    """`pip install 'boilerplate[io]'` installs an unrelated PyPI project."""
    wrong = re.compile(r"pip install[^\n`]*\bboilerplate\[")
    for path in [*ROOT.glob("*.md"), *(ROOT / "docs").glob("*.md"), *(ROOT / "boilerplate").rglob("*.py"),
                 *(ROOT / "benchmarks").glob("*.py")]:
        assert not wrong.search(path.read_text(encoding="utf-8")), path


def test_readme_install_command_is_what_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    install = re.search(r"^python -m pip install -q -U pip && python -m pip install -q -e \"\.\[([a-z,]+)\]\"$", ci, re.M)
    assert install and install.group(0) in readme and "\npython -m pytest\n" in readme
    assert set(install.group(1).split(",")) == set(PROJECT["optional-dependencies"])  # every extra
