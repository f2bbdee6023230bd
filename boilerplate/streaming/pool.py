"""Cleaning record streams on all cores: bounded memory, input order, and a skip summary.

:func:`clean_record` turns one :class:`~boilerplate.records.Record` into its output object; it is
the single per-record step that the CLI, the worker pool and the datatrove step share.
:func:`clean_stream` runs it over any iterable of records with ``workers`` processes. Records go
to the workers in batches, at most ``2 * workers`` batches are in flight (reading stops until
the oldest batch is back), and results are written in input order, so memory stays flat however
long the input is and the output is the same for any number of workers.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
import warnings
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from .. import api
from ..html import HTMLTooLargeError
from ..labels import DEFAULT_KEEP
from ..lines import DecodingWarning
from .records import Record, Skipped

#: Records per task sent to a worker: large enough that inter-process overhead is small (a page
#: takes ~30 ms), small enough that few records wait in flight.
BATCH_SIZE = 8
#: Batches in flight per worker: one being cleaned, one queued so the worker never idles.
PENDING_PER_WORKER = 2
#: Skip reasons printed in detail before further skips are only counted.
MAX_SKIP_MESSAGES = 10
#: Default time limit for cleaning one record, in seconds (``--timeout``): a page takes ~30 ms and
#: a 1,000,000-line page about a minute, so only a pathological record reaches it.
RECORD_TIMEOUT = 300.0
#: ``prctl`` option asking Linux to signal a process when its parent dies (``<sys/prctl.h>``).
_PR_SET_PDEATHSIG = 1
#: Seconds between parent checks where there is no ``prctl`` (not Linux).
_PARENT_POLL = 1.0


class RecordTimeout(BaseException):
    """Cleaning one record took longer than its time limit. A ``BaseException`` so that no
    ``except Exception`` inside a detector swallows it."""


@dataclass(frozen=True)
class CleanConfig:
    """What to do with each record: the detector (a name, a detector object such as a loaded
    model file, or ``None``: the default for the record's kind), the labels to keep, the output
    field for the kept text, and whether to add per-line labels (``line_labels``, one per line;
    for HTML records also ``rendered_text``, the lines labeled). ``threshold`` sets a named
    learned detector's P(body) threshold (see :func:`boilerplate.api.load_detector`)."""

    detector: str | api.Detector | None = None
    keep: tuple[str, ...] = DEFAULT_KEEP
    output_field: str = "clean_text"
    with_labels: bool = False
    #: Seconds one record may take (``None`` or 0: no limit); over it the record is skipped as
    #: ``timeout``. Enforced with ``SIGALRM``, so only where cleaning runs in a main thread (the
    #: CLI and its workers, datatrove tasks); a native call that never returns is not interrupted.
    timeout: float | None = RECORD_TIMEOUT
    threshold: float | None = None

    def detector_for(self, html: bool) -> api.Detector:
        """The detector records of this kind are labeled with (loaded once per process)."""
        return api.load_detector(self.detector, html=html, threshold=self.threshold)


@dataclass
class StreamStats:
    """Counts for the progress line and the final summary."""

    records: int = 0
    lines: int = 0
    skipped: Counter = field(default_factory=Counter)
    started: float = field(default_factory=time.perf_counter)

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def rates(self) -> str:
        secs = max(self.elapsed, 1e-9)
        return f"{self.records / secs:,.1f} records/s, {self.lines / secs:,.0f} lines/s"

    def summary(self) -> str:
        """One line: records cleaned, lines, time, rates, and skipped records by reason."""
        text = (f"{self.records:,} records cleaned ({self.lines:,} lines) in {self.elapsed:.1f} s: "
                f"{self.rates()}")
        total = sum(self.skipped.values())
        if total:
            text += f"; {total:,} skipped: " + ", ".join(f"{r} {n:,}" for r, n in sorted(self.skipped.items()))
        else:
            text += "; none skipped"
        return text


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`RecordTimeout` in the block after ``seconds`` (``SIGALRM``). No limit for
    ``None`` or 0, outside the main thread, or where the platform has no ``setitimer``."""
    if not seconds or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise RecordTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def clean_record(record: Record, config: CleanConfig) -> tuple[dict[str, Any] | None, Skipped | None, int]:
    """Clean one record: ``(output, None, n_lines)``, or ``(None, skipped, 0)`` if it fails.

    ``output`` is the record's fields, unchanged and in order, plus ``config.output_field`` (the
    kept lines joined by ``\\n``) and, if asked, the labels. A record over ``config.timeout`` is
    skipped as ``timeout``, one that runs out of memory as ``oversized``.
    """
    try:
        with time_limit(config.timeout):
            with warnings.catch_warnings():
                # Crawled bytes often hold a few bad sequences (or lone surrogates in JSON
                # escapes); they are replaced with U+FFFD, the record is kept.
                warnings.simplefilter("ignore", DecodingWarning)
                doc = api.to_document(record.content, html=record.kind == "html", encoding=record.charset or None)
            detector = config.detector_for(record.kind == "html")
            if config.with_labels:
                labels = api.document_labels(doc, detector)
                kept = api.join_lines(doc.lines, labels, config.keep)
            else:  # the kept lines alone: with keep=body, no kind model (api.clean_document)
                kept = api.clean_document(doc, config.keep, detector)
    except RecordTimeout:
        return None, Skipped(record.index, "timeout", f"not cleaned within {config.timeout:g} s"), 0
    except HTMLTooLargeError as exc:
        return None, Skipped(record.index, "oversized", str(exc)), 0
    except MemoryError:
        return None, Skipped(record.index, "oversized", "out of memory while cleaning this record"), 0
    except ImportError:  # a missing dependency fails every record alike: end the run, once
        raise
    except Exception as exc:  # one bad page must not end a run over millions
        return None, Skipped(record.index, "error", f"{type(exc).__name__}: {exc}"), 0
    out: dict[str, Any] = dict(record.fields)
    out[config.output_field] = kept
    if config.with_labels:
        out["line_labels"] = labels
        if record.kind == "html":
            out["rendered_text"] = "\n".join(doc.lines)
    return out, None, len(doc.lines)


def to_json_line(out: dict[str, Any]) -> str:
    """One output object as a JSON line (no line end), always encodable as UTF-8: UTF-8 as is,
    unless a field holds a lone surrogate (a ``\\ud800`` escape in the input, which the text
    path replaces but other fields keep); then that object is written with ASCII escapes, so the
    field round-trips exactly as it came in."""
    line = json.dumps(out, ensure_ascii=False)
    if not line.isascii():
        try:
            line.encode("utf-8")
        except UnicodeEncodeError:
            line = json.dumps(out, ensure_ascii=True)
    return line


def _clean_to_json(item: Record | Skipped, config: CleanConfig) -> tuple[str | None, Skipped | None, int]:
    if isinstance(item, Skipped):
        return None, item, 0
    try:
        out, skipped, n_lines = clean_record(item, config)
        return (None if out is None else to_json_line(out)), skipped, n_lines
    except MemoryError:
        return None, Skipped(item.index, "oversized", "out of memory while writing this record"), 0


_WORKER_CONFIG: CleanConfig | None = None


def _exit_with_parent(parent: int) -> None:
    """Make this worker end when ``parent`` (the process that started the pool) dies, so a killed
    run leaves no orphans blocked on a pipe: Linux's parent-death signal, else a watching thread."""
    if sys.platform.startswith("linux"):
        import ctypes

        with_errno = ctypes.CDLL(None, use_errno=True)
        if with_errno.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != parent:  # the parent died before the signal was asked for
                os._exit(1)
            return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_PARENT_POLL)
        os._exit(1)

    threading.Thread(target=watch, name="boilerplate-parent-watch", daemon=True).start()


