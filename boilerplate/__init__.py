"""boilerplate: line-level boilerplate detection for web-article text and HTML.

>>> import boilerplate
>>> boilerplate.clean(text)            # the article body's lines, unchanged, in order
>>> boilerplate.label(text)[0].label   # 'body', 'headline', 'metadata', 'appeal', 'ad', 'teaser' or 'chrome'
"""

from .api import (
           LabeledLine,
           clean,
           clean_document,
           clean_html,
           join_kept,
           label,
           label_document,
           label_html,
           parse_keep,
           to_document,
)
from .document import Document
from .labels import LABELS

__version__ = "0.1.0"
__all__ = ["LABELS", "Document", "LabeledLine", "__version__", "clean", "clean_document", "clean_html", "join_kept", "label",
           "label_document", "label_html", "parse_keep", "to_document"]
