"""Plain-text rendering for the terminal: run summaries, extractions, query tables."""

from __future__ import annotations

import sys
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


def format_table(rows: list[dict], max_width: int = 60) -> str:
    if not rows:
        return ""
    headers = list(rows[0])
    cells = [[_cell(r.get(h), max_width) for h in headers] for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths))
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in cells]
    return "\n".join([line, rule, *body])


def _cell(value, max_width: int) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        text = f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    else:
        text = " ".join(str(value).split())
    return text if len(text) <= max_width else text[: max_width - 1] + "…"


def format_summary(summary: RunSummary, db_path: Path) -> str:
    rows = [{"source": s.source, **{c: getattr(s, c) for c in COLUMNS}} for s in summary.sources]
    rows.append({"source": "TOTAL", **{c: summary.total(c) for c in COLUMNS}})
    failures = [f"  {s.source}: {f}" for s in summary.sources for f in s.failures]
    pipeline = (
        f"with pipeline {summary.pipeline}"
        if summary.pipeline
        else "(nothing to extract: no pipeline loaded)"
    )
    lines = [
        "",
        f"Run {summary.run_id} finished in {summary.seconds:.1f} s {pipeline}",
        f"sources {len(summary.sources)}, pages seen {summary.total('seen')}, "
        f"new {summary.total('new')}, changed {summary.total('changed')}, "
        f"unchanged {summary.total('unchanged')}, failed {summary.total('failed')}, "
        f"facts extracted {summary.total('facts')}",
        "",
        format_table(rows),
    ]
    if summary.stages:
        lines += ["", f"busy seconds per stage (they overlap): {format_stages(summary.stages)}"]
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
