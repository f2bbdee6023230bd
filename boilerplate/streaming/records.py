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
import stat
import sys
import tempfile
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

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
_WARC_MAGIC = b"WARC/1."
#: Chunk in which HTTP bodies are read and decoded (the decoded size is checked after each).
_DECODE_CHUNK = 1 << 16
#: Longest WARC header line read when checking a file's last records for a cut.
_HEADER_LINE_MAX = 1 << 16
#: Chunk in which a garbled WARC file is scanned for the next record header.
_RESYNC_CHUNK = 1 << 20
#: How to install an optional dependency: the distribution is ``boilerplate-lines`` (the import
#: name stays ``boilerplate``; ``boilerplate`` on PyPI is an unrelated project).
INSTALL_HINT = "pip install 'boilerplate-lines[{extra}]'"
#: Chunk in which a non-seekable WARC stream (a pipe) is copied to a temporary file.
_SPOOL_CHUNK = 1 << 20
#: Compressed bytes fed to the zstd decoder at a time: one call's output is bounded by what this
#: much input can expand to, a few MB at most.
_ZSTD_FEED = 1 << 12


class RecordFormatError(ValueError):
    """The input cannot be read as the requested record format at all."""


class CorruptStreamError(OSError):
    """A compressed stream fails its own checks (gzip CRC or deflate data, zstd frame)."""


class _ZstdFrames(io.RawIOBase):
    """zstd frames decompressed as a stream that, unlike ``zstandard``'s own reader, raises
    ``EOFError`` when the input ends inside a frame and :class:`CorruptStreamError` when a frame
    fails to decode (its checksum, if written, included)."""

    def __init__(self, raw: IO[bytes], zstandard: Any):
        self.raw, self.zstd = raw, zstandard
        self.frame: Any = None
        self.pending, self.out, self.pos = b"", b"", 0

    def readable(self) -> bool:
        return True

    def readinto(self, buf: Any) -> int:
        while self.pos >= len(self.out):
            if not self._fill():
                return 0
        n = min(len(buf), len(self.out) - self.pos)
        buf[:n] = self.out[self.pos:self.pos + n]
        self.pos += n
        return n

    def _fill(self) -> bool:
        data, self.pending = self.pending or self.raw.read(_ZSTD_FEED), b""
        if not data:
            if self.frame is not None:
                raise EOFError("zstd stream ends inside a frame (the file is cut short)")
            return False
        if self.frame is None:
            self.frame = self.zstd.ZstdDecompressor().decompressobj()
        try:
            self.out, self.pos = self.frame.decompress(data), 0
        except self.zstd.ZstdError as exc:
            raise CorruptStreamError(f"zstd frame does not decode ({exc})") from None
        if self.frame.eof:
            self.pending, self.frame = self.frame.unused_data, None
        return True

    def close(self) -> None:
        self.raw.close()
        super().close()


@dataclass(frozen=True, slots=True)
class Record:
    """One page to clean: ``kind`` is ``"text"`` or ``"html"``; ``fields`` is what the output keeps
    (the whole JSONL object, or a WARC record's id, URL and date); ``charset`` is the one an HTML
    response's HTTP ``Content-Type`` declares (``""`` if none), for ``render``'s ``encoding``."""

    index: int
    kind: str
    content: str | bytes
    fields: dict[str, Any] = field(default_factory=dict)
    charset: str = ""


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


def compression(head: bytes) -> str | None:
    """``"gzip"`` or ``"zstd"`` if ``head`` (a file's first bytes) starts a compressed stream, else ``None``."""
    if head.startswith(_GZIP_MAGIC):
        return "gzip"
    if head.startswith(_ZSTD_MAGIC):
        return "zstd"
    return None


def strip_compression_suffix(name: str) -> str:
    """``name`` without a trailing compression suffix (``page.html.gz`` -> ``page.html``)."""
    for suffix in _COMPRESSION_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[:-len(suffix)]
    return name


