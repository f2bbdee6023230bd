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

from boilerplate.detectors.learned import LearnedDetector
from boilerplate.eval.dataset import read_jsonl
from boilerplate.labels import BODY, KINDS, LABELS

from .common import fine_scores, load_corpus, site_folds
from .cross_validate import ROUND_SPANS, cv_predictions, round_span
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


def _mci(entry: dict | None, signed: bool = False) -> str:
    """``mean [lo, hi]`` of a fold summary (``benchmarks.experiments.interval``), or a dash."""
    if not entry:
        return "–"
    f = "+.3f" if signed else ".3f"
    return f"{entry['mean']:{f}} [{entry['ci'][0]:{f}}, {entry['ci'][1]:{f}}]"


def table_experiments(res: dict) -> tuple[str, str]:
    """Learning curve and ablation: mean over folds with 95% intervals (ablation: paired change)."""
    exp = res["experiments"]
    k = exp["folds"]
    curve = (f"| share of training sites | training pages (mean of {k} folds) | Scrapinghub F1 | WCXB F1 |\n"
             "|---|---|---|---|\n" + "".join(
                 f"| {p['fraction']:.0%} | {p['pages']:.0f} | {_mci(p.get('scrapinghub'))} | {_mci(p.get('wcxb'))} |\n"
                 for p in exp["learning_curve"]))
    abl = ("| without | Scrapinghub F1 | change | WCXB F1 | change |\n|---|---|---|---|---|\n" + "".join(
        f"| {r['without']} | {_mci(r.get('scrapinghub'))} | {_mci(r.get('scrapinghub', {}).get('change'), True)} | "
        f"{_mci(r.get('wcxb'))} | {_mci(r.get('wcxb', {}).get('change'), True)} |\n" for r in exp["ablation"]))
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


def table_errors(docs: list, preds: dict[str, list], k: int = 8) -> str:
    """The longest Scrapinghub lines the HTML model got wrong out of fold (``preds``: its
    out-of-fold labels per page id), with gold and prediction."""
    wrong = []
    for d in docs:
        if d.meta["source"] != "scrapinghub":
            continue
        for t, g, q in zip(d.lines, d.labels, preds.get(d.id, [])):
            if g is not None and (g == BODY) != (q == BODY):
                wrong.append((len(t.split()), "kept" if q == BODY else "dropped", g, q, t, d.meta.get("site", "")))
    wrong.sort(key=lambda w: (-w[0], w[4]))
    rows = [w for w in wrong if w[1] == "kept"][:k] + [w for w in wrong if w[1] == "dropped"][:k]
    return "| error | gold | predicted | site | line (first 110 characters) |\n|---|---|---|---|---|\n" + "".join(
        f"| {e} | {g} | {q} | {site} | {_clip(t)} |\n" for _, e, g, q, t, site in rows)


def _clip(text: str, n: int = 110) -> str:
    return text[:n].replace("|", "\\|") + ("…" if len(text) > n else "")


def table_fine_errors(docs: list, preds: dict[str, list], k: int = 3) -> str:
    """For each non-body kind, the longest hand-labeled lines of that kind the HTML model got wrong
    out of fold, and the longest lines it wrongly gave that kind: real lines behind the per-label F1."""
    pairs = [(t, g, q, d.meta.get("site", "")) for d in docs if d.meta.get("annotator") and d.id in preds
             for t, g, q in zip(d.lines, d.labels, preds[d.id]) if g is not None and g != q]
    rows = []
    for kind in KINDS:
        missed = sorted((w for w in pairs if w[1] == kind), key=lambda w: (-len(w[0]), w[0]))[:k]
        false = sorted((w for w in pairs if w[2] == kind), key=lambda w: (-len(w[0]), w[0]))[:k]
        rows += [(kind, "missed", *w) for w in missed] + [(kind, "wrongly given", *w) for w in false]
    return "| kind | error | gold | predicted | site | line (first 110 characters) |\n|---|---|---|---|---|---|\n" + "".join(
        f"| {kind} | {e} | {g} | {q} | {site} | {_clip(t)} |\n" for kind, e, t, g, q, site in rows)


def table_breakdown(res: dict, key: str, name: str) -> str:
    """Binary and fine F1 of both models per value of one breakdown of the hand pages (out of
    fold): ``key`` is ``fine_by_language`` or ``fine_by_page_type`` of ``cv.json``, ``name`` the
    first column's heading. A one-line note when the run has no such breakdown (a run before it existed)."""
    if key not in res["cv"]["html"] or key not in res["cv"]["text"]:
        return f"(no `{key}` in this run's cv.json)\n"
    text, html = res["cv"]["text"][key], res["cv"]["html"][key]
    head = f"| {name} | pages | lines | binary F1 text | binary F1 HTML | fine macro-F1 text | fine macro-F1 HTML |\n" \
           "|---|---|---|---|---|---|---|\n"
    order = sorted(html, key=lambda value: (-html[value]["pages"], value))
    return head + "".join(
        f"| {value} | {html[value]['pages']} | {html[value]['lines']:,} | {text[value]['binary_f1']:.3f} | "
        f"{html[value]['binary_f1']:.3f} | {text[value]['macro_f1']:.3f} | {html[value]['macro_f1']:.3f} |\n"
        for value in order if value in text)


