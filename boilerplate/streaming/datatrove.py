"""datatrove pipeline steps: clean web corpora with boilerplate on datatrove's executors.

datatrove (Hugging Face) is the engine FineWeb was cleaned with; its local, Slurm and Ray
executors shard input files over tasks, so these steps scale from a laptop to a cluster
unchanged. Install with ``pip install 'boilerplate-lines[datatrove]'``.

>>> from datatrove.executor import LocalPipelineExecutor
>>> from datatrove.pipeline.writers import JsonlWriter
>>> from boilerplate.datatrove_steps import BoilerplateCleaner, BoilerplateWarcReader
>>> LocalPipelineExecutor(pipeline=[BoilerplateWarcReader("crawl/"), BoilerplateCleaner(),
...                                 JsonlWriter("cleaned/")], tasks=64, workers=8).run()

- :class:`BoilerplateWarcReader` reads WARC (HTML responses) and WET (text conversions) files with
  this package's reader (FastWARC; no libmagic or cchardet needed), counting skipped records by
  reason in datatrove's stats (``skipped_truncated``, ...). datatrove's own ``WarcReader`` works
  too: its documents are HTML, so pass ``BoilerplateCleaner(kind="html")``.
- :class:`BoilerplateCleaner` replaces each document's text with its kept lines (``body`` by
  default) and drops documents where nothing is kept. It calls
  :func:`boilerplate.stream.clean_record`, the same step as ``boilerplate clean``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

from ..api import parse_keep
from ..html import decode_html
from ..labels import DEFAULT_KEEP
from ..lines import DecodingWarning
from .pool import RECORD_TIMEOUT, CleanConfig, clean_record
from .records import INSTALL_HINT, MAX_RECORD_BYTES, Record, Skipped, iter_warc

try:
    from datatrove.data import DocumentsPipeline
    from datatrove.pipeline.base import PipelineStep
    from datatrove.pipeline.readers.base import BaseDiskReader
    from datatrove.utils.typeshelper import StatHints
except ImportError as exc:  # one clear line instead of a traceback deep in datatrove's imports
    raise ImportError(f"boilerplate.streaming.datatrove needs datatrove ({exc}): "
                      f"{INSTALL_HINT.format(extra='datatrove')}", name=exc.name) from None

#: Metadata key telling the cleaner whether a document's text is HTML or plain text.
KIND_KEY = "boilerplate_kind"


class BoilerplateWarcReader(BaseDiskReader):
    """Documents from WARC/WET files: ``text`` is the HTML (decoded) or the WET text, ``id`` the
    WARC-Record-ID, metadata ``url``, ``date`` and :data:`KIND_KEY`. Other arguments as for any
    datatrove disk reader."""

    name = "🕷 boilerplate WARC/WET"
    _requires_dependencies = ["fastwarc"]

    def __init__(self, data_folder, paths_file=None, limit: int = -1, skip: int = 0,
                 file_progress: bool = False, doc_progress: bool = False, adapter=None,
                 default_metadata: dict | None = None, recursive: bool = True,
                 glob_pattern: str | None = None, shuffle_files: bool = False,
                 max_record_bytes: int = MAX_RECORD_BYTES):
        super().__init__(data_folder, paths_file, limit, skip, file_progress, doc_progress, adapter,
                         "text", "id", default_metadata, recursive, glob_pattern, shuffle_files)
        self.max_record_bytes = max_record_bytes

    def read_file(self, filepath: str) -> DocumentsPipeline:
        with self.data_folder.open(filepath, "rb", compression=None) as fh:
            for item in iter_warc(fh, self.max_record_bytes):
                if isinstance(item, Skipped):
                    self.stat_update(f"skipped_{item.reason}")
                    continue
                text = item.content
                if isinstance(text, bytes):
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", DecodingWarning)
                        text = decode_html(text, item.charset or None)  # the response's HTTP charset first
                data = {"text": text, "id": item.fields["id"] or f"{filepath}/{item.index}",
                        "url": item.fields["url"], "date": item.fields["date"], KIND_KEY: item.kind}
                with self.track_time():
                    document = self.get_document_from_dict(data, filepath, item.index)
                if document:
                    yield document


class BoilerplateCleaner(PipelineStep):
    """Replace each document's text with its kept lines; drop documents left empty.

    ``kind``: ``"text"``, ``"html"``, or ``None`` to read it from the document's
    ``metadata[KIND_KEY]`` (set by :class:`BoilerplateWarcReader`; text if absent).
    ``labels_key``: if given, the per-line labels are stored in that metadata key.
    ``threads``: OpenMP threads per task (datatrove runs one task per core, so 1).
    ``timeout``: seconds one document may take (``None`` or 0: no limit); a document over it is
    dropped and counted as ``skipped_timeout``, as datatrove's own extractors do.
    """

    name = "🧹 boilerplate"
    type = "✂️ - EXTRAC"

    def __init__(self, detector: str | None = None, keep: Iterable[str] = DEFAULT_KEEP,
                 kind: str | None = None, labels_key: str | None = None, drop_empty: bool = True,
                 threads: int = 1, timeout: float | None = RECORD_TIMEOUT):
        super().__init__()
        if kind not in (None, "text", "html"):
            raise ValueError(f"kind must be 'text', 'html' or None, got {kind!r}")
        self.config = CleanConfig(detector=detector, keep=tuple(sorted(parse_keep(keep))),
                                  output_field="text", with_labels=labels_key is not None,
                                  timeout=timeout or None)
        self.kind = kind
        self.labels_key = labels_key
        self.drop_empty = drop_empty
        self.threads = threads

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(self.threads):
            for index, doc in enumerate(data):
                self.stat_update(StatHints.total)
                kind = self.kind or doc.metadata.get(KIND_KEY) or "text"
                with self.track_time():
                    out, skipped, n_lines = clean_record(Record(index, kind, doc.text), self.config)
                if skipped is not None:
                    self.stat_update(f"skipped_{skipped.reason}")
                    continue
                self.stat_update("lines", value=n_lines)
                assert out is not None  # no skip: an output
                doc.text = out["text"]
                if self.labels_key:
                    doc.metadata[self.labels_key] = out["line_labels"]
                if self.drop_empty and not doc.text:
                    self.stat_update(StatHints.dropped)
                    continue
                self.stat_update(StatHints.forwarded)
                self.update_doc_stats(doc)
                yield doc