def open_binary(path: str, decompress: bool = True) -> IO[bytes]:
    """Open a file (``-`` for stdin) for reading, transparently decompressing gzip and zstd
    (detected from the first bytes, not the name). zstd needs the ``zstandard`` package."""
    raw: IO[bytes] = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
    buffered = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(cast(Any, raw))
    if not decompress:
        return buffered
    kind = compression(buffered.peek(4)[:4])
    if kind == "gzip":
        return gzip.GzipFile(fileobj=buffered, mode="rb")  # type: ignore[return-value]
    if kind == "zstd":
        try:
            import zstandard
        except ImportError:
            buffered.close()
            raise RecordFormatError(f"{path}: zstd-compressed; install the 'zstandard' package "
                                    f"({INSTALL_HINT.format(extra='io')})") from None
        return io.BufferedReader(_ZstdFrames(buffered, zstandard))
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
        except EOFError as exc:  # compressed stream cut short
            yield Skipped(index + 1, "truncated", f"stream ends early ({exc}); {index + 1} records read, "
                          "the rest of the file is missing")
            return
        except (OSError, zlib.error) as exc:  # gzip.BadGzipFile (CRC), CorruptStreamError, bad deflate data
            yield Skipped(index + 1, "corrupt", f"compressed stream is corrupt ({exc}); {index + 1} records "
                          "read (the last before the check failed may be altered), the rest is unreadable")
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


class _ZlibBody:
    """gzip/zlib (or raw deflate, a common server bug) decoded in steps of bounded output."""

    def __init__(self, wbits: int):
        self.wbits, self.obj, self.started = wbits, zlib.decompressobj(wbits), False

    def decode(self, chunk: bytes, room: int) -> bytes:
        try:
            out = self.obj.decompress(chunk, room)
        except zlib.error:
            if self.started or self.wbits != 15:
                raise
            self.obj, self.wbits = zlib.decompressobj(-15), -15  # deflate without its zlib header
            out = self.obj.decompress(chunk, room)
        self.started = True
        return out


class _BrotliBody:
    def __init__(self) -> None:
        import brotli

        self.obj = brotli.Decompressor()

    def decode(self, chunk: bytes, room: int) -> bytes:
        return self.obj.process(chunk, output_buffer_limit=room)


def _body_decoder(encoding: str) -> _ZlibBody | _BrotliBody | None:
    enc = encoding.strip().lower()
    if enc in ("", "identity", "none"):
        return None
    if enc in ("gzip", "x-gzip"):
        return _ZlibBody(32 + 15)  # gzip or zlib header, detected
    if enc == "deflate":
        return _ZlibBody(15)
    if enc == "br":
        try:
            return _BrotliBody()
        except ImportError:
            raise LookupError("brotli content encoding needs the 'brotli' package") from None
    raise LookupError(f"content encoding {encoding!r} is not supported")


def read_body(reader: Any, encoding: str, limit: int) -> bytes | None:
    """An HTTP body read from ``reader`` in chunks and decoded by its ``Content-Encoding``
    (gzip, deflate, br) as it streams; ``None`` as soon as the decoded bytes pass ``limit``, so a
    7 KB gzip bomb is never inflated to 4 GB. Raises ``LookupError`` for an unknown encoding and
    the codec's error for bad data. A body cut short is decoded as far as it goes."""
    decoder = _body_decoder(encoding)
    out = bytearray()
    while True:
        chunk = reader.read(_DECODE_CHUNK)
        if not chunk:
            return bytes(out)
        # Output is capped at the room left: a decoder that fills it had more, so over the limit.
        out += chunk if decoder is None else decoder.decode(chunk, limit + 1 - len(out))
        if len(out) > limit:
            return None


def _http_length(rec: Any) -> int | None:
    value = rec.http_headers.get("Content-Length") if rec.is_http else None
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _warc_item(rec: Any, index: int, max_record_bytes: int, conversion: bool) -> Record | Skipped:
    """One response or conversion record as a :class:`Record` (or why not)."""
    headers = rec.headers
    fields = {"id": headers.get("WARC-Record-ID"), "url": headers.get("WARC-Target-URI"),
              "date": headers.get("WARC-Date")}
    url = fields["url"]
    if rec.content_length > max_record_bytes:
        return Skipped(index, "oversized", f"{url}: {rec.content_length} bytes")
    ctype = "" if conversion else ((rec.http_content_type or "").split(";")[0].strip().lower()
                                   if rec.is_http else "")
    encoding = "" if conversion or not rec.is_http else (rec.http_headers.get("Content-Encoding") or "")
    try:
        if not conversion and ctype not in _HTML_TYPES:
            raw = 0  # not a page: read past it only to tell a cut record from a foreign one
            while chunk := rec.reader.read(_DECODE_CHUNK):
                raw += len(chunk)
            if raw < rec.content_length:
                return Skipped(index, "truncated", f"{url}: {raw} of {rec.content_length} bytes (file cut short)")
            return Skipped(index, "not-html", f"{url}: content type {ctype or 'unknown'!r}")
        if encoding.strip().lower() in ("", "identity", "none"):
            payload = rec.reader.read()
            if len(payload) < rec.content_length:
                return Skipped(index, "truncated", f"{url}: {len(payload)} of {rec.content_length} bytes")
        else:
            payload = read_body(rec.reader, encoding, max_record_bytes)
            if payload is None:
                return Skipped(index, "oversized", f"{url}: {encoding} body decodes to over {max_record_bytes} bytes")
    except LookupError as exc:
        return Skipped(index, "undecodable", f"{url}: {exc}")
    except (zlib.error, OSError, ValueError, EOFError) as exc:  # a broken encoded body, or brotli.error
        return Skipped(index, "undecodable", f"{url}: content encoding {encoding!r} does not decode ({exc})")
    except Exception as exc:  # brotli.error is a plain Exception
        return Skipped(index, "undecodable", f"{url}: content encoding {encoding!r} does not decode "
                       f"({type(exc).__name__}: {exc})")
    if conversion:
        try:
            text = payload.decode("utf-8")  # WET payloads are UTF-8 by definition
        except UnicodeDecodeError as exc:
            return Skipped(index, "undecodable", f"{url}: not UTF-8 ({exc.reason})")
        return Record(index, "text", text, fields)
    # the charset the response's Content-Type declares, for render (FastWARC parses it)
    return Record(index, "html", payload, fields, (rec.http_charset or "") if rec.is_http else "")