def table_languages(res: dict) -> str:
    """Binary and fine F1 of both models per declared page language (hand pages, out of fold)."""
    return table_breakdown(res, "fine_by_language", "language")


def table_page_types(res: dict) -> str:
    """Binary and fine F1 of both models per page type (hand pages, out of fold)."""
    return table_breakdown(res, "fine_by_page_type", "page type")


def speed_rows(res: dict) -> list[dict]:
    """Every system timed by benchmarks.speed on the Scrapinghub pages, with its F1 on them.

    HTML systems in pages/s from HTML; text detectors in documents/s on the rendered text
    (rendering not included). Quality: ours out of fold (cv), peers and line filters as run."""
    sp, rows = res["speed"], []
    quality = {"boilerplate": res["cv"]["html"]["scrapinghub"]["all"]["f1"],
               "learned-text": res["cv"]["text"]["scrapinghub"]["all"]["f1"]}
    for name in ("rules", "c4", "gopher"):
        quality[name] = res["heuristics"][name]["scrapinghub"]["all"]["f1"]
    for name in PEERS:
        if "scrapinghub" in res["peers"].get(name, {}):
            quality[name] = res["peers"][name]["scrapinghub"]["all"]["f1"]
    html = sp["html"]["scrapinghub"]
    for name, entry in html.items():
        if isinstance(entry, dict) and "pages_per_s" in entry and name in quality:
            rows.append({"system": "boilerplate (learned-html)" if name == "boilerplate" else name, "input": "HTML",
                         "per_s": entry["pages_per_s"], "median_per_s": html["pages"] / entry["median_s"],
                         "vs_trafilatura": entry["pages_per_s"] / html["trafilatura"]["pages_per_s"],
                         "f1": quality[name], "ours": name == "boilerplate"})
    text = sp["text"]
    for name, entry in text.items():
        if isinstance(entry, dict) and "docs_per_s" in entry and name in quality:
            rows.append({"system": name, "input": "text", "per_s": entry["docs_per_s"],
                         "median_per_s": text["documents"] / entry["median_s"],
                         "vs_trafilatura": entry["docs_per_s"] / html["trafilatura"]["pages_per_s"],
                         "lines_per_s": entry["lines_per_s"], "f1": quality[name],
                         "ours": name in ("learned-text", "rules")})
    return rows


def table_speed(res: dict) -> str:
    rows = speed_rows(res)
    return ("| system | input | pages/s (min of runs) | pages/s (median) | × trafilatura | Scrapinghub F1 |\n"
            "|---|---|---|---|---|---|\n" + "".join(
                f"| {'**' + r['system'] + '**' if r['ours'] else r['system']} | {r['input']} | {r['per_s']:,.1f} | "
                f"{r['median_per_s']:,.1f} | {r['vs_trafilatura']:.2f} | {r['f1']:.3f} |\n"
                for r in sorted(rows, key=lambda r: -r["per_s"])))


def table_stages(res: dict) -> str:
    """Where ``clean_html`` and ``clean`` spend their time (speed.json's profiled stage table)."""
    stages = res["speed"].get("stages")
    if not stages:
        return "(no stage table in speed.json)\n"
    per_page = {path: t["profiled_s"] / max(t["inputs"], 1) * 1000 for path, t in stages.items()}
    names = sorted(stages["html"]["share"], key=lambda n: -stages["html"]["share"][n] - stages["text"]["share"][n])
    out = ("| stage | `clean_html` share | ms per page | `clean` (text) share | ms per page |\n"
           "|---|---|---|---|---|\n")
    for name in names:
        if stages["html"]["share"][name] or stages["text"]["share"][name]:
            h, t = stages["html"]["share"][name], stages["text"]["share"][name]
            out += f"| {name} | {h:.1%} | {h * per_page['html']:.2f} | {t:.1%} | {t * per_page['text']:.2f} |\n"
    return out + (f"| **all (profiled)** | 100% | {per_page['html']:.1f} | 100% | {per_page['text']:.1f} |\n")


