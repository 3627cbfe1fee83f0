"""Datasette plugin of `sentinella browse`: Italian search functions, euro amounts, links.

Loaded with `--plugins-dir` (kb/datasette/plugins), so it acts only on Sentinella's own
Datasette, not on every Datasette installed beside it.
"""

from __future__ import annotations

import html
import json
import re

from datasette import hookimpl
from markupsafe import Markup

from sentinella.kb.text import best_sentence, fts_query, mark

EURO_COLUMNS = {"amount", "value", "total_eur"}
LIST_COLUMNS = {"places", "provinces", "regions"}
_MARKED = re.compile(r"\*\*(.+?)\*\*")


def euro(value: float) -> str:
    """Italian money format: € 3.700.000, € 1.234,50."""
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return "€\u00a0" + text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


@hookimpl
def prepare_connection(conn):
    conn.create_function("it_stems", 1, lambda q: fts_query(q or "") or '""', deterministic=True)
    conn.create_function(
        "it_mark", 2, lambda s, q: mark(s, q) if s and q else s, deterministic=True
    )
    conn.create_function(
        "it_best_sentence", 2, lambda t, q: best_sentence(t or "", q or ""), deterministic=True
    )


@hookimpl
def render_cell(value, column, table, database, datasette):
    if column in EURO_COLUMNS and isinstance(value, int | float) and not isinstance(value, bool):
        return Markup(f'<span class="euro" data-value="{value}">{euro(value)}</span>')
    if column == "promise" and isinstance(value, str) and value.startswith("p-"):
        href = datasette.urls.row(database, "pledges", value)
        return Markup(f'<a class="promise" href="{href}">{html.escape(value)}</a>')
    if column == "document" and isinstance(value, int):
        href = datasette.urls.row(database, "documents", str(value))
        return Markup(f'<a class="document" href="{href}">documento {value}</a>')
    if column == "sentence" and isinstance(value, str) and "**" in value:
        return Markup(_MARKED.sub(r"<mark>\1</mark>", html.escape(value)))
    if column in LIST_COLUMNS and isinstance(value, str) and value.startswith("["):
        try:
            return ", ".join(json.loads(value))
        except (ValueError, TypeError):
            return None
    return None
