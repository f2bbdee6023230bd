"""Command line: a thin shell over the public API.

    boilerplate clean [FILE ...|-] [--keep body,headline] [--detector NAME] [--html] [-o OUT]
    boilerplate clean corpus.jsonl.gz --text-field text --workers 8 -o cleaned.jsonl.gz
    boilerplate clean CC-MAIN-...warc.gz -o cleaned.jsonl      # HTML responses; *.warc.wet.gz: text
    boilerplate label FILE [--format tsv|jsonl] [--detector NAME] [--html]
    boilerplate train --corpus FILE.jsonl [--corpus ...] --out MODEL.npz [--html]

Record files (JSONL, WARC, WET; plain, gzip or zstd) are streamed: one JSON object per record
out, in input order, with a summary of cleaned and skipped records on stderr. Single pages
(text or HTML) print their kept lines. ``-o`` writes atomically (no partial file on failure).

Exit status 0 on success, 1 when a record file was truncated or corrupt (records lost; the run
otherwise completes), 2 on a usage or input error (one line on stderr), 130 if interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import IO, NoReturn

from . import __version__, api, detectors
from .labels import DEFAULT_KEEP, LABELS
from .streaming import pool, records

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
#: Seconds between progress-line refreshes.
PROGRESS_INTERVAL = 0.5
#: Skip reasons printed in detail before further skips are only counted.
MAX_SKIP_MESSAGES = 10
#: Exit status of a run that completed but met a truncated or corrupt input stream
#: (:data:`~boilerplate.streaming.records.DAMAGE_REASONS`): records were lost, even under ``-q``.
EXIT_DAMAGED = 1


class UsageError(Exception):
    """A bad command line or unusable input: reported in one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line instead of argparse's usage dump
        raise UsageError(f"{message} (see 'boilerplate {self.prog.split()[-1]} --help')"
                         if " " in self.prog else message)


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    p = Path(path)
    if p.is_dir():
        raise UsageError(f"{path}: is a directory")
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except OSError as exc:
        raise UsageError(f"{path}: {exc.strerror or exc}") from None


def _is_html(path: str, forced: bool) -> bool:
    return forced or path.lower().endswith(HTML_SUFFIXES)