def table_fast_paths(res: dict) -> str:
    """The checks of the fast paths (``benchmarks.fast_paths``: same output as the plain path on
    every corpus document, and the speed-up) and the before/after of the package's own speed
    (``benchmarks.ab``); neither is a step of ``benchmarks.run``, so each row says when its file
    is missing."""
    fp, ab = res.get("fast_paths", {}), res.get("ab", {})
    out = "| check | inputs | differ | speed-up (min / median) |\n|---|---|---|---|\n"
    lex, tok, cap = fp.get("lexicon_prefilter"), fp.get("tokenizer"), fp.get("attribute_cap")
    if lex:
        s = lex["seconds"]
        out += (f"| lexicon prefilter against `re` (`fast_paths`) | {lex['documents']:,} documents, "
                f"{lex['lines']:,} lines | {lex['disagreements']} (lexicon, line) hits | "
                f"{lex['speedup_min']:.2f}× / {s['re']['median'] / s['prefilter']['median']:.2f}× |\n")
    if tok:
        s = tok["seconds"]
        out += (f"| compiled tokenizer against the regex path (`fast_paths`) | {tok['documents']:,} documents, "
                f"{tok['tokens']:,} tokens | {tok['differing_documents']} documents | "
                f"{tok['speedup_min']:.2f}× / {s['regex']['median'] / s['compiled']['median']:.2f}× |\n")
    if cap:
        out += (f"| attribute cap (`fast_paths`) | {cap['pages']:,} pages | {cap['changed']} pages changed | "
                f"{cap['bytes'] / 1e6 / max(cap['seconds'], 1e-9):.0f} MB/s |\n")
    if not fp:
        out += "| `fast_paths` | not run (`python -m benchmarks.fast_paths`) | | |\n"
    if ab:
        trees = ab.get("trees", {})
        names = " against ".join(str(trees.get(k, {}).get("commit")) for k in ("after", "before"))
        for kind, call in (("html", "clean_html"), ("text", "clean")):
            r = ab[kind]
            out += (f"| `{call}`, {names} (`ab`, {ab['rounds']} rounds, first repetition "
                    f"{r['speedup_first']:.2f}×) | {ab['pages']} Scrapinghub pages | – | "
                    f"{r['speedup_min']:.2f}× / {r['speedup_median']:.2f}× |\n")
        st = ab.get("startup")  # runs of ab from before it timed the start have none
        if st:
            out += (f"| process start: import and first calls, {names} (`ab`) | "
                    f"{st['before']['min_s']:.2f} s → {st['after']['min_s']:.2f} s | – | "
                    f"{st['speedup_min']:.2f}× / {st['speedup_median']:.2f}× |\n")
    else:
        out += "| before/after | not run (`python -m benchmarks.ab --before OLD_TREE`) | | |\n"
    return out


def table_trees(res: dict) -> str:
    """The trees' quality/speed curve: grouped-CV binary F1 with each fold's booster cut to n trees
    (cv.json ``trees``; the whole booster is the main result) beside the throughput of the shipped
    models cut the same way (speed.json ``trees``)."""
    speed = res["speed"].get("trees", {})
    params = res["cv"]["params"]  # one setting per variant, or (runs before per-model settings) one for all
    out = ("| path | trees | Scrapinghub F1 | WCXB F1 | WCXB article F1 | fine macro-F1 | speed | "
           "× the whole booster's speed |\n|---|---|---|---|---|---|---|---|\n")
    for variant in ("html", "text"):
        own = params.get(variant) if isinstance(params.get(variant), dict) else params
        whole_trees = str(own.get("max_iter", LearnedDetector().max_iter))  # each variant's own booster
        cv = res["cv"].get(variant, {})
        whole = {"scrapinghub": cv.get("scrapinghub", {}).get("all", {}), "wcxb": cv.get("wcxb", {}).get("all", {}),
                 "wcxb_article": cv.get("wcxb", {}).get("article", {})}
        if "fine" in cv:
            whole["fine_macro_f1"] = cv["fine"]["macro_f1"]
        curve = {**cv.get("trees", {}), whole_trees: whole}
        timed = speed.get(variant, {})
        unit = "pages/s" if variant == "html" else "lines/s"
        base = max(timed.items(), key=lambda kv: int(kv[0]))[1] if timed else None
        for n in sorted(curve, key=int):
            q = curve[n]
            t = timed.get(n)
            rate = f"{t[unit.replace('/', '_per_')]:,.0f} {unit}" if t else "–"
            fine = f"{q['fine_macro_f1']:.3f}" if "fine_macro_f1" in q else "–"  # cut runs before it was scored
            ratio = f"{base['min_s'] / t['min_s']:.2f}" if t and base else "–"
            out += (f"| {variant} | {n} | {q.get('scrapinghub', {}).get('f1', float('nan')):.3f} | "
                    f"{q.get('wcxb', {}).get('f1', float('nan')):.3f} | {q.get('wcxb_article', {}).get('f1', float('nan')):.3f} | "
                    f"{fine} | {rate} | {ratio} |\n")
    return out


def table_readme(res: dict) -> str:
    """README's "current numbers": one table from the same results as the paper."""
    cv, heur, peers = res["cv"], res["heuristics"], res["peers"]
    sp = {r["system"]: r for r in speed_rows(res)}

    def row(name, entry, fine, speed):
        wc = entry.get("wcxb", {})
        return (f"| {name} | {_ci(entry['scrapinghub']['all'])} | {wc.get('all', {}).get('f1', float('nan')):.3f} | "
                f"{wc.get('article', {}).get('f1', float('nan')):.3f} | {fine} | {speed} |\n")

    out = ("| detector | Scrapinghub F1 [95% CI] | WCXB F1 | WCXB article F1 | fine macro-F1 | speed (pages/s, × trafilatura) |\n"
           "|---|---|---|---|---|---|\n")
    for variant, name, key in (("html", "learned-html (CV)", "boilerplate (learned-html)"), ("text", "learned-text (CV)", "learned-text")):
        s = sp.get(key)
        out += row(name, cv[variant], f"{cv[variant]['fine']['macro_f1']:.3f}",
                   f"{s['per_s']:,.0f} ({s['vs_trafilatura']:.2f}×){' on text' if variant == 'text' else ''}" if s else "–")
    for name in ("rules", "c4", "gopher"):
        s = sp.get(name)
        fine = f"{heur[name]['fine']['macro_f1']:.3f}" if "fine" in heur[name] else "–"
        out += row(name, heur[name], fine, f"{s['per_s']:,.0f} ({s['vs_trafilatura']:.2f}×) on text" if s else "–")
    for name in PEERS:
        if "scrapinghub" in peers.get(name, {}):
            s = sp.get(name)
            out += row(f"{name} (HTML)", peers[name], "–", f"{s['per_s']:,.1f} ({s['vs_trafilatura']:.2f}×)" if s else "–")
    return out


