"""Tables, figures and the paper text, generated from ``results/*.json`` only.

    python -m benchmarks.report --results results/ --data data/ --paper paper/

Writes ``paper/tables/*.md``, ``paper/figures/*.{png,pdf}`` and ``paper/paper.md`` from
``paper/paper.template.md``: every ``{{path.to.number:fmt}}`` in the template is looked up in the
results (``cv.html.scrapinghub.all.f1`` reads ``results/cv.json``), ``{{table:NAME}}`` inserts a
table. A placeholder that cannot be filled is an error, so prose and results cannot drift apart.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np

from boilerplate.eval.dataset import read_jsonl
from boilerplate.labels import BODY, LABELS

from .peers import PEERS, PUBLISHED

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "paper" / "paper.template.md"
OURS = (("learned-html", "cv", "html", "HTML"), ("learned-text", "cv", "text", "text"))
HEURISTICS = ("rules", "c4", "gopher", "justext")
LABEL_COLOURS = {"body": "#2b8a3e", "headline": "#1864ab", "metadata": "#868e96", "appeal": "#e8590c",
                 "ad": "#c92a2a", "teaser": "#9c36b5", "chrome": "#495057", "other": "#ced4da", None: "#ffffff"}


def load_results(results: Path) -> dict:
    return {p.stem: json.loads(p.read_text()) for p in sorted(results.glob("*.json"))}


def _ci(entry: dict, key: str = "f1") -> str:
    lo, hi = entry.get(f"{key}_ci") or (None, None)
    value = entry.get(key)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "–"
    if lo is None or (isinstance(lo, float) and np.isnan(lo)):
        return f"{value:.3f}"
    return f"{value:.3f} [{lo:.3f}, {hi:.3f}]"


def _rows(res: dict, source: str) -> list[tuple[str, str, dict, str]]:
    """(system, input, scores, speed) for every system that has scores on ``source``."""
    rows = []
    for name, step, variant, inp in OURS:
        entry = res.get(step, {}).get(variant, {}).get(source)
        if entry:
            speed = res.get("speed", {})
            sp = speed.get("html_pages_per_s") if variant == "html" else speed.get("text_lines_per_s")
            unit = "pages/s" if variant == "html" else "lines/s"
            rows.append((f"**{name}** (ours, 5-fold CV by site)", inp, entry, f"{sp:,.0f} {unit}" if sp else "–"))
    for name in HEURISTICS:
        entry = res.get("heuristics", {}).get(name, {}).get(source)
        if entry:
            lps = res["heuristics"][name].get("lines_per_s")
            label = f"**{name}** (ours)" if name == "rules" else f"{name} (line filter)" if name != "justext" else \
                "jusText on lines"
            rows.append((label, "text", entry, f"{lps:,.0f} lines/s" if lps else "–"))
    for name in PEERS:
        entry = res.get("peers", {}).get(name, {}).get(source)
        if entry:
            rows.append((name, "HTML", entry, f"{entry.get('pages_per_s', float('nan')):.1f} pages/s"))
    for name in PUBLISHED:
        entry = res.get("peers", {}).get(name, {}).get(source)
        if entry:
            rows.append((f"{name} †", "HTML", entry, "(published output)"))
    return rows


def table_main(res: dict, source: str) -> str:
    rows = _rows(res, source)
    if source == "scrapinghub":
        head = "| system | input | precision | recall | F1 [95% CI] | speed |\n|---|---|---|---|---|---|\n"
        body = "".join(f"| {n} | {i} | {e['all']['precision']:.3f} | {e['all']['recall']:.3f} | {_ci(e['all'])} | {s} |\n"
                       for n, i, e, s in rows)
        return head + body + "\n† published output of the benchmark, scored here for quality only (not run, not timed).\n"
    types = sorted({t for _, _, e, _ in rows for t in e if t not in ("all", "line_binary", "pages_per_s", "errors")})
    head = ("| system | input | P | R | F1 [95% CI] | with-snippets found | without-snippets found | "
            + " | ".join(f"F1 {t}" for t in types) + " | speed |\n|" + "---|" * (7 + len(types) + 1) + "\n")
    body = ""
    for n, i, e, s in rows:
        a = e["all"]
        body += (f"| {n} | {i} | {a['precision']:.3f} | {a['recall']:.3f} | {_ci(a)} | {_rate(a, 'with_rate')} | "
                 f"{_rate(a, 'without_rate')} | " + " | ".join(f"{e[t]['f1']:.3f}" if t in e else "–" for t in types)
                 + f" | {s} |\n")
    return head + body


def _rate(entry: dict, key: str) -> str:
    return f"{entry[key]:.3f}" if entry.get(key) is not None else "–"


def table_fine(res: dict) -> str:
    systems = [("learned-html (CV)", res.get("cv", {}).get("html", {}).get("fine")),
               ("learned-text (CV)", res.get("cv", {}).get("text", {}).get("fine")),
               ("rules", res.get("heuristics", {}).get("rules", {}).get("fine"))]
    systems = [(n, f) for n, f in systems if f]
    head = "| label | support | " + " | ".join(f"{n} P / R / F1" for n, _ in systems) + " |\n|" + "---|" * (2 + len(systems)) + "\n"
    body = ""
    for lab in LABELS:
        sup = systems[0][1]["per_label"][lab]["support"] if systems else 0
        cells = [f"{f['per_label'][lab]['precision']:.2f} / {f['per_label'][lab]['recall']:.2f} / "
                 f"**{f['per_label'][lab]['f1']:.2f}**" for _, f in systems]
        body += f"| {lab} | {sup} | " + " | ".join(cells) + " |\n"
    body += "| macro-F1 (6 non-body labels) | | " + " | ".join(f"**{f['macro_f1']:.3f}**" for _, f in systems) + " |\n"
    return head + body


def table_experiments(res: dict) -> tuple[str, str]:
    exp = res.get("experiments", {})
    curve = "| training sites | training pages | Scrapinghub F1 | WCXB F1 |\n|---|---|---|---|\n" + "".join(
        f"| {p['sites']} | {p['pages']} | {p.get('scrapinghub', float('nan')):.3f} | {p.get('wcxb', float('nan')):.3f} |\n"
        for p in exp.get("learning_curve", []))
    abl = "| without | Scrapinghub F1 | WCXB F1 |\n|---|---|---|\n" + "".join(
        f"| {r['without']} | {r.get('scrapinghub', float('nan')):.3f} | {r.get('wcxb', float('nan')):.3f} |\n"
        for r in exp.get("ablation", []))
    return curve, abl


def table_streams(res: dict) -> str:
    """Stream cleaning: records/s at 1 and 2 workers, scaling, peak RSS at 1x and the large input."""
    st = res.get("streams", {})
    head = ("| path | input | 1 worker rec/s | 2 workers rec/s | lines/s (2 w.) | scaling 2/1 | "
            f"peak RSS 1x (MB) | peak RSS x{st.get('times', '?')} (MB) | ratio |\n|" + "---|" * 9 + "\n")
    names = {"cli_warc": ("CLI worker pool", "WARC (HTML)"), "cli_jsonl": ("CLI worker pool", "JSONL text"),
             "engine_warc": ("datatrove local", "WARC (HTML)"), "engine_jsonl": ("datatrove local", "JSONL text"),
             "engine_fork_warc": ("datatrove local, fork", "WARC (HTML)"),
             "engine_fork_jsonl": ("datatrove local, fork", "JSONL text")}
    body = ""
    for key, (path, kind) in names.items():
        if key not in st:
            continue
        r = st[key]
        one, two, big = r["runs"]["1"], r["runs"]["2"], r["runs"].get("2_big")
        memory = (f"{two['peak_rss_mb']:.0f} | {big['peak_rss_mb']:.0f} | {r['rss_ratio_big_over_1x']:.2f}"
                  if big else "– | – | –")
        body += (f"| {path} | {kind} | {one['records_per_s']:.1f} | {two['records_per_s']:.1f} | "
                 f"{two['lines_per_s']:,} | {r['scaling_efficiency']:.2f} | {memory} |\n")
    return head + (body or "| (not run: `python -m benchmarks.stream_bench`) |" + " |" * 8 + "\n")


def streams_notes(res: dict) -> str:
    """The paragraph under the streams table, from whichever stream runs exist."""
    st = res.get("streams", {})
    parts = []
    if "cli_warc" in st and "cli_jsonl" in st:
        parts.append(f"Doubling the workers gives {st['cli_warc']['scaling_efficiency']:.2f}x (HTML) and "
                     f"{st['cli_jsonl']['scaling_efficiency']:.2f}x (text) on the CLI's pool, and peak memory "
                     "is flat in input size.")
    if "engine_warc" in st and "engine_jsonl" in st:
        parts.append(
            f"The datatrove step scales {st['engine_warc']['scaling_efficiency']:.2f}x on WARC and "
            f"{st['engine_jsonl']['scaling_efficiency']:.2f}x on JSONL. With more than one worker datatrove "
            "starts every task in a fresh process (forkserver), which re-imports the package and reloads the model"
            + (f" ({st['task_startup_s']:.1f} s per start, fastest of 3)" if "task_startup_s" in st else "")
            + "; with one worker it runs the tasks in process.")
        if "engine_fork_warc" in st and "engine_fork_jsonl" in st:
            fw, fj = st["engine_fork_warc"]["runs"], st["engine_fork_jsonl"]["runs"]
            ew, ej = st["engine_warc"]["runs"], st["engine_jsonl"]["runs"]
            parts.append(
                "Start-up is not what limits it: with `start_method=\"fork\"` and the model loaded before forking, "
                f"2-worker throughput is unchanged ({fw['2']['records_per_s']:.1f} against "
                f"{ew['2']['records_per_s']:.1f} records/s on WARC, {fj['2']['records_per_s']:.1f} against "
                f"{ej['2']['records_per_s']:.1f} on JSONL). The 1-worker runs, the same in-process code both "
                f"times, differ between runs ({ew['1']['records_per_s']:.1f} and {fw['1']['records_per_s']:.1f} "
                f"records/s on WARC, {ej['1']['records_per_s']:.1f} and {fj['1']['records_per_s']:.1f} on JSONL), "
                "so on this shared 2-core machine a scaling figure from one pair of runs is uncertain by about "
                "as much; the engine's ratios span "
                f"{min(r['scaling_efficiency'] for k, r in st.items() if k.startswith('engine_')):.2f}–"
                f"{max(r['scaling_efficiency'] for k, r in st.items() if k.startswith('engine_')):.2f}.")
        parts.append(f"datatrove's JSONL reader passes over pages whose rendered text is empty, hence "
                     f"{st['engine_jsonl']['runs']['1']['records']:,} records there, not {st['pages']:,}.")
    return "\n".join(parts) + "\n" if parts else ""


def cv_predictions(results: Path, variant: str = "html") -> dict[str, list]:
    """Out-of-fold labels per page id, as saved by benchmarks.cross_validate ({} if absent)."""
    path = results / f"cv_predictions_{variant}.jsonl"
    if not path.exists():
        return {}
    return {rec["id"]: rec["pred"] for rec in map(json.loads, path.read_text().splitlines())}


def table_errors(data: Path, results: Path, k: int = 8) -> str:
    """The longest lines the HTML model got wrong out of fold (Scrapinghub), with gold and prediction."""
    preds = cv_predictions(results)
    if not preds or not (data / "scrapinghub.jsonl").exists():
        return "(no predictions)\n"
    wrong = []
    for d in read_jsonl(data / "scrapinghub.jsonl"):
        for t, g, q in zip(d.lines, d.labels, preds.get(d.id, [])):
            if g is not None and (g == BODY) != (q == BODY):
                wrong.append((len(t.split()), "kept" if q == BODY else "dropped", g, q, t, d.meta.get("site", "")))
    wrong.sort(key=lambda w: (-w[0], w[4]))
    rows = [w for w in wrong if w[1] == "kept"][:k] + [w for w in wrong if w[1] == "dropped"][:k]
    clip = lambda t: t[:110].replace("|", "\\|") + ("…" if len(t) > 110 else "")  # noqa: E731
    return "| error | gold | predicted | site | line (first 110 characters) |\n|---|---|---|---|---|\n" + "".join(
        f"| {e} | {g} | {q} | {site} | {clip(t)} |\n" for _, e, g, q, t, site in rows)


# --- figures ----------------------------------------------------------------------------------

def _save(fig, figures: Path, name: str) -> None:
    for ext in ("png", "pdf"):
        # fixed metadata: the same results give the same files
        fig.savefig(figures / f"{name}.{ext}", dpi=150, bbox_inches="tight",
                    metadata={"CreationDate": None} if ext == "pdf" else {"Software": None})


def figure_confusion(res: dict, data: Path, results: Path, figures: Path, plt) -> None:
    from boilerplate.eval.metrics import confusion_matrix

    preds = cv_predictions(results)
    gold, pred = [], []
    for source in ("scrapinghub", "wcxb"):
        f = data / f"{source}.jsonl"
        if f.exists():
            for d in read_jsonl(f):
                if d.meta.get("annotator") and d.id in preds:
                    gold += d.labels
                    pred += preds[d.id]
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    if gold:
        cm = np.asarray(confusion_matrix(gold, pred, LABELS), dtype=float)
        norm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
        ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
        for i in range(len(LABELS)):
            for j in range(len(LABELS)):
                ax.text(j, i, f"{int(cm[i, j])}", ha="center", va="center", fontsize=7,
                        color="white" if norm[i, j] > 0.5 else "black")
    ax.set_xticks(range(len(LABELS)), LABELS, rotation=45, ha="right")
    ax.set_yticks(range(len(LABELS)), LABELS)
    ax.set_xlabel("predicted (learned-html, out of fold)")
    ax.set_ylabel("hand label")
    ax.set_title("Fine-grained confusion, hand-annotated pages")
    _save(fig, figures, "confusion")
    plt.close(fig)


def figure_seeds(res: dict, figures: Path, plt) -> None:
    seeds = list(read_jsonl(ROOT / "fixtures" / "seeds.jsonl"))
    pred = res.get("cv", {}).get("text", {}).get("seeds", {}).get("pred") or [[None] * len(d.lines) for d in seeds]
    fig, axes = plt.subplots(1, len(seeds), figsize=(4.5 * len(seeds), 7))
    for ax, d, p in zip(np.atleast_1d(axes), seeds, pred):
        rows = [(g, q, t) for g, q, t in zip(d.labels, p, d.lines) if g is not None]
        for y, (g, q, t) in enumerate(rows):
            ax.add_patch(plt.Rectangle((0, -y - 1), 1, 1, color=LABEL_COLOURS.get(g, "#000")))
            ax.add_patch(plt.Rectangle((1.1, -y - 1), 1, 1, color=LABEL_COLOURS.get(q, "#000")))
            ax.text(2.3, -y - 0.5, t[:60], fontsize=5, va="center")
        ax.set_xlim(0, 9)
        ax.set_ylim(-len(rows) - 0.5, 1.5)
        ax.text(0.5, 0.3, "gold", ha="center", fontsize=7)
        ax.text(1.6, 0.3, "pred", ha="center", fontsize=7)
        ax.set_title(d.id[:40], fontsize=8)
        ax.axis("off")
    handles = [plt.Rectangle((0, 0), 1, 1, color=LABEL_COLOURS[lab]) for lab in LABELS]
    fig.legend(handles, LABELS, loc="lower center", ncol=len(LABELS), fontsize=7)
    _save(fig, figures, "seeds")
    plt.close(fig)


def figure_curves(res: dict, figures: Path, plt) -> None:
    exp = res.get("experiments", {})
    fig, ax = plt.subplots(figsize=(4.5, 3.2))
    curve = exp.get("learning_curve", [])
    for source in ("scrapinghub", "wcxb"):
        pts = [(p["pages"], p[source]) for p in curve if source in p]
        if pts:
            ax.plot(*zip(*pts), marker="o", label=source)
    ax.set_xscale("log")
    ax.set_xlabel("training pages (held-out fold 0)")
    ax.set_ylabel("F1")
    ax.legend()
    ax.set_title(f"Learning curve ({exp.get('variant', '?')} variant)")
    _save(fig, figures, "learning_curve")
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(4.5, 3.2))
    abl = exp.get("ablation", [])
    names = [r["without"] for r in abl]
    for k, source in enumerate(("scrapinghub", "wcxb")):
        ax.barh(np.arange(len(abl)) + 0.4 * k, [r.get(source, 0) for r in abl], height=0.4, label=source)
    ax.set_yticks(np.arange(len(abl)) + 0.2, names)
    lo = min([r.get(s, 1) for r in abl for s in ("scrapinghub", "wcxb")] or [0.5])
    ax.set_xlim(max(0, lo - 0.05), 1)
    ax.set_xlabel("F1 without the feature group")
    ax.legend(fontsize=7)
    _save(fig, figures, "ablation")
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(4.5, 3.5))
    for variant in ("html", "text"):
        sweep = res.get("cv", {}).get(variant, {}).get("threshold_sweep", [])
        for source, style in (("scrapinghub", "-"), ("wcxb", "--")):
            pts = [(s[source]["recall"], s[source]["precision"]) for s in sweep if source in s]
            if pts:
                ax.plot(*zip(*pts), style, marker=".", label=f"{variant}, {source}")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_title("Binary threshold on P(body), 0.10 to 0.90")
    ax.legend(fontsize=7)
    _save(fig, figures, "threshold")
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(4.5, 3.2))
    by_size = res.get("speed", {}).get("by_size", [])
    if by_size:
        ax.plot([b["mean_lines"] for b in by_size], [b["lines_per_s"] for b in by_size], marker="o")
    ax.set_xscale("log")
    ax.set_xlabel("document size (lines)")
    ax.set_ylabel("lines/s, one document at a time")
    ax.set_title("learned-text throughput, one core")
    _save(fig, figures, "throughput")
    plt.close(fig)


# --- the paper ----------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{\{([^{}]+)\}\}")


def fill(template: str, res: dict, tables: dict[str, str]) -> str:
    """Replace every ``{{path:fmt}}`` / ``{{table:name}}``; KeyError names the first unknown one."""
    def one(match: re.Match) -> str:
        key = match.group(1).strip()
        if key.startswith("table:"):
            return tables[key[6:]].rstrip("\n")
        path, _, fmt = key.partition(":")
        value = res
        for part in path.split("."):
            value = value[int(part)] if isinstance(value, list) else value[part]
        return format(value, fmt or "")
    try:
        return _PLACEHOLDER.sub(one, template)
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise SystemExit(f"paper template: cannot fill a placeholder ({exc!r})") from None


def run(*, results: Path = ROOT / "results", data: Path = ROOT / "data", paper: Path = ROOT / "paper",
        template: Path = TEMPLATE) -> int:
    """The step itself, with the command line's options as keyword arguments."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "boilerplate"
    res = load_results(results)
    tables_dir, figures = paper / "tables", paper / "figures"
    tables_dir.mkdir(parents=True, exist_ok=True)
    figures.mkdir(parents=True, exist_ok=True)
    curve, abl = table_experiments(res)
    tables = {"main_scrapinghub": table_main(res, "scrapinghub"), "main_wcxb": table_main(res, "wcxb"),
              "fine_grained": table_fine(res), "learning_curve": curve, "ablation": abl,
              "errors": table_errors(data, results), "streams": table_streams(res),
              "streams_notes": streams_notes(res)}
    for name, text in tables.items():
        (tables_dir / f"{name}.md").write_text(text)
    figure_confusion(res, data, results, figures, plt)
    figure_seeds(res, figures, plt)
    figure_curves(res, figures, plt)
    if template.is_file():
        (paper / "paper.md").write_text(fill(template.read_text(), res, tables))
    print(f"report: {len(tables)} tables, 6 figures, paper.md in {paper}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", type=Path, default=ROOT / "results")
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--paper", type=Path, default=ROOT / "paper")
    parser.add_argument("--template", type=Path, default=TEMPLATE)
    args = parser.parse_args(argv)
    return run(**vars(args))


if __name__ == "__main__":
    sys.exit(main())
