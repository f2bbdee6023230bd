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
import time
import warnings
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
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


@dataclass(frozen=True)
class CleanConfig:
    """What to do with each record: the detector (``None``: the default for the record's kind),
    the labels to keep, the output field for the kept text, and whether to add per-line labels
    (``line_labels``, one per line; for HTML records also ``rendered_text``, the lines labeled)."""

    detector: str | None = None
    keep: tuple[str, ...] = DEFAULT_KEEP
    output_field: str = "clean_text"
    with_labels: bool = False


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


def clean_record(record: Record, config: CleanConfig) -> tuple[dict[str, Any] | None, Skipped | None, int]:
    """Clean one record: ``(output, None, n_lines)``, or ``(None, skipped, 0)`` if it fails.

    ``output`` is the record's fields, unchanged and in order, plus ``config.output_field`` (the
    kept lines joined by ``\\n``) and, if asked, the labels.
    """
    try:
        with warnings.catch_warnings():
            # Crawled bytes often hold a few bad sequences; they are replaced, the record is kept.
            warnings.simplefilter("ignore", DecodingWarning)
            doc = api.to_document(record.content, html=record.kind == "html")
        labeled = api.label_document(doc, config.detector)
    except HTMLTooLargeError as exc:
        return None, Skipped(record.index, "oversized", str(exc)), 0
    except Exception as exc:  # one bad page must not end a run over millions
        return None, Skipped(record.index, "error", f"{type(exc).__name__}: {exc}"), 0
    out: dict[str, Any] = dict(record.fields)
    out[config.output_field] = api.join_kept(labeled, config.keep)
    if config.with_labels:
        out["line_labels"] = [item.label for item in labeled]
        if record.kind == "html":
            out["rendered_text"] = "\n".join(doc.lines)
    return out, None, len(doc.lines)


def _clean_to_json(item: Record | Skipped, config: CleanConfig) -> tuple[str | None, Skipped | None, int]:
    if isinstance(item, Skipped):
        return None, item, 0
    out, skipped, n_lines = clean_record(item, config)
    return (None if out is None else json.dumps(out, ensure_ascii=False)), skipped, n_lines


_WORKER_CONFIG: CleanConfig | None = None


def _init_worker(config: CleanConfig) -> None:
    import signal

    from threadpoolctl import threadpool_limits

    global _WORKER_CONFIG
    _WORKER_CONFIG = config
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the pool
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
            for source, item in items:
                yield (source, *_clean_to_json(item, config))
        return

    import multiprocessing as mp

    # fork shares the loaded model and imports with the workers (start-up in milliseconds);
    # elsewhere the platform default is used.
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker, initargs=(config,))

    pool = [new_pool()]  # a list so the drain step can replace a broken pool
    pending: deque[tuple[list, Future]] = deque()
    try:
        for batch in _batches(items, batch_size):
            pending.append((batch, pool[0].submit(_clean_batch, [item for _, item in batch])))
            while len(pending) >= PENDING_PER_WORKER * workers:
                yield from _drain_one(pending, pool, new_pool)
        while pending:
            yield from _drain_one(pending, pool, new_pool)
    finally:
        pool[0].shutdown(wait=True, cancel_futures=True)


#: Detail of the skip for a record whose cleaning killed its worker process.
WORKER_DIED = "the worker process died on this record (killed for memory, or a crash in a native library)"


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