# --- figures ----------------------------------------------------------------------------------

def _save(fig, figures: Path, name: str) -> None:
    for ext in ("png", "pdf"):
        # fixed metadata: the same results give the same files
        fig.savefig(figures / f"{name}.{ext}", dpi=150, bbox_inches="tight",
                    metadata={"CreationDate": None} if ext == "pdf" else {"Software": None})


def figure_confusion(docs: list, preds: dict[str, dict[str, list]], figures: Path, plt) -> None:
    """Seven-way confusion of both models on the hand pages, each row normalised to its true class,
    with the line counts in the cells (``preds``: out-of-fold labels per variant and page id)."""
    from boilerplate.eval.metrics import confusion_matrix

    hand = [d for d in docs if d.meta.get("annotator")]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.8))
    for ax, variant, title in zip(axes, ("text", "html"), ("text only", "with HTML")):
        gold = [g for d in hand if d.id in preds[variant] for g in d.labels]
        pred = [q for d in hand if d.id in preds[variant] for q in preds[variant][d.id]]
        cm = np.asarray(confusion_matrix(gold, pred, LABELS), dtype=float)
        norm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
        ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
        for i in range(len(LABELS)):
            for j in range(len(LABELS)):
                if cm[i, j]:
                    ax.text(j, i, f"{norm[i, j]:.2f}\n{int(cm[i, j])}", ha="center", va="center", fontsize=6,
                            color="white" if norm[i, j] > 0.5 else "black")
        ax.set_xticks(range(len(LABELS)), LABELS, rotation=45, ha="right")
        ax.set_yticks(range(len(LABELS)), [f"{lab} ({int(n):,})" for lab, n in zip(LABELS, cm.sum(axis=1))])
        ax.set_xlabel("predicted, out of fold")
        ax.set_ylabel("hand label (lines)")
        ax.set_title(f"learned, {title}: share of each true class", fontsize=9)
    fig.tight_layout()
    _save(fig, figures, "confusion")
    plt.close(fig)


def figure_seeds(res: dict, figures: Path, plt) -> None:
    """Every labeled line of the two seed documents: gold colour, predicted colour (text model that
    never saw the seeds), a cross where body/not-body is wrong, and the line's start."""
    seeds = list(read_jsonl(ROOT / "fixtures" / "seeds.jsonl"))
    pred = res["cv"]["text"].get("seeds", {}).get("pred")
    if not pred or len(pred) != len(seeds):
        raise SystemExit("report: results/cv.json has no seed predictions (run the cv step with the text variant)")
    n_rows = max(sum(g is not None for g in d.labels) for d in seeds)
    fig, axes = plt.subplots(1, len(seeds), figsize=(7 * len(seeds), 0.16 * n_rows + 1.2))
    for ax, d, p in zip(np.atleast_1d(axes), seeds, pred):
        rows = [(g, q, t) for g, q, t in zip(d.labels, p, d.lines) if g is not None]
        for y, (g, q, t) in enumerate(rows):
            ax.add_patch(plt.Rectangle((0, -y - 1), 1, 0.9, color=LABEL_COLOURS.get(g, "#000")))
            ax.add_patch(plt.Rectangle((1.1, -y - 1), 1, 0.9, color=LABEL_COLOURS.get(q, "#000")))
            if (g == BODY) != (q == BODY):
                ax.text(2.25, -y - 0.55, "✗", fontsize=6, va="center", color="#c92a2a")
            ax.text(2.6, -y - 0.55, t[:85], fontsize=5, va="center")
        ax.set_xlim(0, 14)
        ax.set_ylim(-len(rows) - 0.5, 1.2)
        ax.text(0.5, 0.2, "gold", ha="center", fontsize=7)
        ax.text(1.6, 0.2, "pred", ha="center", fontsize=7)
        wrong = sum((g == BODY) != (q == BODY) for g, q, _ in rows)
        ax.set_title(f"{d.id[:50]}: {len(rows)} lines, {wrong} binary errors (✗)", fontsize=8)
        ax.axis("off")
    handles = [plt.Rectangle((0, 0), 1, 1, color=LABEL_COLOURS[lab]) for lab in LABELS]
    fig.legend(handles, LABELS, loc="lower center", ncol=len(LABELS), fontsize=7)
    _save(fig, figures, "seeds")
    plt.close(fig)


