"""Command line: a thin shell over the public API.

    boilerplate clean [FILE|DIR ...|-] [--keep body,headline] [--format txt|jsonl|markdown] [-o OUT]
    boilerplate clean pages/ -o cleaned/                        # one output per page, same relative path
    boilerplate clean page.html --model my.npz --precision      # a trained model, fewer false bodies
    boilerplate clean corpus.jsonl.gz --text-field text --workers 8 -o cleaned.jsonl.gz
    boilerplate clean CC-MAIN-...warc.gz -o cleaned.jsonl      # HTML responses; *.warc.wet.gz: text
    boilerplate label FILE [--format tsv|jsonl] [--explain] [--detector NAME | --model PATH]
    boilerplate train --corpus FILE.jsonl [--corpus ...] --out MODEL.npz [--html]

Record files (JSONL, WARC, WET; plain, gzip or zstd) are streamed: one JSON object per record
out, in input order, with a summary of cleaned and skipped records on stderr. Single pages
(text or HTML, plain, gzip or zstd: ``page.html.gz``) print their kept lines. ``-o`` writes
atomically (no partial file on failure).

Exit status 0 on success, 1 when a record file was truncated or corrupt (records lost; the run
otherwise completes), 2 on a usage or input error (one line on stderr), 130 if interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import shutil
import signal
import sys
import tempfile
import time
import warnings
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, NoReturn

from . import __version__, api, detectors, formats
from .detectors import Detector
from .document import Document
from .labels import DEFAULT_KEEP, LABELS
from .streaming import pool, records

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
#: P(body) thresholds of ``--precision`` and ``--recall`` (the learned detectors' default is 0.5),
#: like trafilatura's ``favor_precision``/``favor_recall``. Fixed round values, not tuned on any
#: test data: ``results/cv.json`` (``threshold_sweep``, out-of-fold) shows the trade-off per corpus.
PRECISION_THRESHOLD = 0.7
RECALL_THRESHOLD = 0.3
#: Output file suffix per ``--format``, for ``-o DIR`` with a directory of pages.
FORMAT_SUFFIXES = {"txt": ".txt", "jsonl": ".jsonl", "markdown": ".md", "tsv": ".tsv"}
#: Chunk in which stdin is copied to a temporary file to be sniffed.
STDIN_CHUNK = 1 << 20
#: Where to get the package, for missing-dependency messages (the import name is ``boilerplate``).
DISTRIBUTION = "boilerplate-lines"
#: The extra that installs an optional module (others are core dependencies).
_EXTRA_OF = {"zstandard": "io", "datatrove": "datatrove", "orjson": "datatrove"}
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


def _read(path: str, limit: int) -> bytes:
    """A single page's bytes, gzip or zstd decompressed (detected from the bytes); a compressed
    page decompressing to over ``limit`` bytes (``--max-record-bytes``) is refused."""
    p = Path(path)
    if path != "-" and p.is_dir():
        raise UsageError(f"{path}: is a directory")
    try:
        with records.open_binary(path, decompress=False) as raw:
            head = raw.read(4)
            if records.compression(head) is None:
                return head + raw.read()
        with records.open_binary(path) as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except records.RecordFormatError as exc:
        raise UsageError(str(exc)) from None
    except (OSError, EOFError, zlib.error) as exc:  # a cut or corrupt gzip/zstd stream
        raise UsageError(f"{path}: {getattr(exc, 'strerror', None) or exc}") from None
    if len(data) > limit:
        raise UsageError(f"{path}: decompresses to over {limit} bytes (see --max-record-bytes)")
    return data


def _is_html(path: str, forced: bool) -> bool:
    """HTML by the name inside any compression suffix (``page.html.gz``), or ``--html``."""
    return forced or records.strip_compression_suffix(path).lower().endswith(HTML_SUFFIXES)


def _label_page(path: str, args: argparse.Namespace) -> tuple[Document, list[api.LabeledLine], Detector]:
    """One page read, rendered (HTML) or split (text), and labeled; its detector with it."""
    data = _read(path, args.max_record_bytes)
    html = _is_html(path, args.html)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        doc = api.to_document(data, html=html)
        detector = api.load_detector(args.detector, html=html, threshold=args.threshold)
        labeled = api.label_document(doc, detector)
    for w in caught:
        print(f"boilerplate: warning: {_shown(path, args)}: {w.message}", file=sys.stderr)
    return doc, labeled, detector


def _shown(path: str, args: argparse.Namespace) -> str:
    """How an input is named in messages and output (stdin spooled to a file is still ``-``)."""
    return args.display.get(path, path)


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
                yield _shown(path, args), item
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
                              with_labels=with_labels, timeout=args.timeout or None, threshold=args.threshold)
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


def _walk(folder: str) -> list[str]:
    """The files under ``folder``, recursively, in sorted order; hidden names (``.x``) are left out."""
    root = Path(folder)
    files = [p for p in root.rglob("*") if p.is_file()
             and not any(part.startswith(".") for part in p.relative_to(root).parts)]
    if not files:
        raise UsageError(f"{folder}: no files in this directory")
    return [str(p) for p in sorted(files)]


def _spooled_stdin(args: argparse.Namespace) -> bool:
    """Whether stdin is copied to a file first: for sniffing (``auto``) and single pages
    (possibly compressed); JSONL and WARC records are read from it directly."""
    return args.input_format in ("auto", "text", "html")


def _spool_stdin(args: argparse.Namespace, stack: contextlib.ExitStack) -> str:
    """Stdin copied to a temporary file (removed at exit), so it can be sniffed like a file
    (a WARC header, gzip or zstd) and read by the WARC reader, which needs to seek."""
    tmp = stack.enter_context(tempfile.NamedTemporaryFile(prefix="boilerplate-stdin-"))
    shutil.copyfileobj(sys.stdin.buffer, tmp, STDIN_CHUNK)
    tmp.flush()
    args.display[tmp.name] = "-"
    return tmp.name


def _resolve_inputs(args: argparse.Namespace, stack: contextlib.ExitStack) -> list[str]:
    """The input paths: directories expanded to their files, stdin (``-`` or none) spooled when
    its format is to be sniffed (``--input-format auto``)."""
    paths = []
    for path in args.files or ["-"]:  # all inputs checked before any output is written
        if path == "-":
            paths.append(_spool_stdin(args, stack) if _spooled_stdin(args) else path)
        elif Path(path).is_dir():
            paths += _walk(path)
        elif not Path(path).exists():
            raise UsageError(f"{path}: no such file")
        else:
            paths.append(path)
    return paths


def _split_inputs(paths: list[str], args: argparse.Namespace) -> tuple[list[str], list[tuple[str, str]]]:
    """The inputs as single pages or as (path, record format) pairs; mixing the two is a usage error."""
    formats = [_record_format(p, args) for p in paths]
    if all(f is None for f in formats):
        return paths, []
    if any(f is None for f in formats):
        raise UsageError("cannot mix record files (JSONL/WARC/WET) and single pages in one run")
    return [], [(p, f) for p, f in zip(paths, formats) if f is not None]


def _output_dir(args: argparse.Namespace) -> Path | None:
    """``-o DIR`` for one input directory of pages: the folder outputs go to (created if
    missing), else ``None`` (one output stream)."""
    if args.output in (None, "-") or not any(Path(f).is_dir() for f in args.files):
        return None
    if len(args.files) != 1:
        raise UsageError("-o with a directory input takes exactly one input (the directory)")
    out = Path(args.output)
    if out.exists() and not out.is_dir():
        raise UsageError(f"-o {out}: not a directory (a directory input writes one file per page)")
    if not out.exists() and not out.parent.is_dir():
        raise UsageError(f"-o {out}: folder {str(out.parent)!r} does not exist")
    return out


def _page_outputs(paths: list[str], folder: str, out_dir: Path, suffix: str) -> list[Path]:
    """One output path per page: its path relative to ``folder``, compression suffix dropped and
    its last suffix replaced by ``suffix``; two pages with the same output are a usage error."""
    outputs: dict[Path, str] = {}
    for path in paths:
        rel = Path(records.strip_compression_suffix(str(Path(path).relative_to(folder))))
        target = out_dir / rel.with_suffix(suffix)
        if target in outputs:
            raise UsageError(f"{outputs[target]} and {path} would both be written to {target}")
        outputs[target] = path
    return list(outputs)


def _write_pages(paths: list[str], args: argparse.Namespace, render: Callable[[str], str],
                 separator: str) -> int:
    """Each page's output (``render(path)``, with its line end) to stdout or ``-o FILE``, pages
    parted by ``separator``; with ``-o DIR`` and a directory input, one file per page."""
    out_dir = _output_dir(args)
    if out_dir is None:
        _check_output(args)
        with _output(args) as out:
            written = False
            for path in paths:
                text = render(path)
                if text:
                    out.write((separator if written else "") + text)
                    written = True
        return 0
    targets = _page_outputs(paths, args.files[0], out_dir, FORMAT_SUFFIXES[args.format])
    for path, target in zip(paths, targets):
        text = render(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        with records.atomic_output(target) as out:
            out.write(text)
    if not args.quiet:
        print(f"boilerplate: {len(paths)} page{'' if len(paths) == 1 else 's'} written to {out_dir}", file=sys.stderr)
    return 0


def _cmd_clean(args: argparse.Namespace) -> int:
    keep = [k for k in args.keep.split(",") if k.strip()]
    api.parse_keep(keep)  # validate before reading any input
    with contextlib.ExitStack() as stack:
        pages, record_inputs = _split_inputs(_resolve_inputs(args, stack), args)
        if record_inputs:
            if args.format != "txt":
                raise UsageError("--format applies to single pages; record files give JSONL records")
            _check_output(args)
            return _run_records(record_inputs, args, with_labels=args.labels, keep=keep)

        def render(path: str) -> str:
            doc, labeled, _ = _label_page(path, args)
            if args.format == "jsonl":
                return pool.to_json_line(formats.page_record(doc, labeled, keep, file=_shown(path, args))) + "\n"
            text = formats.to_markdown(doc, labeled, keep) if args.format == "markdown" else \
                api.join_kept(labeled, keep)
            return text + "\n" if text else ""

        # Kept lines are never blank, so a blank line between two pages' text marks the boundary.
        return _write_pages(pages, args, render, separator="" if args.format == "jsonl" else "\n")


def _cmd_label(args: argparse.Namespace) -> int:
    with contextlib.ExitStack() as stack:
        pages, record_inputs = _split_inputs(_resolve_inputs(args, stack), args)
        if record_inputs:
            if args.explain:
                raise UsageError("--explain applies to single pages, not record files")
            _check_output(args)
            return _run_records(record_inputs, args, with_labels=True, keep=list(DEFAULT_KEEP))

        def render(path: str) -> str:
            doc, labeled, detector = _label_page(path, args)
            reasons = None
            if args.explain:
                explain = getattr(detector, "explain", None)
                if explain is None:
                    raise UsageError(f"--explain: detector {type(detector).__name__} gives no reasons")
                reasons = [reason for _, reason in explain(doc)]
            rows = formats.line_rows(doc, labeled, reasons)
            if args.format == "jsonl":
                name = _shown(path, args)
                return "".join(pool.to_json_line({"file": name, **row}) + "\n" for row in rows)
            return "".join("\t".join(_tsv_field(key, value) for key, value in row.items()) + "\n"
                           for row in rows)

        return _write_pages(pages, args, render, separator="")


def _tsv_field(key: str, value: object) -> str:
    if value is None:
        return "-"
    if key in ("score", "p_body"):
        return f"{value:.3f}"
    return str(value)


def _configure(args: argparse.Namespace) -> None:
    """Check the detector options before any input is read: ``--detector`` or ``--model`` (a
    model file, loaded), ``--threshold``/``--precision``/``--recall`` (a learned detector's P(body)
    threshold, set on the model or passed by name) and ``--explain``."""
    if args.precision:
        args.threshold = PRECISION_THRESHOLD
    elif args.recall:
        args.threshold = RECALL_THRESHOLD
    args.display = {}
    if args.model is not None:
        from .detectors.learned import LearnedDetector

        if not Path(args.model).is_file():
            what = "is a directory" if Path(args.model).is_dir() else "no such file"
            raise UsageError(f"--model {args.model}: {what}")
        try:
            model = LearnedDetector.load(args.model)
        except (ValueError, OSError) as exc:  # ModelError (a ValueError): not a valid model file
            raise UsageError(f"--model {args.model}: {exc}") from None
        if args.threshold is not None:
            model.set_params(threshold=args.threshold)
        args.detector, args.threshold = model, None
        return
    if args.threshold is not None or getattr(args, "explain", False):
        try:
            detector = api.load_detector(args.detector, threshold=args.threshold)
        except ValueError as exc:
            raise UsageError(f"--threshold: {exc}") from None
        if getattr(args, "explain", False) and not hasattr(detector, "explain"):
            raise UsageError(f"--explain: detector {args.detector!r} gives no reasons")


def _train_params(args: argparse.Namespace) -> dict:
    """The parameters ``train`` fits with: ``--params``, or the shipped model's own for the variant
    (its file says them; the kind offsets left out: they are chosen by a cross-validation of the
    data a model is trained on), or the defaults where no model is installed."""
    import json

    from .detectors.learned import SHIPPED, shipped_model

    if args.params is not None:
        try:
            params = json.loads(args.params)
        except ValueError as exc:
            raise UsageError(f"--params: not JSON ({exc})") from None
        if not isinstance(params, dict) or "html" in params:
            raise UsageError("--params: a JSON object of LearnedDetector parameters, without html (use --html)")
        return params
    name = "learned-html" if args.html else "learned-text"
    if not SHIPPED[name].is_file():
        return {}
    return {k: v for k, v in shipped_model(name).get_params().items() if k not in ("html", "kind_offsets")}


@contextlib.contextmanager
def _progress_on_stderr() -> Iterator[None]:
    """The package's INFO records (a fit's stages and their seconds) on stderr while in the block,
    each as one ``boilerplate: ...`` line, and only there; the logger is restored after."""
    logger = logging.getLogger("boilerplate")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("boilerplate: %(message)s"))
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # once each: not again through a handler of the embedding application's
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


def _cmd_train(args: argparse.Namespace) -> None:
    from .detectors.learned import LearnedDetector
    from .detectors.learned.seqnet import MissingDependency
    from .eval.dataset import DatasetError, read_jsonl

    params = _train_params(args)
    try:
        model = LearnedDetector(html=args.html, **params)
    except TypeError as exc:
        raise UsageError(f"--params: {exc}") from None
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
    try:
        with _progress_on_stderr():  # the fit's stages as it goes: a full corpus takes tens of minutes
            model.fit(docs)
    except (ValueError, MissingDependency) as exc:  # a parameter out of range (the message names it), no
        raise UsageError(str(exc)) from None  # labeled line, or a package the parameters need (seq_net: torch)
    model.save(args.out)
    print(f"boilerplate: model written to {args.out}", file=sys.stderr)


def _number(convert: type, ok: Callable[[float], bool], expected: str) -> Callable[[str], float]:
    """An argparse ``type``: ``convert(value)`` if ``ok`` of it, else one line saying what was expected."""
    def parse(value: str) -> float:
        try:
            number = convert(value)
        except ValueError:
            number = None
        if number is None or not ok(number):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {value!r}")
        return number
    parse.__name__ = expected  # argparse names the type in its messages
    return parse


_seconds = _number(float, lambda x: 0 <= x < float("inf"), "a number of seconds >= 0")
_probability = _number(float, lambda x: 0.0 <= x <= 1.0, "a number in [0, 1]")
_positive_int = _number(int, lambda x: x >= 1, "a positive integer")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="boilerplate", description="Line-level boilerplate detection for web text.")
    parser.add_argument("--version", action="version", version=f"boilerplate {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("files", nargs="*", metavar="FILE", help="input files or directories (recursive); '-' or none for stdin")
        which = p.add_mutually_exclusive_group()
        which.add_argument("--detector", default=None,
                           help=f"detector name (default: the best shipped); one of {', '.join(detectors.available())}")
        which.add_argument("--model", metavar="PATH", default=None,
                           help="a model file written by 'boilerplate train' (used for text and HTML input)")
        knob = p.add_mutually_exclusive_group()
        knob.add_argument("--threshold", type=_probability, default=None, metavar="T",
                          help="learned detectors: a line is body at P(body) >= T (default 0.5); "
                               "an error for detectors without a threshold")
        knob.add_argument("--precision", action="store_true",
                          help=f"favour precision: --threshold {PRECISION_THRESHOLD} (a fixed value, "
                               "not tuned on test data)")
        knob.add_argument("--recall", action="store_true",
                          help=f"favour recall: --threshold {RECALL_THRESHOLD} (a fixed value, not tuned "
                               "on test data)")
        p.add_argument("--html", action="store_true",
                       help=f"treat input as HTML (automatic for {', '.join(HTML_SUFFIXES)})")
        p.add_argument("-o", "--output", metavar="FILE",
                       help="write here instead of stdout, atomically (.gz/.zst names are compressed); "
                            "with one input directory of pages, a directory: one file per page at its "
                            "relative path, suffix by --format (pages are done one after another; "
                            "--workers applies to record files)")
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
    p.add_argument("--format", choices=("txt", "jsonl", "markdown"), default="txt",
                   help="single pages: txt (the kept lines; several pages parted by a blank line), "
                        "jsonl (one object per page: file, title, lang, date, text, lines with label, "
                        "score, p_body), markdown (HTML headings, list items, tables marked up; text "
                        "input as txt). Record files always give JSONL records")
    p.set_defaults(func=_cmd_clean)

    p = sub.add_parser("label", help="print each line with its label and score")
    common(p)
    p.add_argument("--format", choices=("tsv", "jsonl"), default="tsv",
                   help="tsv columns: line (1-based), label, score (of that label), p_body, tag (HTML "
                        "input), reason (--explain), text; jsonl: the same keys plus file")
    p.add_argument("--explain", action="store_true",
                   help="add each line's reason (the detector's explain(): a rule, or a learned "
                        "model's strongest feature groups)")
    p.set_defaults(func=_cmd_label)

    p = sub.add_parser("train", help="train a learned detector on dataset files (JSONL)")
    p.add_argument("--corpus", action="append", required=True, metavar="FILE", help="dataset file; repeatable")
    p.add_argument("--out", required=True, help="model file to write (.npz)")
    p.add_argument("--html", action="store_true", help="train the HTML-aware variant (pages with markup cues)")
    p.add_argument("--params", default=None, metavar="JSON",
                   help="LearnedDetector parameters as a JSON object (default: the shipped model's setting, "
                        "without its kind offsets)")
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
        if args.command in ("clean", "label"):
            _configure(args)
        code = args.func(args) or 0
    except UsageError as exc:
        print(f"boilerplate: error: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:  # a missing dependency fails every page alike: once, not N skips
        hint = "" if "pip install" in str(exc) else f" (pip install -U '{DISTRIBUTION}[{_EXTRA_OF.get(exc.name or '', '')}]')"
        print(f"boilerplate: error: missing dependency: {exc}{hint}".replace("[]", ""), file=sys.stderr)
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