def _label_file(path: str, args: argparse.Namespace) -> list[api.LabeledLine]:
    data = _read(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if _is_html(path, args.html):
            result = api.label_html(data, detector=args.detector)
        else:
            result = api.label(data, detector=args.detector)
    for w in caught:
        print(f"boilerplate: warning: {path}: {w.message}", file=sys.stderr)
    return result


def _record_format(path: str, args: argparse.Namespace) -> str | None:
    """The record format of an input ("jsonl"/"warc"), or None for a single text or HTML page."""
    if args.input_format in ("jsonl", "warc", "wet"):
        return "warc" if args.input_format == "wet" else args.input_format
    if args.input_format in ("text", "html"):
        return None
    return records.detect_format(path)


@contextlib.contextmanager
def _output(args: argparse.Namespace) -> Iterator[IO[str]]:
    if args.output in (None, "-"):
        yield sys.stdout
    else:
        with records.atomic_output(args.output) as fh:
            yield fh


def _iter_inputs(inputs: list[tuple[str, str]], args: argparse.Namespace
                 ) -> Iterator[tuple[str, records.Record | records.Skipped]]:
    for path, fmt in inputs:
        try:
            for item in records.iter_records(path, fmt, args.text_field, args.html_field,
                                             args.max_record_bytes):
                yield path, item
        except records.RecordFormatError as exc:
            raise UsageError(str(exc)) from None


class Progress:
    """A one-line progress display on a terminal (records/s, lines/s, skipped); silent otherwise."""

    def __init__(self, stats: pool.StreamStats, stream: IO[str] | None = None, enabled: bool | None = None):
        self.stats = stats
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._last = 0.0

    def update(self, stats: pool.StreamStats | None = None) -> None:
        now = time.perf_counter()
        if not self.enabled or now - self._last < PROGRESS_INTERVAL:
            return
        self._last = now
        skipped = sum(self.stats.skipped.values())
        self.stream.write(f"\r{self.stats.records:,} records, {self.stats.lines:,} lines, "
                          f"{skipped:,} skipped | {self.stats.rates()}   ")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self._last:
            self.stream.write("\n")
            self.stream.flush()


def _run_records(inputs: list[tuple[str, str]], args: argparse.Namespace, with_labels: bool,
                 keep: list[str]) -> int:
    config = pool.CleanConfig(detector=args.detector, keep=tuple(keep), output_field=args.output_field,
                              with_labels=with_labels, timeout=args.timeout or None)
    cpus = pool.default_workers()
    if args.workers is not None and args.workers > cpus and not args.quiet:
        print(f"boilerplate: warning: --workers {args.workers} is more than the {cpus} CPUs available; "
              "extra workers only add overhead", file=sys.stderr)
    shown = 0

    def on_skip(source: str, skipped: records.Skipped) -> None:
        nonlocal shown
        if args.quiet:
            return
        shown += 1
        if progress.enabled:
            sys.stderr.write("\r\033[K")  # clear the progress line so the message stands alone
        if shown <= MAX_SKIP_MESSAGES:
            print(f"boilerplate: skipped {source} record {skipped.index} ({skipped.reason}): {skipped.detail}",
                  file=sys.stderr)
        elif shown == MAX_SKIP_MESSAGES + 1:
            print("boilerplate: further skipped records are only counted", file=sys.stderr)

    stats = pool.StreamStats()
    progress = Progress(stats, enabled=False if args.quiet else None)
    try:
        with _output(args) as out:
            pool.run(_iter_inputs(inputs, args), config, out, workers=args.workers, stats=stats,
                     on_skip=on_skip, on_progress=progress.update)
    finally:
        progress.close()
    damaged = sum(stats.skipped[r] for r in records.DAMAGE_REASONS)
    if damaged and not args.quiet:
        print(f"boilerplate: warning: {damaged} input stream(s) truncated or corrupt: records were lost "
              f"(exit status {EXIT_DAMAGED})", file=sys.stderr)
    if not args.quiet:
        print(f"boilerplate: {stats.summary()}", file=sys.stderr)
    return EXIT_DAMAGED if damaged else 0


def _check_output(args: argparse.Namespace) -> None:
    """An unusable ``-o`` (a directory, a missing or unwritable folder) fails before any work."""
    if args.output not in (None, "-"):
        try:
            records.check_output(args.output)
        except records.RecordFormatError as exc:
            raise UsageError(f"-o {exc}") from None

def _split_inputs(args: argparse.Namespace) -> tuple[list[str], list[tuple[str, str]]]:
    """The inputs as single pages or as (path, record format) pairs; mixing the two is a usage error."""
    paths = args.files or ["-"]
    for path in paths:  # all inputs checked before any output is written
        if path != "-" and not Path(path).exists():
            raise UsageError(f"{path}: no such file")
    formats = [_record_format(p, args) for p in paths]
    if all(f is None for f in formats):
        return paths, []
    if any(f is None for f in formats):
        raise UsageError("cannot mix record files (JSONL/WARC/WET) and single pages in one run")
    return [], [(p, f) for p, f in zip(paths, formats) if f is not None]


def _cmd_clean(args: argparse.Namespace) -> int:
    keep = [k for k in args.keep.split(",") if k.strip()]
    api.parse_keep(keep)  # validate before reading any input
    paths, record_inputs = _split_inputs(args)
    _check_output(args)
    if record_inputs:
        return _run_records(record_inputs, args, with_labels=args.labels, keep=keep)
    with _output(args) as out:
        for path in paths:
            kept = api.join_kept(_label_file(path, args), keep)
            if kept:
                out.write(kept + "\n")
    return 0


def _cmd_label(args: argparse.Namespace) -> int:
    paths, record_inputs = _split_inputs(args)
    _check_output(args)
    if record_inputs:
        return _run_records(record_inputs, args, with_labels=True, keep=list(DEFAULT_KEEP))
    with _output(args) as out:
        for path in paths:
            for i, item in enumerate(_label_file(path, args)):
                if args.format == "jsonl":
                    out.write(json.dumps({"file": path, "line": i, "label": item.label,
                                          "score": round(item.score, 4), "text": item.text},
                                         ensure_ascii=False) + "\n")
                else:
                    out.write(f"{item.label or '-'}\t{item.score:.3f}\t{item.text}\n")
    return 0


def _cmd_train(args: argparse.Namespace) -> None:
    from .detectors.learned import LearnedDetector
    from .eval.dataset import DatasetError, read_jsonl

    out = Path(args.out)
    if out.is_dir() or not out.parent.is_dir():  # checked before minutes of training, not after
        raise UsageError(f"--out {out}: not a writable file path (a directory, or its folder is missing)")
    docs = []
    for path in args.corpus:
        if not Path(path).is_file():
            raise UsageError(f"{path}: no such file")
        try:
            docs += list(read_jsonl(path))
        except DatasetError as exc:
            raise UsageError(str(exc)) from None
    if args.html:
        docs = [d for d in docs if d.cues is not None]
    if not docs:
        raise UsageError("no usable documents to train on" + (" (--html needs rendered HTML pages)" if args.html else ""))
    print(f"boilerplate: training on {len(docs)} documents, {sum(len(d.lines) for d in docs)} lines",
          file=sys.stderr)
    LearnedDetector(html=args.html).fit(docs).save(args.out)
    print(f"boilerplate: model written to {args.out}", file=sys.stderr)


def _seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not number >= 0 or number == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds >= 0, got {value!r}")
    return number


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="boilerplate", description="Line-level boilerplate detection for web text.")
    parser.add_argument("--version", action="version", version=f"boilerplate {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("files", nargs="*", metavar="FILE", help="input files; '-' or none for stdin")
        p.add_argument("--detector", default=None,
                       help=f"detector name (default: the best shipped); one of {', '.join(detectors.available())}")
        p.add_argument("--html", action="store_true",
                       help=f"treat input as HTML (automatic for {', '.join(HTML_SUFFIXES)})")
        p.add_argument("-o", "--output", metavar="FILE",
                       help="write here instead of stdout, atomically (.gz/.zst names are compressed)")
        g = p.add_argument_group("record files (JSONL, WARC, WET; plain, gzip or zstd)")
        g.add_argument("--input-format", choices=("auto", "text", "html", "jsonl", "warc", "wet"), default="auto",
                       help="input kind; auto: by name (.jsonl/.ndjson/.json, .warc/.wet, plus .gz/.zst) "
                            "or a WARC header, else a single page")
        g.add_argument("--text-field", default="text", help="JSONL field holding plain text (default: text)")
        g.add_argument("--html-field", default=None, help="JSONL field holding HTML (takes the HTML path)")
        g.add_argument("--output-field", default="clean_text",
                       help="field added to each output record with the kept text (default: clean_text)")
        g.add_argument("--workers", type=_positive_int, default=None,
                       help=f"processes (default: all cores, here {pool.default_workers()})")
        g.add_argument("--max-record-bytes", type=_positive_int, default=records.MAX_RECORD_BYTES,
                       help="skip larger records as oversized (default: %(default)s)")
        g.add_argument("--timeout", type=_seconds, default=pool.RECORD_TIMEOUT, metavar="SECONDS",
                       help="skip a record not cleaned within this time as timeout; 0: no limit "
                            "(default: %(default)s)")
        g.add_argument("-q", "--quiet", action="store_true",
                       help=f"no progress, skip messages or summary (exit status {EXIT_DAMAGED} still "
                            "tells of a truncated or corrupt input)")

    p = sub.add_parser("clean", help="print the kept lines of each input, unchanged, in order")
    common(p)
    p.add_argument("--keep", default="body",
                   help=f"comma-separated labels to keep (default: body); of {', '.join(LABELS)}")
    p.add_argument("--labels", action="store_true",
                   help="record files: also add each record's per-line labels (line_labels)")
    p.set_defaults(func=_cmd_clean)

    p = sub.add_parser("label", help="print each line with its label and score")
    common(p)
    p.add_argument("--format", choices=("tsv", "jsonl"), default="tsv")
    p.set_defaults(func=_cmd_label)

    p = sub.add_parser("train", help="train a learned detector on dataset files (JSONL)")
    p.add_argument("--corpus", action="append", required=True, metavar="FILE", help="dataset file; repeatable")
    p.add_argument("--out", required=True, help="model file to write (.npz)")
    p.add_argument("--html", action="store_true", help="train the HTML-aware variant (pages with markup cues)")
    p.set_defaults(func=_cmd_train)
    return parser


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # unwinds like Ctrl-C: the partial output file is removed


def main(argv: list[str] | None = None) -> int:
    previous = signal.getsignal(signal.SIGTERM)
    try:
        signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread (embedded use): keep the default handling
        previous = None
    try:
        args = build_parser().parse_args(argv)
        detector = getattr(args, "detector", None)  # `train` has no --detector
        if detector is not None and detector not in detectors.available():
            raise UsageError(f"unknown detector {detector!r}; available: "
                             f"{', '.join(detectors.available())}")
        code = args.func(args) or 0
    except UsageError as exc:
        print(f"boilerplate: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `boilerplate clean big.txt | head` is not an error (before OSError, its base)
        sys.stderr.close()
        return 0
    except (ValueError, OSError) as exc:  # bad input found while processing (too large, ...)
        print(f"boilerplate: error: {exc}", file=sys.stderr)
        return 2
    except MemoryError:
        print("boilerplate: error: out of memory (an -o output file is not written)", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("boilerplate: interrupted (an -o output file is not written)", file=sys.stderr)
        return 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return code


if __name__ == "__main__":
    sys.exit(main())