def figure_experiments(res: dict, figures: Path, plt) -> None:
    """Learning curve (mean and 95% interval over folds) and ablation (paired change to the full
    model on the same fold, with its 95% interval)."""
    exp = res["experiments"]
    k = exp["folds"]
    fig, ax = plt.subplots(figsize=(4.8, 3.4))
    for source, marker in (("scrapinghub", "o"), ("wcxb", "s")):
        pts = [p for p in exp["learning_curve"] if source in p]
        x = [p["pages"] for p in pts]
        m = np.array([p[source]["mean"] for p in pts])
        lo = np.array([p[source]["ci"][0] for p in pts])
        hi = np.array([p[source]["ci"][1] for p in pts])
        bars = ax.errorbar(x, m, yerr=[m - lo, hi - m], marker=marker, capsize=3, label=source)
        for p in pts:  # each fold's score, faint
            ax.scatter([p["pages"]] * len(p[source]["per_fold"]), p[source]["per_fold"], s=5, alpha=0.4,
                       color=bars[0].get_color())
    ax.set_xscale("log")
    ticks = [p["pages"] for p in exp["learning_curve"]]
    ax.set_xticks(ticks, [f"{t:.0f}" for t in ticks])
    ax.xaxis.set_minor_formatter(plt.matplotlib.ticker.NullFormatter())
    ax.set_ylim(None, min(1.0, ax.get_ylim()[1]))
    ax.set_xlabel(f"training pages (mean over {k} folds)")
    ax.set_ylabel("body F1 on held-out sites")
    ax.legend(fontsize=7)
    ax.set_title(f"Learning curve, {exp['variant']} model: mean and 95% interval over {k} folds", fontsize=8)
    _save(fig, figures, "learning_curve")
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(5.2, 3.4))
    abl = [r for r in exp["ablation"] if r["without"] != "(none)"]
    y = np.arange(len(abl))
    for j, source in enumerate(("scrapinghub", "wcxb")):
        ch = [r[source]["change"] for r in abl]
        m = np.array([c["mean"] for c in ch])
        err = [m - np.array([c["ci"][0] for c in ch]), np.array([c["ci"][1] for c in ch]) - m]
        ax.barh(y + 0.4 * j, m, height=0.38, xerr=err, capsize=3, label=source)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y + 0.2, [f"without {r['without']}" for r in abl])
    ax.set_xlabel("change in body F1 against the full model (same fold)")
    ax.legend(fontsize=7)
    ax.set_title(f"Ablation, {exp['variant']} model: paired change, 95% interval over {k} folds", fontsize=8)
    _save(fig, figures, "ablation")
    plt.close(fig)


def figure_threshold(res: dict, figures: Path, plt) -> None:
    fig, ax = plt.subplots(figsize=(4.5, 3.5))
    for variant in ("html", "text"):
        sweep = res["cv"][variant]["threshold_sweep"]
        for source, style in (("scrapinghub", "-"), ("wcxb", "--")):
            pts = [(s[source]["recall"], s[source]["precision"]) for s in sweep if source in s]
            if pts:
                ax.plot(*zip(*pts), style, marker=".", label=f"{variant}, {source}")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_title("Binary threshold on P(body), 0.10 to 0.90", fontsize=9)
    ax.legend(fontsize=7)
    _save(fig, figures, "threshold")
    plt.close(fig)


def figure_reliability(res: dict, figures: Path, plt) -> None:
    from .reliability import plot_reliability

    fig, ax = plt.subplots(figsize=(4.2, 4.2))
    plot_reliability(res["cv"], ax)
    fig.tight_layout()
    _save(fig, figures, "reliability")
    plt.close(fig)


def fold_fine_f1(docs: list, folds: np.ndarray, preds: dict[str, list]) -> dict[str, list[float]]:
    """Per-label F1 on each CV fold's hand pages (labels with support in that fold)."""
    out: dict[str, list[float]] = {lab: [] for lab in LABELS}
    for f in range(int(folds.max()) + 1):
        sub = [d for d, k in zip(docs, folds) if k == f and d.meta.get("annotator") and d.id in preds]
        if not sub:
            continue
        scores = fine_scores(sub, [preds[d.id] for d in sub])["per_label"]
        for lab in LABELS:
            if scores[lab]["support"]:
                out[lab].append(scores[lab]["f1"])
    return out


def figure_per_label(res: dict, docs: list, preds: dict[str, dict[str, list]], figures: Path, plt) -> None:
    """Per-label F1 of the text and the HTML model (bars: all hand pages pooled; dots: each fold)."""
    folds = site_folds(docs, res["cv"]["folds"])  # the CV's folds: same pages, same order
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    x = np.arange(len(LABELS))
    for j, (variant, colour) in enumerate((("text", "#74c0fc"), ("html", "#1864ab"))):
        pooled = [res["cv"][variant]["fine"]["per_label"][lab]["f1"] for lab in LABELS]
        ax.bar(x + 0.4 * j - 0.2, pooled, width=0.38, color=colour,
               label=f"{variant} (macro-F1 {res['cv'][variant]['fine']['macro_f1']:.3f})")
        per_fold = fold_fine_f1(docs, folds, preds[variant])
        for i, lab in enumerate(LABELS):
            ax.scatter([x[i] + 0.4 * j - 0.2] * len(per_fold[lab]), per_fold[lab], s=6, color="black", zorder=3)
    ax.set_xticks(x, LABELS)
    ax.set_ylim(0, 1)
    ax.set_ylabel("F1, hand pages, out of fold")
    ax.set_title("Per-label F1: bars pooled over folds, dots one fold each", fontsize=9)
    ax.legend(fontsize=7, loc="lower left")
    _save(fig, figures, "per_label")
    plt.close(fig)


