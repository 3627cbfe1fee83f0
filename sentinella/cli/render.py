"""Plain-text rendering for the terminal: run summaries, extractions, query tables."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from sentinella.facts import Extraction
from sentinella.records import RunSummary
from sentinella.timing import format_stages

COLUMNS = (
    "seen",
    "fetched",
    "not_modified",
    "new",
    "changed",
    "unchanged",
    "duplicates",
    "failed",
    "dates_missing",
    "not_italian",
    "empty",
    "facts",
)


def format_table(rows: list[dict], max_width: int | None = None) -> str:
    """Rows as an aligned text table that fits `max_width` columns (None: no limit).

    Long text columns wrap onto several lines; links and numbers are never cut. Lists
    (e.g. a commitment's places) are shown as comma-separated names.
    """
    if not rows:
        return ""
    headers = list(rows[0])
    cells = [[_cell(r.get(h)) for h in headers] for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    links = []
    if max_width and sum(widths) + 2 * len(widths) > max_width:
        # Links are never cut: when the table is too wide they go on a line of their own.
        links = [h for h in headers if h in LINK_COLUMNS]
        keep = [i for i, h in enumerate(headers) if h not in LINK_COLUMNS]
        link_cells = [[c[i] for i, h in enumerate(headers) if h in LINK_COLUMNS] for c in cells]
        headers = [headers[i] for i in keep]
        cells = [[c[i] for i in keep] for c in cells]
        widths = [widths[i] for i in keep]
    if max_width:
        widths = _fit(headers, cells, widths, max_width)
    wrapped = [[_wrap(c, w) for c, w in zip(row, widths)] for row in cells]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()
    rule = "  ".join("-" * w for w in widths)
    body = []
    for n, row in enumerate(wrapped):
        for i in range(max(len(lines) for lines in row)):
            parts = [(lines[i] if i < len(lines) else "").ljust(w) for lines, w in zip(row, widths)]
            body.append("  ".join(parts).rstrip())
        if links:
            body += [f"  {h}: {v}" for h, v in zip(links, link_cells[n]) if v]
    return "\n".join([line, rule, *body])


_MIN_WRAP = 14
LINK_COLUMNS = ("url", "example_url")


def _fit(headers: list[str], cells: list[list[str]], widths: list[int], total: int) -> list[int]:
    """Column widths that fit `total` characters: the longest text column (the sentence)
    gets what the others leave; other text columns wrap at 20; numbers never wrap."""
    widths = list(widths)
    avail = total - 2 * (len(widths) - 1)
    wrappable = [
        i
        for i in range(len(headers))
        if not all(_is_number(c[i]) or len(c[i]) <= _MIN_WRAP for c in cells)
    ]
    if sum(widths) <= avail or not wrappable:
        return widths
    widest = max(wrappable, key=lambda i: widths[i])
    for i in wrappable:
        if i != widest:
            widths[i] = min(widths[i], 20)
    rest = avail - sum(w for i, w in enumerate(widths) if i != widest)
    widths[widest] = max(_MIN_WRAP, min(widths[widest], rest))
    others = [i for i in wrappable if i != widest]
    while sum(widths) > avail and others:
        i = max(others, key=lambda i: widths[i])
        if widths[i] <= _MIN_WRAP:
            break
        widths[i] -= 1
    return widths


def _is_number(text: str) -> bool:
    return text.replace(",", "").replace(".", "").replace("-", "").isdigit()


def _wrap(text: str, width: int) -> list[str]:
    if len(text) <= width:
        return [text]
    return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    if isinstance(value, list):
        return ", ".join(_cell(v.get("name") if isinstance(v, dict) else v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_cell(v)}" for k, v in value.items())
    return " ".join(str(value).split())


WATCH_COLUMNS = ("matched", "sent", "failed", "pending")


def _unchanged_indexes(summary: RunSummary) -> str:
    """Why a quiet night saw no pages: its feeds or sitemaps answered 304."""
    count = summary.total("index_not_modified")
    return f" (feeds, sitemaps, listings unchanged since last run: {count})" if count else ""


def format_summary(summary: RunSummary, db_path: Path) -> str:
    columns = (*COLUMNS, "alerts") if summary.watches else COLUMNS
    rows = [{"source": s.source, **{c: getattr(s, c) for c in columns}} for s in summary.sources]
    rows.append({"source": "TOTAL", **{c: summary.total(c) for c in columns}})
    failures = [f"  {s.source}: {f}" for s in summary.sources for f in s.failures]
    verdict = {
        "ok": "finished",
        "interrupted": f"was interrupted ({summary.error})",
        "failed": f"FAILED ({summary.error})",
    }.get(summary.status, summary.status)
    pipeline = (
        f"with pipeline {summary.pipeline}"
        if summary.pipeline
        else "(nothing to extract: no pipeline loaded)"
    )
    lines = [
        "",
        f"Run {summary.run_id} {verdict} in {summary.seconds:.1f} s {pipeline}",
        f"sources {len(summary.sources)}, pages seen {summary.total('seen')}, "
        f"new {summary.total('new')}, changed {summary.total('changed')}, "
        f"unchanged {summary.total('unchanged')}, failed {summary.total('failed')}, "
        f"facts extracted {summary.total('facts')}" + _unchanged_indexes(summary),
        "",
        format_table(rows),
    ]
    # An unchanged feed or sitemap (304) shows no pages, rightly: only warn about the others.
    empty = [
        s.source
        for s in summary.sources
        if s.seen == 0 and not s.failed and not s.index_not_modified
    ]
    if empty:
        lines += [
            "",
            *(f"Warning: source {name} found no pages (check its address)" for name in empty),
        ]
    if summary.stages:
        lines += ["", f"busy seconds per stage (they overlap): {format_stages(summary.stages)}"]
    lines += _alert_lines(summary)
    if failures:
        lines += ["", "Failures:", *failures[:20]]
        if len(failures) > 20:
            lines.append(f"  ... and {len(failures) - 20} more (table source_health)")
    db, prog = str(db_path), _program()
    lines += [
        "",
        f"Knowledge base: {db}. Try:",
        f"  {prog} query commitments --db {db} --site Asti",
        f"  {prog} query amounts --db {db} --min-amount 1000000",
        f"  {prog} query actors --db {db} --format csv",
    ]
    return "\n".join(lines)


def _alert_lines(summary: RunSummary) -> list[str]:
    """The alerts part of the summary: per watch, errors, and the run's state in words."""
    lines = []
    if summary.watches:
        rows = [
            {"watch": w.watch, **{c: getattr(w, c) for c in WATCH_COLUMNS}} for w in summary.watches
        ]
        lines += [
            "",
            f"Alerts: sent {summary.alerts('sent')}, failed {summary.alerts('failed')}, "
            f"pending {summary.alerts('pending')} (pending ones are retried by the next run)",
            "",
            format_table(rows),
        ]
        errors = [f"  {w.watch}: {e}" for w in summary.watches for e in w.errors]
        if errors:
            lines += ["", "Alert failures:", *errors[:20]]
    if summary.alerts_error:
        lines += ["", f"Alert delivery could not run: {summary.alerts_error}"]
    return [*lines, "", f"Run state: {summary.state_message()}"]


def _program() -> str:
    """How the user can call sentinella again: .venv/bin/sentinella after `make run`."""
    prog = Path(sys.argv[0])
    if prog.name == "sentinella" and prog.is_absolute():
        try:
            return str(prog.relative_to(Path.cwd()))
        except ValueError:
            pass
    return str(prog) if prog.name == "sentinella" else "sentinella"


def format_extraction(ex: Extraction) -> str:
    title = ex.meta.get("title") or ex.meta.get("url") or "(text)"
    out = [f"== {title}  [{ex.pipeline}]"]
    for a in ex.actors:
        office = f" — {a.role}" if a.role else ""
        org = f" ({a.organization})" if a.organization else ""
        out.append(f"  {a.kind:<12} {a.name}{office}{org}")
    for s in ex.sites:
        out.append(f"  site         {s.name} [{s.type}{', ISTAT ' + s.istat if s.istat else ''}]")
    for m in ex.amounts:
        q = f" ({m.qualifier})" if m.qualifier else ""
        out.append(f"  amount       {m.value:,.0f} {m.currency}{q}  «{m.text}»")
    for c in ex.commitments:
        amount = f", {c.amount:,.0f} EUR" if c.amount else ""
        out.append(f"  commitment   {c.actor}: {c.verb or ''}{amount} — {c.purpose or ''}")
        out.append(f"               «{c.sentence}»")
    if ex.fact_count == 0:
        out.append("  (no facts found)")
    return "\n".join(out)
