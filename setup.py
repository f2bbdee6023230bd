"""Build the optional compiled render walk (``boilerplate/_render.pyx``).

Everything else is in ``pyproject.toml``. The extension is optional: without Cython, lxml's C
headers or a C compiler the package installs without it and ``boilerplate.html`` uses its Python
walk (the same lines and cues, slower).
"""

from setuptools import Extension, setup


def _extensions() -> list:
    try:
        import lxml
        from Cython.Build import cythonize
    except ImportError:
        return []
    extension = Extension("boilerplate._render", ["boilerplate/_render.pyx"], include_dirs=lxml.get_include(),
                          optional=True)
    return cythonize([extension], language_level=3, quiet=True)


setup(ext_modules=_extensions())