def figure_speed_quality(res: dict, figures: Path, plt) -> None:
    """Pages/s (log) against Scrapinghub F1 for every system timed in the same run."""
    rows = speed_rows(res)
    fig, ax = plt.subplots(figsize=(5.6, 4))
    placed: list[tuple[float, float]] = []
    for r in sorted(rows, key=lambda r: r["per_s"]):
        filled = r["input"] == "HTML"
        colour = "#c92a2a" if r["ours"] else "#495057"
        ax.scatter(r["per_s"], r["f1"], s=36, marker="o" if filled else "s",
                   facecolors=colour if filled else "none", edgecolors=colour)
        # a label whose point is close to an already labelled one goes below it
        near = any(abs(np.log10(r["per_s"] / x)) < 0.25 and abs(r["f1"] - y) < 0.012 for x, y in placed)
        ax.annotate(r["system"], (r["per_s"], r["f1"]), fontsize=6, xytext=(4, -9 if near else 2),
                    textcoords="offset points")
        placed.append((r["per_s"], r["f1"]))
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(plt.matplotlib.ticker.ScalarFormatter())
    ax.xaxis.set_minor_formatter(plt.matplotlib.ticker.NullFormatter())
    ax.set_xlabel("pages/s, one core (log; min of repeated interleaved runs)")
    ax.set_ylabel("Scrapinghub F1 (shingle metric)")
    ax.set_title("Speed and quality on the 181 Scrapinghub pages\n"
                 "filled: from HTML; open squares: line filters on the rendered text", fontsize=8)
    _save(fig, figures, "speed_quality")
    plt.close(fig)


