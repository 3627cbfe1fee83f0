"""Publication dates: true or absent, with the kind of evidence recorded (ingest/dates.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from sentinella.ingest.dates import parse_italian_date, publication_date, url_date

TODAY = date(2026, 11, 30)
BODY = (
    "<p>La Giunta regionale ha approvato oggi il piano per le strade provinciali del "
    "Piemonte, con risorse per la manutenzione dei ponti e delle gallerie nelle valli "
    "alpine e nelle aree interne della regione.</p>"
)


def _page(head: str = "", article: str = "", outside: str = "") -> str:
    return (
        f"<html lang='it'><head><meta charset='utf-8'><title>Piano strade</title>{head}"
        f"</head><body><main><article><h1>Piano strade</h1>{article}{BODY * 2}</article>"
        f"</main>{outside}</body></html>"
    )


def _date(html: str, url: str | None = None, entry: str | None = None) -> tuple:
    found = publication_date(html, url=url, entry_date=entry, today=TODAY)
    return found.published, found.source


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Pubblicato il 25 novembre 2026", "2026-11-25"),
        ("mercoledì 1° settembre 2026", "2026-09-01"),
        ("3 nov. 2026", "2026-11-03"),
        ("25/11/2026 - 17:00", "2026-11-25"),
        ("25.11.2026", "2026-11-25"),
        ("2026-11-25T10:00", "2026-11-25"),
        ("31/02/2026", None),  # no such day
        ("il 12 novembre", None),  # no year: not a date to keep
        ("novembre 2026", None),  # a month and a year: not a day
        ("© 2026 Comune di Asti", None),  # a year alone
        ("1° dicembre 2026", "2026-12-01"),  # tomorrow: allowed (clocks, time zones)
        ("2 dicembre 2026", None),  # two days ahead: not a publication date
        ("25 novembre 2099", None),
        ("31 dicembre 1989", None),  # before 1990
        ("1 gennaio 1990", "1990-01-01"),
    ],
)
def test_italian_dates(text, expected):
    assert parse_italian_date(text, today=TODAY) == expected


def test_the_issue_case_an_update_line_and_a_copyright_year_invent_nothing():
    html = _page(
        article="<p>Ultimo aggiornamento: 17 luglio 2024, 10:32</p>",
        outside="<footer>© 2024 Comune di Asti</footer>",
    )
    assert _date(html, entry="2024-07-15") == ("2024-07-15", "entry")  # the feed's day
    assert _date(html) == ("2024-07-17", "page")  # else the update, never 2024-01-01


def test_a_year_alone_is_no_date():
    html = _page(
        '<meta itemprop="copyrightYear" content="2024">',
        outside="<footer>Copyright 2024</footer>",
    )
    assert _date(html) == (None, "none")


def test_labelled_publication_beats_metadata_and_the_update():
    html = _page(
        '<meta property="article:published_time" content="2026-11-20T10:00:00">',
        '<div class="ultimo-aggiornamento">Ultimo aggiornamento: 24/11/2026</div>'
        "<div>Pubblicato il 19 novembre 2026</div>",
    )
    assert _date(html) == ("2026-11-19", "page")


def test_metadata_publication_not_modification():
    html = _page(
        '<meta property="article:modified_time" content="2026-11-24T08:00:00+01:00">'
        '<meta property="article:published_time" content="2026-11-20T10:00:00+01:00">'
    )
    assert _date(html) == ("2026-11-20", "metadata")
    only_modified = _page('<meta property="article:modified_time" content="2026-11-24">')
    assert _date(only_modified) == ("2026-11-24", "metadata")  # the last resort


def test_json_ld_published_and_a_creation_field_only_as_fallback():
    html = _page(
        '<script type="application/ld+json">{"@graph": [{"@type": "NewsArticle", '
        '"dateCreated": "2026-11-01", "datePublished": "2026-11-03T09:00:00+01:00", '
        '"dateModified": "2026-11-20"}]}</script>'
    )
    assert _date(html) == ("2026-11-03", "metadata")


def test_a_utc_moment_is_read_on_romes_clock():
    html = _page('<meta property="article:published_time" content="2026-07-14T22:30:00Z">')
    assert _date(html) == ("2026-07-15", "metadata")  # 00:30 in Rome


def test_first_publication_wins_when_the_stated_dates_disagree():
    html = _page('<meta property="article:published_time" content="2026-06-17T10:00:00">')
    url = "https://example.org/2025/07/12/bilancio-sociale/"
    assert _date(html, url=url) == ("2025-07-12", "url")  # republished in 2026
    assert _date(html, url=url, entry="2026-06-17") == ("2025-07-12", "url")


def test_url_dates_need_a_day():
    assert url_date("https://example.org/2016/12/23/python/", TODAY) == "2016-12-23"
    assert url_date("https://example.org/notizie/2026-11-12-telecontact.html", TODAY) == (
        "2026-11-12"
    )
    assert url_date("https://example.org/2016/12/python/", TODAY) is None
    assert url_date("https://example.org/news/12345678/", TODAY) is None
    assert url_date("https://example.org/2099/01/01/x", TODAY) is None
    assert _date(_page(), url="https://example.org/2026/11/05/piano/") == ("2026-11-05", "url")


def test_dates_of_other_news_and_events_are_not_the_page_date():
    sidebar = (
        "<aside><h2>Ultime notizie</h2><ul>"
        '<li><span class="date">15/11/2026</span> <a href="/a">Sanità</a></li>'
        '<li><span class="date">12/11/2026</span> <a href="/b">Trasporti</a></li></ul></aside>'
    )
    event = '<div class="data-evento">Data evento: 30/12/2026</div>'
    assert _date(_page(article=event, outside=sidebar)) == (None, "none")
    dated = _page(article=event + '<span class="data">18 novembre 2026</span>', outside=sidebar)
    assert _date(dated) == ("2026-11-18", "page")


def test_time_element_text_wins_over_its_attribute():
    html = _page(article='<time datetime="2026-11-03">Pubblicato il 29 ottobre 2026</time>')
    assert _date(html) == ("2026-10-29", "page")


def test_future_dates_are_refused_everywhere():
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    later = (TODAY + timedelta(days=3)).isoformat()
    assert _date(_page(f'<meta name="date" content="{later}">')) == (None, "none")
    assert _date(_page(f'<meta name="date" content="{tomorrow}">')) == (tomorrow, "metadata")
    assert _date(_page(), entry=later) == (None, "none")


def test_hostile_markup_gives_no_date_and_no_error():
    assert _date("") == (None, "none")
    assert _date("\x00\x01 not html") == (None, "none")
    deep = "<div>" * 10_000 + "Pubblicato il 3 novembre 2026" + "</div>" * 10_000
    assert _date(f"<html><body>{deep}</body></html>")[1] in ("page", "none")
    nested_json = "[" * 5_000 + "]" * 5_000
    html = _page(f'<script type="application/ld+json">{nested_json}</script>')
    assert _date(html) == (None, "none")