def _init_worker(config: CleanConfig, parent: int | None = None) -> None:
    from threadpoolctl import threadpool_limits

    global _WORKER_CONFIG
    _WORKER_CONFIG = config
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the pool
    # A forked worker inherits the CLI's SIGTERM handler (which unwinds the run); a SIGTERM sent
    # to the worker must end only the worker, whose batch is then redone like any dead worker's.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if parent is not None:
        _exit_with_parent(parent)
    threadpool_limits(1)  # one worker = one core; OpenMP threads per worker would oversubscribe


def _clean_batch(batch: list[Record | Skipped]) -> list[tuple[str | None, Skipped | None, int]]:
    assert _WORKER_CONFIG is not None
    return [_clean_to_json(item, _WORKER_CONFIG) for item in batch]


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def preload(config: CleanConfig, kinds: Iterable[str] = ("text", "html")) -> None:
    """Load the detectors for records of ``kinds`` in this process and run each once (the first
    prediction builds lazily made state, ~1 s), so that forked workers share all of it
    copy-on-write instead of each building its own: the models, the lexicon prefilter, and for
    HTML the compiled attribute scan (a page long enough to run it: the comment pads it)."""
    warm_up = ("<html><body><h1>Warm up</h1><p>One line of text to label.</p>"
               f"<!--{' ' * 4096}--></body></html>")
    for html in sorted({kind == "html" for kind in kinds}):
        detector = config.detector_for(html)
        api.document_labels(api.to_document(warm_up, html=html), detector)


def _preloaded(items: Iterable[tuple[str, Record | Skipped]], config: CleanConfig
               ) -> Iterator[tuple[str, Record | Skipped]]:
    """``items`` unchanged, with :func:`preload` run for the first record's kind (both kinds if
    it is a skip) before the first item is yielded; nothing loaded for an empty stream."""
    items = iter(items)
    for first in items:
        preload(config, [first[1].kind] if isinstance(first[1], Record) else ["text", "html"])
        yield first
        yield from items