def figure_scaling(res: dict, figures: Path, plt) -> None:
    """Seconds per page of clean_html against page bytes and rendered lines (log-log, fitted slope);
    and learned-text lines/s against document size."""
    sc = res["speed"]["scaling"]
    pages = sc["pages"]
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.4))
    t = np.array([p["seconds"] for p in pages]) * 1000
    for ax, key, label in ((axes[0], "bytes", "page size (bytes)"), (axes[1], "lines", "rendered lines")):
        x = np.array([p[key] for p in pages], dtype=float)
        ax.scatter(x, t, s=4, alpha=0.5)
        slope = sc[f"slope_{key}"]  # benchmarks.speed's least-squares fit; its intercept passes the means
        icpt = np.log(t).mean() - slope * np.log(x).mean()
        xs = np.geomspace(x.min(), x.max(), 20)
        ax.plot(xs, np.exp(icpt) * xs ** slope, color="#c92a2a", label=f"fit: time ∝ size^{slope:.2f}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(label)
        ax.set_ylabel("clean_html ms per page (min of runs)")
        ax.legend(fontsize=7)
    by_size = res["speed"]["by_size"]
    axes[2].plot([b["mean_lines"] for b in by_size], [b["lines_per_s"] for b in by_size], marker="o")
    axes[2].set_xscale("log")
    axes[2].xaxis.set_major_formatter(plt.matplotlib.ticker.ScalarFormatter())
    axes[2].xaxis.set_minor_formatter(plt.matplotlib.ticker.NullFormatter())
    axes[2].set_xlabel("document size (lines)")
    axes[2].set_ylabel("learned-text lines/s")
    axes[2].set_ylim(0, None)
    fig.suptitle(f"Cost against input size ({len(pages)} Scrapinghub and WCXB pages, one core)", fontsize=9)
    fig.tight_layout()
    _save(fig, figures, "scaling")
    plt.close(fig)


FIGURES = ("confusion", "seeds", "learning_curve", "ablation", "threshold", "reliability", "per_label",
           "speed_quality", "scaling")


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


#: The result files (``results/<name>.json``) the report is made of; a missing one is an error.
STEP_RESULTS = ("meta", "agreement", "cv", "heuristics", "peers", "speed", "experiments", "streams")
#: Documents with blocks the report regenerates (between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->``):
#: README's current numbers, and the datasheet's gold counts and agreement, from the same results.
DOC_BLOCKS = {"README.md": ("numbers",), "docs/datasheet.md": ("gold_counts", "agreement"),
              "docs/measuring.md": ("targets",)}
GROUP_NAMES = {"all": "all", "source:scrapinghub": "Scrapinghub",
               "source:wcxb": "WCXB", "source:postlight": "postlight", "english:yes": "English",
               "english:no": "not English"}


def _group_name(key: str) -> str:
    kind, _, value = key.partition(":")
    return f"round {value}" if kind == "round" else GROUP_NAMES.get(key, value or key)


def _group_order(keys) -> list[str]:
    """``all``, the rounds in number order, then the named groups, then the rest alphabetically."""
    rounds = sorted((k for k in keys if k.startswith("round:")), key=lambda k: int(k.partition(":")[2] or 0))
    named = [k for k in GROUP_NAMES if k in keys and k != "all"]
    return (["all"] if "all" in keys else []) + rounds + named + \
        sorted(k for k in keys if k not in GROUP_NAMES and k not in rounds)


def table_gold_counts(res: dict) -> str:
    """Hand-read gold lines per label and group (``results/agreement.json``, ``hand_gold_counts``)."""
    counts = res["agreement"]["hand_gold_counts"]
    head = "| group | pages | lines | " + " | ".join(LABELS) + " |\n|---|" + "---:|" * (2 + len(LABELS)) + "\n"
    return head + "".join(f"| {_group_name(k)} | {counts[k]['pages']} | {counts[k]['lines']:,} | "
                          + " | ".join(f"{counts[k].get(lab, 0):,}" for lab in LABELS) + " |\n"
                          for k in _group_order(counts))


def table_agreement(res: dict) -> str:
    """Cohen's kappa of the two blind passes, overall and per group (``results/agreement.json``)."""
    ag = res["agreement"]
    head = "| group | pages | lines | kappa fine | kappa binary |\n|---|---:|---:|---:|---:|\n"
    rows = [("all", {k: ag[k] for k in ("pages", "lines", "kappa_fine", "kappa_binary")})]
    rows += [(_group_name(k), ag["groups"][k]) for k in _group_order(ag["groups"])]
    return head + "".join(f"| {name} | {g['pages']} | {g['lines']:,} | {g['kappa_fine']:.3f} | {g['kappa_binary']:.3f} |\n"
                          for name, g in rows)


def table_targets(res: dict) -> str:
    """The open issues' targets against this run's numbers (docs/measuring.md's generated block)."""
    cv, sp, st = res["cv"], res["speed"], res.get("streams", {})
    der = derived(res)
    html_labels = cv["html"]["fine"]["per_label"]
    worst = min(KINDS, key=lambda k: html_labels[k]["f1"])
    rows = [
        ("fine macro-F1, HTML", "≥ 0.80", f"{cv['html']['fine']['macro_f1']:.3f}"),
        ("fine macro-F1, text", "≥ 0.70", f"{cv['text']['fine']['macro_f1']:.3f}"),
        ("every label's F1, HTML", "≥ 0.60", f"lowest {worst} {html_labels[worst]['f1']:.3f}"),
        ("Scrapinghub F1, HTML", "≥ 0.965", f"{cv['html']['scrapinghub']['all']['f1']:.3f}"),
        ("WCXB F1 (all), HTML", "≥ 0.87", f"{cv['html']['wcxb']['all']['f1']:.3f}"),
        ("Scrapinghub F1, text", "≥ 0.93", f"{cv['text']['scrapinghub']['all']['f1']:.3f}"),
        ("WCXB article F1, text", "≥ 0.94", f"{cv['text']['wcxb']['article']['f1']:.3f}"),
        ("seed body lines kept (model without the seeds)", f"all {der['seeds_body']}",
         f"{der['seeds_body_kept']} of {der['seeds_body']}"),
        ("seed appeal/ad/teaser lines kept", "none", f"{der['seeds_akt_kept']} of {der['seeds_akt']}"),
        ("ECE of P(body), HTML / text", "≤ 0.05",
         f"{cv['html']['calibration']['all']['ece']:.3f} / {cv['text']['calibration']['all']['ece']:.3f}"),
        ("HTML pages/s against trafilatura, Scrapinghub / WCXB", "≥ 5×",
         f"{sp['html']['scrapinghub']['vs_trafilatura']:.2f}× / {sp['html']['wcxb']['vs_trafilatura']:.2f}×"),
        ("learned-text lines/s, one core", "≥ 100,000", f"{sp['text_lines_per_s']:,.0f}"),
        ("one-line input, clean", "< 0.2 ms", f"{sp['one_line_ms']['clean']:.2f} ms"),
    ]
    if "cli_warc" in st:
        rows.append(("CLI on WARC, 2 workers (pages/s)", "≥ 150",
                     f"{st['cli_warc']['runs']['2']['records_per_s']:.1f} ({st['pages']:,} pages)"))
    return "| target | aim | this run |\n|---|---|---|\n" + "".join(f"| {a} | {b} | {c} |\n" for a, b, c in rows)


def table_seed_errors(res: dict) -> str:
    """The seed lines the never-seen-them text model gets wrong on body/not-body."""
    seeds = res["cv"]["text"]["seeds"]
    rows = [("body dropped", t) for t in seeds["body_lines_dropped"]] + \
           [("appeal/ad/teaser kept", t) for t in seeds["appeal_ad_teaser_kept"]]
    return "| error | line (first 110 characters) |\n|---|---|\n" + "".join(f"| {e} | {_clip(t)} |\n" for e, t in rows)


def derived(res: dict) -> dict:
    """Numbers the paper quotes that are sums or counts of results, not single entries."""
    seeds = res["cv"]["text"]["seeds"]
    support = {lab: seeds["per_label"][lab]["support"] for lab in LABELS}
    steps = res["meta"].get("steps", {})
    return {"generated_at": res["meta"]["git_commit"], "steps": step_commits(res["meta"]),
            "run_minutes": sum(r.get("seconds", 0) for k, r in steps.items() if k != "report") / 60,
            "seeds_body": support[BODY], "seeds_body_kept": support[BODY] - len(seeds["body_lines_dropped"]),
            "seeds_akt": sum(support[k] for k in ("appeal", "ad", "teaser")),
            "seeds_akt_kept": len(seeds["appeal_ad_teaser_kept"]),
            # the experiments by name, not by position: a run may ablate other groups
            "ablation": {r["without"]: r for r in res["experiments"]["ablation"]},
            "curve_first": res["experiments"]["learning_curve"][0],
            "curve_full": res["experiments"]["learning_curve"][-1],
            "rounds": rounds_macro(res)}


def rounds_macro(res: dict) -> dict:
    """Fine macro-F1 of each model on each span of rounds (``cv.json``'s ``fine_by_rounds``),
    keyed ``span1``, ``span2`` ... in ``ROUND_SPANS`` order (the paper compares each with an
    earlier run's figure on the same pages); NaN for a span the run has no hand-read page of (a
    quick run's few pages, or a run from before the span was read), so the paper never names a
    missing key."""
    return {f"span{k}": {variant: res["cv"][variant].get("fine_by_rounds", {}).get(round_span(a), {})
                         .get("macro_f1", float("nan")) for variant in ("html", "text")}
            for k, (a, _) in enumerate(ROUND_SPANS, 1)}


def step_commits(meta: dict) -> str:
    """Which commit each result step ran at, for the paper's header."""
    by_commit: dict[str, list[str]] = {}
    for step, rec in meta.get("steps", {}).items():
        if step == "report":  # a previous report's record; this one is the header's own commit
            continue
        by_commit.setdefault(str(rec.get("git_commit"))[:10] + (" (dirty)" if rec.get("git_dirty") else ""), []).append(step)
    return "; ".join(f"{', '.join(steps)} at `{commit}`" for commit, steps in by_commit.items()) or "(unknown)"


def write_blocks(path: Path, blocks: dict[str, str], commit: str) -> None:
    """Replace each generated block of ``path`` (between its markers) with its table; a missing
    marker is an error."""
    text = path.read_text()
    for name, table in blocks.items():
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        if start not in text or end not in text:
            raise SystemExit(f"report: {path} has no {start} ... {end} block")
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = (f"{head}{start}\n<!-- generated by python -m benchmarks.report from results/*.json (commit "
                f"{commit[:10]}); do not edit by hand -->\n\n{table}\n{end}{tail}")
    path.write_text(text)


def run(*, results: Path = ROOT / "results", data: Path = ROOT / "data", paper: Path = ROOT / "paper",
        template: Path = TEMPLATE, docs: Path | None = None) -> int:
    """The step itself, with the command line's options as keyword arguments."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "boilerplate"
    res = load_results(results)
    tables_dir, figures = paper / "tables", paper / "figures"
    tables_dir.mkdir(parents=True, exist_ok=True)
    figures.mkdir(parents=True, exist_ok=True)
    missing = [name for name in STEP_RESULTS if name not in res]
    if missing:
        raise SystemExit(f"report: results missing for {', '.join(missing)} in {results} (run those steps first)")
    corpus = load_corpus(data)  # read once: the tables and figures below all draw on it
    preds = {variant: cv_predictions(results, variant) for variant in ("text", "html")}
    curve, abl = table_experiments(res)
    tables = {"main_scrapinghub": table_main(res, "scrapinghub"), "main_wcxb": table_main(res, "wcxb"),
              "fine_grained": table_fine(res), "learning_curve": curve, "ablation": abl,
              "errors": table_errors(corpus, preds["html"]), "fine_errors": table_fine_errors(corpus, preds["html"]),
              "languages": table_languages(res), "page_types": table_page_types(res),
              "rounds": table_breakdown(res, "fine_by_rounds", "annotation rounds"), "speed": table_speed(res), "stages": table_stages(res),
              "trees": table_trees(res), "fast_paths": table_fast_paths(res),
              "numbers": table_readme(res),
              "gold_counts": table_gold_counts(res), "agreement": table_agreement(res),
              "seed_errors": table_seed_errors(res), "targets": table_targets(res),
              "streams": table_streams(res), "streams_notes": streams_notes(res)}
    for name, text in tables.items():
        (tables_dir / f"{name}.md").write_text(text)
    figure_confusion(corpus, preds, figures, plt)
    figure_seeds(res, figures, plt)
    figure_experiments(res, figures, plt)
    figure_threshold(res, figures, plt)
    figure_reliability(res, figures, plt)
    figure_per_label(res, corpus, preds, figures, plt)
    figure_speed_quality(res, figures, plt)
    figure_scaling(res, figures, plt)
    res = {**res, "report": derived(res)}
    (paper / "paper.md").write_text(fill(template.read_text(), res, tables))
    if docs is not None:  # README and datasheet blocks, from the same results
        for rel, names in DOC_BLOCKS.items():
            write_blocks(docs / rel, {name: tables[name] for name in names}, str(res["meta"]["git_commit"]))
    print(f"report: {len(tables)} tables, {len(FIGURES)} figures, paper.md in {paper}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", type=Path, default=ROOT / "results")
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--paper", type=Path, default=ROOT / "paper")
    parser.add_argument("--template", type=Path, default=TEMPLATE)
    parser.add_argument("--docs", type=Path, default=None,
                        help="a checkout whose README.md and docs/datasheet.md get their generated blocks rewritten")
    args = parser.parse_args(argv)
    return run(**vars(args))


if __name__ == "__main__":
    sys.exit(main())
