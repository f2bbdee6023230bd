"""Streaming record readers and an atomic record writer: JSONL, WARC and WET, plain or compressed.

A *record* is one page to clean: JSONL objects (one per line, the text or HTML in a named
field), WARC ``response`` records (HTML, the HTML path) and WET ``conversion`` records (plain
text, the text path; Common Crawl's ``*.warc.wet.gz``). Readers never hold more than one record
in memory and yield, in input order, either a :class:`Record` or a :class:`Skipped` that says
why a record is unusable. A bad record never ends the run; a stream that cannot be read past
some point (a truncated gzip member, a garbled WARC header) ends that file with one
:class:`Skipped`.

WARC parsing uses FastWARC (Resiliparse project): on the 1,678 benchmark pages as one
``.warc.gz`` it iterates responses in 0.66 s against warcio's 1.24 s (0.18 s against 0.28 s
uncompressed; ``benchmarks.stream_bench``), decompresses gzip, zstd and lz4 itself, and decodes
HTTP transfer and content encodings. Either way reading is under 1% of the cleaning time (87 s on
one worker); FastWARC was chosen for its speed, its native decompression, and because its records
report their declared length (the truncation check).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

#: A record larger than this (JSONL line, WARC payload) is skipped as ``oversized``; its bytes are
#: read past in chunks, never held. 64 MiB is ~100x the largest page of the benchmarks.
MAX_RECORD_BYTES = 64 * 1024 * 1024
#: The WARC-Date of records built by :func:`warc_record`.
WARC_DATE = "2026-11-23T00:00:00Z"
#: Read-past chunk for an oversized JSONL line.
_SKIP_CHUNK = 1 << 20

#: Why a record was skipped. ``error`` is an unexpected failure while cleaning one record;
#: ``timeout``: cleaning it took longer than the time limit; ``corrupt``: the compressed stream
#: fails its checks (a gzip CRC or deflate error, a zstd frame error) from that record on.
SKIP_REASONS = ("undecodable", "malformed", "missing-field", "oversized", "truncated", "corrupt", "not-html",
                "timeout", "error")
#: Skip reasons that mean part of an input file could not be read (records lost with it, or,
#: for ``corrupt``, records before the check failed possibly altered): a run that meets one
#: exits with :data:`EXIT_DAMAGED` even under ``-q``.
DAMAGE_REASONS = ("truncated", "corrupt")

FORMATS = ("jsonl", "warc")
_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
_WARC_SUFFIXES = (".warc", ".wet", ".arc")
_COMPRESSION_SUFFIXES = (".gz", ".zst", ".zstd", ".lz4")
_GZIP_MAGIC = b"\x1f\x8b"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_HTML_TYPES = ("text/html", "application/xhtml+xml")


class RecordFormatError(ValueError):
    """The input cannot be read as the requested record format at all."""


@dataclass(frozen=True, slots=True)
class Record:
    """One page to clean: ``kind`` is ``"text"`` or ``"html"``; ``fields`` is what the output keeps
    (the whole JSONL object, or a WARC record's id, URL and date)."""

    index: int
    kind: str
    content: str | bytes
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A record that could not be used: ``reason`` is one of :data:`SKIP_REASONS`."""

    index: int
    reason: str
    detail: str = ""

    def __post_init__(self) -> None:
        if self.reason not in SKIP_REASONS:
            raise ValueError(f"unknown skip reason {self.reason!r}; expected one of {', '.join(SKIP_REASONS)}")


def sniff_format(path: str, head: bytes = b"") -> str | None:
    """``"jsonl"`` or ``"warc"`` from the file name (compression suffixes ignored), else ``"warc"``
    if the first bytes are a WARC header; ``None`` for anything else (a single text or HTML page)."""
    name = path.lower()
    for suffix in _COMPRESSION_SUFFIXES:
        name = name.removesuffix(suffix)
    if name.endswith(_JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(_WARC_SUFFIXES):
        return "warc"
    if head.startswith(b"WARC/"):
        return "warc"
    return None  # JSONL is never guessed from content: a text page may start with "{"


def detect_format(path: str) -> str | None:
    """The record format of a file: :func:`sniff_format` on its name, then on its first
    (decompressed) bytes; stdin (``-``) is never sniffed. ``None``: a single text or HTML page."""
    fmt = sniff_format(path)
    if fmt is None and path != "-":
        try:
            with open_binary(path) as probe:
                fmt = sniff_format(path, probe.read(8))
        except (OSError, EOFError, RecordFormatError):
            return None  # unreadable here: the single-page path reports the error
    return fmt


def open_binary(path: str, decompress: bool = True) -> IO[bytes]:
    """Open a file (``-`` for stdin) for reading, transparently decompressing gzip and zstd
    (detected from the first bytes, not the name). zstd needs the ``zstandard`` package."""
    raw: IO[bytes] = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
    buffered = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw)  # type: ignore[arg-type]
    if not decompress:
        return buffered
    head = buffered.peek(4)[:4]
    if head.startswith(_GZIP_MAGIC):
        return gzip.GzipFile(fileobj=buffered, mode="rb")  # type: ignore[return-value]
    if head.startswith(_ZSTD_MAGIC):
        try:
            import zstandard
        except ImportError:
            buffered.close()
            raise RecordFormatError(f"{path}: zstd-compressed; install the 'zstandard' package "
                                    "(pip install 'boilerplate[io]')") from None
        return io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(buffered))  # type: ignore[arg-type]
    return buffered


def _bounded_lines(stream: IO[bytes], limit: int) -> Iterator[bytes | None]:
    """The stream's lines; ``None`` in place of a line longer than ``limit`` bytes, read past in
    chunks so a 1 GB line never sits in memory."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while True:
                chunk = stream.readline(_SKIP_CHUNK)
                if not chunk or chunk.endswith(b"\n"):
                    break
            yield None
        else:
            yield line


def iter_jsonl(stream: IO[bytes], text_field: str | None = "text", html_field: str | None = None,
               max_record_bytes: int = MAX_RECORD_BYTES) -> Iterator[Record | Skipped]:
    """Records from JSON Lines: each object's ``html_field`` (HTML path) if given, else its
    ``text_field`` (text path). Blank lines are not records. Every other field is kept."""
    key, kind = (html_field, "html") if html_field else (text_field or "text", "text")
    index = -1
    lines = _bounded_lines(stream, max_record_bytes)
    while True:
        try:
            line = next(lines)
        except StopIteration:
            return
        except (EOFError, OSError, gzip.BadGzipFile) as exc:  # compressed stream cut short or corrupt
            yield Skipped(index + 1, "truncated", f"stream ends early ({exc}); rest of file unreadable")
            return
        if line is not None and not line.strip():
            continue
        index += 1
        if line is None:
            yield Skipped(index, "oversized", f"line longer than {max_record_bytes} bytes")
            continue
        try:
            obj = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError as exc:
            yield Skipped(index, "undecodable", f"not UTF-8 ({exc.reason} at byte {exc.start})")
            continue
        except ValueError as exc:  # json.JSONDecodeError
            # A last line without its line end that does not parse was cut off mid-write.
            reason = "truncated" if not line.endswith(b"\n") else "malformed"
            yield Skipped(index, reason, f"invalid JSON: {exc}")
            continue
        if not isinstance(obj, dict):
            yield Skipped(index, "malformed", f"a JSON {type(obj).__name__}, not an object")
            continue
        content = obj.get(key)
        if not isinstance(content, str):
            what = "missing" if content is None else f"a {type(content).__name__}, not a string"
            yield Skipped(index, "missing-field", f"field {key!r} is {what}")
            continue
        yield Record(index, kind, content, obj)


def iter_warc(stream: IO[bytes] | str, max_record_bytes: int = MAX_RECORD_BYTES) -> Iterator[Record | Skipped]:
    """Records from a WARC (or WET) file: HTML ``response`` records (HTML path) and ``conversion``
    records (text path). Other record types (request, metadata, warcinfo, ...) are not pages and
    are passed over silently; responses that are not HTML are skipped as ``not-html``."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    wanted = WarcRecordType.response | WarcRecordType.conversion
    records = iter(ArchiveIterator(stream, record_types=wanted, parse_http=True, auto_decode="all"))
    index = -1
    while True:
        try:
            rec = next(records)
        except StopIteration:
            return
        except (OSError, ValueError, EOFError) as exc:
            yield Skipped(index + 1, "truncated" if "eof" in str(exc).lower() or "end" in str(exc).lower()
                          else "malformed", f"unreadable WARC stream ({exc}); rest of file skipped")
            return
        index += 1
        headers = rec.headers
        fields = {"id": headers.get("WARC-Record-ID"), "url": headers.get("WARC-Target-URI"),
                  "date": headers.get("WARC-Date")}
        conversion = rec.record_type == WarcRecordType.conversion
        if not conversion:
            ctype = (rec.http_content_type or "").split(";")[0].strip().lower() if rec.is_http else ""
            if ctype not in _HTML_TYPES:
                yield Skipped(index, "not-html", f"{fields['url']}: content type {ctype or 'unknown'!r}")
                continue
        if rec.content_length > max_record_bytes:
            yield Skipped(index, "oversized", f"{fields['url']}: {rec.content_length} bytes")
            continue
        try:
            payload = rec.reader.read()
        except (OSError, ValueError, EOFError) as exc:
            yield Skipped(index, "truncated", f"{fields['url']}: {exc}; rest of file skipped")
            return
        encoded = rec.is_http and (rec.http_headers.get("Content-Encoding") or rec.http_headers.get(
            "Transfer-Encoding"))
        if not encoded and len(payload) < rec.content_length:
            yield Skipped(index, "truncated", f"{fields['url']}: {len(payload)} of {rec.content_length} bytes")
            continue
        if conversion:
            try:
                text = payload.decode("utf-8")  # WET payloads are UTF-8 by definition
            except UnicodeDecodeError as exc:
                yield Skipped(index, "undecodable", f"{fields['url']}: not UTF-8 ({exc.reason})")
                continue
            yield Record(index, "text", text, fields)
        else:
            yield Record(index, "html", payload, fields)


def iter_records(path: str, fmt: str | None = None, text_field: str | None = "text",
                 html_field: str | None = None, max_record_bytes: int = MAX_RECORD_BYTES
                 ) -> Iterator[Record | Skipped]:
    """The records of one file (``-`` for stdin), format given or detected (:func:`detect_format`)."""
    if path != "-" and Path(path).is_dir():
        raise RecordFormatError(f"{path}: is a directory")
    if fmt is None:
        fmt = detect_format(path)
    if fmt not in ("jsonl", "warc", "wet"):
        raise RecordFormatError(f"{path}: not JSONL or WARC; pass --input-format" if fmt is None else
                                f"unknown record format {fmt!r}; one of {', '.join(FORMATS)}")
    # FastWARC decompresses WARC itself, member by member: a cut gzip member then loses one
    # record, where a Python gzip stream would fail the read-ahead of the records before it.
    stream = open_binary(path, decompress=fmt == "jsonl")
    try:
        if fmt == "jsonl":
            yield from iter_jsonl(stream, text_field, html_field, max_record_bytes)
        else:
            yield from iter_warc(stream, max_record_bytes)
    finally:
        if path != "-":
            stream.close()


def warc_record(warc_type: str, url: str, payload: bytes, content_type: str = "text/html; charset=utf-8",
                record_id: str | None = None, declared_length: int | None = None) -> bytes:
    """One WARC/1.0 record, as bytes (for fixtures, tests and benchmark files). ``response`` records wrap ``payload`` in an HTTP 200 response with
    ``content_type``; ``conversion`` records hold it as is. ``declared_length`` overrides the
    Content-Length header (to write a record that lies about its size)."""
    if warc_type == "response":
        block = (f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n"
                 f"Content-Length: {len(payload)}\r\n\r\n").encode() + payload
        block_type = "application/http; msgtype=response"
    else:
        block, block_type = payload, "text/plain"
    rid = record_id or f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, warc_type + url)}>"
    length = len(block) if declared_length is None else declared_length
    head = (f"WARC/1.0\r\nWARC-Type: {warc_type}\r\nWARC-Record-ID: {rid}\r\nWARC-Date: {WARC_DATE}\r\n"
            f"WARC-Target-URI: {url}\r\nContent-Type: {block_type}\r\nContent-Length: {length}\r\n\r\n")
    return head.encode() + block + b"\r\n\r\n"


@contextmanager
def atomic_output(path: str | os.PathLike) -> Iterator[IO[str]]:
    """A text file written under a temporary name in the same directory and renamed to ``path``
    only when the block completes: an interrupted or failed run leaves no half-written file under
    the final name. ``.gz`` and ``.zst`` names are compressed."""
    final = Path(path)
    fd, tmp = tempfile.mkstemp(dir=final.parent or ".", prefix=f".{final.name}.", suffix=".partial")
    raw = os.fdopen(fd, "wb")
    try:
        name = final.name.lower()
        if name.endswith(".gz"):
            binary: IO[bytes] = gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0)  # type: ignore[assignment]
        elif name.endswith((".zst", ".zstd")):
            try:
                import zstandard
            except ImportError:
                raise RecordFormatError(f"{path}: writing zstd needs the 'zstandard' package") from None
            binary = zstandard.ZstdCompressor().stream_writer(raw, closefd=False)  # type: ignore[assignment]
        else:
            binary = raw
        text = io.TextIOWrapper(binary, encoding="utf-8", newline="\n")
        yield text
        text.flush()
        text.detach()
        if binary is not raw:
            binary.close()  # writes the compressed stream's trailer; ``raw`` stays open
        raw.flush()
        os.fsync(raw.fileno())
        raw.close()
        os.chmod(tmp, 0o644)
        os.replace(tmp, final)
    except BaseException:
        with suppress(OSError):  # closing flushes: on a full disk that fails too, and must not
            raw.close()          # keep the partial file from being removed
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