def _framing_suspect(item: Record | Skipped, http_length: int | None) -> bool:
    """Whether the record just before a framing error lied about its length: its body differs from
    its HTTP Content-Length (plain bodies only), or it is a WET conversion (nothing to check)."""
    if not isinstance(item, Record):
        return False
    if item.kind == "text":
        return True
    return http_length is not None and isinstance(item.content, bytes) and len(item.content) != http_length


def _tail_damage(fh: IO[bytes], start: int, gz: bool) -> tuple[int, str] | None:
    """Check the records from ``start`` to the end of the file for a cut: ``(k, what)`` when the
    ``k``-th of them (0: the one at ``start``; -1: the one in the file's last gzip member) ends
    early, else ``None``. FastWARC ends quietly
    at a record cut inside its header; this finds it (reading only the file's last records)."""
    fh.seek(start)
    stream: IO[bytes] = gzip.GzipFile(fileobj=fh, mode="rb") if gz else fh  # type: ignore[assignment]
    k = -1
    try:
        while True:
            head = stream.readline(_HEADER_LINE_MAX)
            while head in (b"\r\n", b"\n"):
                head = stream.readline(_HEADER_LINE_MAX)
            if not head:
                return None
            if not head.startswith(b"WARC/"):
                if not head.endswith(b"\n") and b"WARC/".startswith(head):
                    return k + 1, "the last record header is cut off after its first bytes"
                return None  # not a record: a framing question, not a cut
            k += 1
            length = None
            while True:
                line = stream.readline(_HEADER_LINE_MAX)
                if not line.endswith(b"\n"):
                    return k, "a record header is cut off"
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            length = length or 0
            left = length
            while left:
                chunk = stream.read(min(left, _DECODE_CHUNK))
                if not chunk:
                    return k, f"the last record has {length - left:,} of its {length:,} bytes"
                left -= len(chunk)
    except EOFError:  # in the file's last member; which record that holds, the caller tells
        return -1, "the last gzip member is cut off"
    except gzip.BadGzipFile as exc:
        if repr(_GZIP_MAGIC[:1]) in str(exc):  # one byte of a next member's header
            return k + 1, "the last gzip member is cut off after its first byte"
        return None
    except (OSError, zlib.error, ValueError):
        return None


def _next_start(stream: IO[bytes], start: int, marker: bytes) -> int | None:
    """The offset of the first ``marker`` at or after ``start`` (a record header), or ``None``."""
    stream.seek(start)
    tail = b""
    offset = start
    while True:
        chunk = stream.read(_RESYNC_CHUNK)
        if not chunk:
            return None
        data = tail + chunk
        found = data.find(marker)
        if found >= 0:
            return offset - len(tail) + found
        tail = data[-(len(marker) - 1):]
        offset += len(chunk)


