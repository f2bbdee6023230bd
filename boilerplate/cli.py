"""Command line: a thin shell over the public API.

    boilerplate clean [FILE ...|-] [--keep body,headline] [--detector NAME] [--html]
    boilerplate label FILE [--format tsv|jsonl] [--detector NAME] [--html]
    boilerplate train --corpus FILE.jsonl [--corpus ...] --out MODEL.npz [--html]

Exit status 0 on success, 2 on a usage or input error (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

from . import __version__, api, detectors
from .labels import LABELS

HTML_SUFFIXES = (".html", ".htm", ".xhtml")


class UsageError(Exception):
    """A bad command line or unusable input: reported in one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line instead of argparse's usage dump
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


def _cmd_clean(args: argparse.Namespace) -> None:
    keep = [k for k in args.keep.split(",") if k.strip()]
    api._keep_set(keep)  # validate before reading any input
    out = sys.stdout
    for path in args.files or ["-"]:
        kept = api._join_kept(_label_file(path, args), keep)
        if kept:
            out.write(kept + "\n")


def _cmd_label(args: argparse.Namespace) -> None:
    out = sys.stdout
    for path in args.files or ["-"]:
        for i, item in enumerate(_label_file(path, args)):
            if args.format == "jsonl":
                out.write(json.dumps({"file": path, "line": i, "label": item.label,
                                      "score": round(item.score, 4), "text": item.text},
                                     ensure_ascii=False) + "\n")
            else:
                out.write(f"{item.label or '-'}\t{item.score:.3f}\t{item.text}\n")


def _cmd_train(args: argparse.Namespace) -> None:
    from .dataset import DatasetError, read_jsonl
    from .learned import LearnedDetector

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

    p = sub.add_parser("clean", help="print the kept lines of each input, unchanged, in order")
    common(p)
    p.add_argument("--keep", default="body",
                   help=f"comma-separated labels to keep (default: body); of {', '.join(LABELS)}")
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


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.detector is not None and args.detector not in detectors.available():
            raise UsageError(f"unknown detector {args.detector!r}; available: "
                             f"{', '.join(detectors.available())}")
        args.func(args)
    except UsageError as exc:
        print(f"boilerplate: error: {exc}", file=sys.stderr)
        return 2
    except (ValueError, OSError) as exc:  # bad input found while processing (too large, ...)
        print(f"boilerplate: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `boilerplate clean big.txt | head` is not an error
        sys.stderr.close()
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