def clean_stream(items: Iterable[tuple[str, Record | Skipped]], config: CleanConfig,
                 workers: int | None = None, batch_size: int = BATCH_SIZE
                 ) -> Iterator[tuple[str, str | None, Skipped | None, int]]:
    """Clean ``(source, record)`` pairs in input order: yields ``(source, json_line, skipped, n_lines)``.

    ``workers=1`` cleans in this process (one OpenMP thread); more start a process pool whose
    in-flight work is bounded to ``PENDING_PER_WORKER * workers`` batches.
    """
    from threadpoolctl import threadpool_limits

    workers = default_workers() if workers is None else workers
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if workers == 1:
        with threadpool_limits(1):
            # the models and lazily built state load here, not inside the first record's --timeout
            for source, item in _preloaded(items, config):
                yield (source, *_clean_to_json(item, config))
        return

    import multiprocessing as mp

    # fork shares the loaded model and imports with the workers (start-up in milliseconds);
    # elsewhere the platform default is used.
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
    if ctx is not None:
        # loaded once here, shared copy-on-write, not once per worker: the detector of the first
        # record's kind (a stream is almost always of one kind; a worker loads the other if needed)
        items = _preloaded(items, config)

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker,
                                   initargs=(config, os.getpid()))

    pool = [new_pool()]  # a list so the drain step can replace a broken pool
    pending: deque[tuple[list, Future]] = deque()
    try:
        for batch in _batches(items, batch_size):
            pending.append((batch, _submit(pool[0], batch)))
            while len(pending) >= PENDING_PER_WORKER * workers:
                yield from _drain_one(pending, pool, new_pool)
        while pending:
            yield from _drain_one(pending, pool, new_pool)
    finally:
        pool[0].shutdown(wait=True, cancel_futures=True)


#: Detail of the skip for a record whose cleaning killed its worker process.
WORKER_DIED = "the worker process died on this record (killed for memory, or a crash in a native library)"


def _submit(pool: ProcessPoolExecutor, batch: list) -> Future:
    """Submit one batch. A pool a worker death has already broken refuses new work: the batch
    then gets a future holding that error, and :func:`_drain_one` redoes it with the others."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        return pool.submit(_clean_batch, [item for _, item in batch])
    except BrokenProcessPool as exc:
        failed: Future = Future()
        failed.set_exception(exc)
        return failed


def _drain_one(pending: deque, pool: list, new_pool: Callable[[], ProcessPoolExecutor]
               ) -> Iterator[tuple[str, str | None, Skipped | None, int]]:
    """Yield the oldest batch's results. If a worker died, the pool is broken and every batch in
    flight lost: those records are redone one at a time in fresh pools, and a record that kills
    its worker again is skipped as ``error``; the run goes on."""
    from concurrent.futures.process import BrokenProcessPool

    batch, future = pending[0]
    try:
        results = future.result()
    except BrokenProcessPool:
        lost = [pair for b, _ in pending for pair in b]
        pending.clear()
        pool[0].shutdown(wait=False, cancel_futures=True)
        pool[0] = new_pool()
        for source, item in lost:
            try:
                (result,) = pool[0].submit(_clean_batch, [item]).result()
            except BrokenProcessPool:
                pool[0].shutdown(wait=False, cancel_futures=True)
                pool[0] = new_pool()
                result = (None, Skipped(item.index, "error", WORKER_DIED), 0)
            yield (source, *result)
        return
    pending.popleft()
    for (source, _), result in zip(batch, results):
        yield (source, *result)


def run(items: Iterable[tuple[str, Record | Skipped]], config: CleanConfig, out: IO[str],
        workers: int | None = None, stats: StreamStats | None = None,
        on_skip: Callable[[str, Skipped], None] | None = None,
        on_progress: Callable[[StreamStats], None] | None = None, batch_size: int = BATCH_SIZE) -> StreamStats:
    """Clean all records into ``out`` (one JSON object per line, input order) and return the counts.

    ``stats`` (updated as records come back), ``on_skip(source, skipped)`` for each skipped
    record and ``on_progress(stats)`` after each record let a front-end show progress.
    """
    stats = StreamStats() if stats is None else stats
    for source, line, skipped, n_lines in clean_stream(items, config, workers, batch_size):
        if skipped is not None:
            stats.skipped[skipped.reason] += 1
            if on_skip:
                on_skip(source, skipped)
        else:
            out.write(line + "\n")  # type: ignore[operator]
            stats.records += 1
            stats.lines += n_lines
        if on_progress:
            on_progress(stats)
    return stats