def iter_warc(stream: IO[bytes] | str, max_record_bytes: int = MAX_RECORD_BYTES) -> Iterator[Record | Skipped]:
    """Records from a WARC (or WET) file: HTML ``response`` records (HTML path) and ``conversion``
    records (text path). Other record types (request, metadata, warcinfo, ...) are not pages and
    are passed over silently; responses that are not HTML are skipped as ``not-html``.

    HTTP bodies are decoded here as they stream (gzip, deflate, br), capped at
    ``max_record_bytes`` (``oversized``). A framing error (a garbled header, a Content-Length too
    short or too long) is one ``malformed`` skip: on a seekable file reading resumes at the next
    record header (``WARC/1.``, or the next gzip member of a ``.warc.gz``), and the record before
    the error is skipped too when its own length is what was wrong. A file cut short is
    ``truncated``.
    """
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    owned = isinstance(stream, str)
    fh: IO[bytes] = open(stream, "rb") if isinstance(stream, str) else stream  # noqa: SIM115
    try:
        seekable = fh.seekable()
        base = fh.tell() if seekable else 0
        wanted = WarcRecordType.response | WarcRecordType.conversion
        index = -1
        resynced = False
        while True:
            head = fh.peek(3)[:3] if hasattr(fh, "peek") else b""
            marker = _GZIP_MAGIC + b"\x08" if head.startswith(_GZIP_MAGIC) else _WARC_MAGIC
            records = iter(ArchiveIterator(fh, record_types=wanted, parse_http=True, auto_decode="transfer"))
            held: tuple[Record | Skipped, int | None] | None = None
            last = None
            error: Exception | None = None
            while True:
                try:
                    rec = next(records)
                except StopIteration:
                    break
                except (OSError, ValueError, EOFError) as exc:
                    error = exc
                    break
                if held is not None:
                    yield held[0]
                index += 1
                last = base + rec.stream_pos
                conversion = rec.record_type == WarcRecordType.conversion
                held = (_warc_item(rec, index, max_record_bytes, conversion), None if conversion else
                        _http_length(rec))
            damage = None
            if seekable and (error is None or not isinstance(held and held[0], Record) or
                             not _framing_suspect(*held)):  # type: ignore[misc]
                damage = _tail_damage(fh, base if last is None else last, marker != _WARC_MAGIC)
            if damage is not None and damage[0] == -1:  # the last gzip member: the held record's own?
                later = last is not None and _next_start(fh, last + 1, marker) is not None
                damage = (1 if later else 0, damage[1])
            resume = None
            overlong = False
            if damage is not None and held is not None and damage[0] == 0:
                # The last record read "cut" while later record headers follow it: its length is too long.
                resume = _next_start(fh, last + 1, marker)  # type: ignore[operator]
                if resume is not None:
                    damage, overlong = None, True
                    error = error or OSError("a Content-Length runs past the next record header")
            if resume is None and (error is None or damage is not None):
                # A cut record the reader passed over, or the error it stopped at, is a truncation;
                # a complete page before the cut is kept.
                if damage is not None and held is not None and damage[0] == 0 and not isinstance(held[0], Record):
                    held = (Skipped(held[0].index, "truncated", f"file cut short: {damage[1]}"), None)
                    damage = None
                if held is not None:
                    yield held[0]
                if damage is not None:
                    yield Skipped(index + 1, "truncated", f"file cut short: {damage[1]}")
                return
            suspect = held is not None and (overlong or _framing_suspect(*held))
            if held is not None:
                if suspect:
                    yield Skipped(held[0].index, "malformed", f"its Content-Length does not match its content "
                                  f"(the next record header is not where it says: {error})")
                else:
                    yield held[0]
            message = str(error).lower()
            if "eof" in message or "end of" in message or "truncat" in message:
                yield Skipped(index + 1, "truncated", f"file cut short ({error})")
                return
            if resume is None and seekable:
                resume = _next_start(fh, (base + 1) if last is None else last + 1, marker)
            if resume is None:
                yield Skipped(index + 1, "malformed", f"unreadable WARC stream ({error}); rest of file skipped"
                              + ("" if seekable else " (not seekable: no resynchronisation)"))
                return
            if not suspect and not (resynced and last is None):
                # one skip per garbled stretch: not for the record with the wrong length (skipped
                # above), nor again when the place resumed at was garbled too
                index += 1
                yield Skipped(index, "malformed", f"garbled WARC framing ({error}); resumed at the next "
                              f"record header, byte {resume}")
            fh.seek(resume)
            base, resynced = resume, True
    finally:
        if owned:
            fh.close()


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
    owned = path != "-"  # stdin stays open
    if fmt != "jsonl" and not stream.seekable():  # a pipe: FastWARC needs to seek
        stream, owned = spool(stream, close=owned), True
    try:
        if fmt == "jsonl":
            yield from iter_jsonl(stream, text_field, html_field, max_record_bytes)
        else:
            yield from iter_warc(stream, max_record_bytes)
    finally:
        if owned:
            stream.close()


