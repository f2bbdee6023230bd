"""Build the optional compiled render walk (``boilerplate/_render.pyx``).

Everything else is in ``pyproject.toml``. The extension is optional: without Cython, lxml's C
headers or a C compiler the package installs without it and ``boilerplate.html`` uses its Python
walk (the same lines and cues, slower).
"""

from pathlib import Path

from setuptools import Extension, setup

SOURCE = "boilerplate/_render.pyx"


def _extensions() -> list:
    try:
        import lxml
        from Cython.Build import cythonize
    except ImportError:
        return []
    if not (Path(__file__).parent / SOURCE).is_file():
        return []
    extension = Extension("boilerplate._render", [SOURCE], include_dirs=lxml.get_include(),
                          optional=True)
    try:
        return cythonize([extension], language_level=3, quiet=True)
    except Exception as exc:  # noqa: BLE001 - the extension is optional: install without it
        print(f"boilerplate: not building the compiled render walk ({exc})")
        return []


setup(ext_modules=_extensions())