def spool(stream: IO[bytes], close: bool = True) -> IO[bytes]:
    """A seekable copy of ``stream`` (a pipe, stdin, a FIFO) in an anonymous temporary file,
    read from the start; ``close`` closes ``stream`` once copied. FastWARC needs to seek (it
    aborts with "Illegal seek" on a pipe), and so do resynchronisation and the truncation check.
    Memory stays at one chunk; the disk holds the copy until the returned file is closed."""
    copy = tempfile.TemporaryFile()  # noqa: SIM115  # deleted when closed
    try:
        while chunk := stream.read(_SPOOL_CHUNK):
            copy.write(chunk)
    except BaseException:
        copy.close()
        raise
    finally:
        if close:
            stream.close()
    copy.seek(0)
    return cast(IO[bytes], copy)


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


def check_output(path: str | os.PathLike) -> None:
    """Raise :class:`RecordFormatError` (one line) if ``path`` cannot take the output, before any
    work is done: a directory, a missing or non-directory folder, no write permission, or a
    socket. A device, FIFO or symlink is fine (:func:`atomic_output` writes through it)."""
    final = Path(path)
    target = Path(os.path.realpath(final))
    if target.is_dir():
        raise RecordFormatError(f"{path}: is a directory")
    if target.exists():
        mode = target.stat().st_mode
        if stat.S_ISSOCK(mode):
            raise RecordFormatError(f"{path}: is a socket, not a file")
        if not os.access(target, os.W_OK):
            raise RecordFormatError(f"{path}: not writable (permission denied)")
        if not stat.S_ISREG(mode):
            return  # a device or FIFO is written directly
    folder = target.parent
    if not folder.is_dir():
        raise RecordFormatError(f"{path}: folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise RecordFormatError(f"{path}: folder {str(folder)!r} is not writable (permission denied)")


def _new_file_mode() -> int:
    """The mode a new file gets under this process's umask (0o666 minus the umask)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def _compressing(raw: IO[bytes], name: str, path: str | os.PathLike) -> IO[bytes]:
    name = name.lower()
    if name.endswith(".gz"):
        return gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0)  # type: ignore[return-value]
    if name.endswith((".zst", ".zstd")):
        try:
            import zstandard
        except ImportError:
            raise RecordFormatError(f"{path}: writing zstd needs the 'zstandard' package") from None
        return cast(IO[bytes], zstandard.ZstdCompressor(write_checksum=True).stream_writer(raw, closefd=False))
    return raw


def _finish(text: io.TextIOWrapper, binary: IO[bytes], raw: IO[bytes]) -> None:
    text.flush()
    text.detach()
    if binary is not raw:
        binary.close()  # writes the compressed stream's trailer; ``raw`` stays open
    raw.flush()


def _abandon(*streams: Any) -> None:
    """Close streams, outermost first, after a failure without letting a second failure (the
    flush of a full disk) escape. Each ``close`` marks its stream closed even when its flush
    fails, so no garbage-collector flush fails later either."""
    for s in streams:
        if s is not None:
            with suppress(Exception):
                s.close()


@contextmanager
def atomic_output(path: str | os.PathLike) -> Iterator[IO[str]]:
    """A text file written under a temporary name in the same directory and renamed to ``path``
    only when the block completes: an interrupted or failed run (a full disk, ``ulimit -f``)
    leaves no half-written file under the final name and no temporary file. ``.gz`` and ``.zst``
    names are compressed.

    A new file gets the mode the umask allows; an existing file keeps its mode. A symlink is
    followed: its target is replaced atomically and the link stays. A device (``/dev/null``) or
    a FIFO is written directly, never replaced by a regular file.
    """
    check_output(path)
    final = Path(os.path.realpath(path))
    existing = final.stat() if final.exists() else None
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        raw = open(final, "wb")  # noqa: SIM115  # a device or FIFO: written through, never replaced
        binary = text = None
        try:
            binary = _compressing(raw, final.name, path)
            text = io.TextIOWrapper(binary, encoding="utf-8", newline="\n")
            yield text
            _finish(text, binary, raw)
            raw.close()
        except BaseException:
            _abandon(text, binary if binary is not raw else None, raw)
            raise
        return
    mode = stat.S_IMODE(existing.st_mode) if existing is not None else _new_file_mode()
    fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".partial")
    raw = os.fdopen(fd, "wb")
    binary = text = None
    try:
        binary = _compressing(raw, final.name, path)
        text = io.TextIOWrapper(binary, encoding="utf-8", newline="\n")
        yield text
        _finish(text, binary, raw)
        os.fsync(raw.fileno())
        raw.close()
        os.chmod(tmp, mode)
        os.replace(tmp, final)
    except BaseException:
        _abandon(text, binary if binary is not raw else None, raw)
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
