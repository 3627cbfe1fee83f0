"""Reading pages: Italian dates, language, charsets, tables, canonical URLs, near-duplicates."""

from __future__ import annotations

import itertools
from pathlib import Path

from sentinella.ingest.canonical import canonical_url
from sentinella.ingest.dedup import _shingles, distance, find_duplicate, simhash
from sentinella.ingest.language import detect_language
from sentinella.ingest.read import read_html

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpus" / "sample"
WEB = Path(__file__).resolve().parent / "fixtures" / "web"
BODY = (
    "<p>La Giunta regionale ha approvato oggi il piano per le strade provinciali del "
    "Piemonte, con risorse per la manutenzione dei ponti e delle gallerie nelle valli "
    "alpine e nelle aree interne della regione.</p>"
)


def _page(head: str = "", article: str = "") -> str:
    return (
        f"<html lang='it'><head><meta charset='utf-8'><title>Piano strade</title>{head}"
        f"</head><body><article><h1>Piano strade</h1>{article}{BODY * 2}</article>"
        "</body></html>"
    )


def test_date_from_a_date_element_then_the_entry_then_the_update():
    dated = _page(article='<span class="entry-date">7 ottobre 2026</span>')
    assert read_html(dated, url="http://127.0.0.1/x").published == "2026-10-07"
    updated_only = _page(article="<div>Ultimo aggiornamento: 24/11/2026, 17:00</div>")
    page = read_html(updated_only, entry_date="2026-11-02")
    assert (page.published, page.date_source) == ("2026-11-02", "entry")
    page = read_html(updated_only)
    assert (page.published, page.date_source) == ("2026-11-24", "page")
    page = read_html(_page(), url="http://127.0.0.1/x")
    assert (page.published, page.date_source) == (None, "none")  # never invented


def test_sample_pages_keep_their_dates_without_dates_in_the_url():
    for page in sorted(SAMPLE.glob("*/*.html")):
        expected = page.name[:10]
        assert read_html(page.read_bytes(), url="http://127.0.0.1/p.html").published == expected, (
            page
        )


def test_fixture_without_date_and_by_line():
    assert (
        read_html(
            (WEB / "senza-data.html").read_bytes(), url="http://127.0.0.1/extra/senza-data.html"
        ).published
        is None
    )
    page = read_html(
        (SAMPLE / "cronache-astigiane/2026-11-12-telecontact-chiusura-asti.html").read_bytes()
    )
    assert page.author == "Paolo Rabino"


def test_language():
    assert read_html((WEB / "english.html").read_bytes()).language == "en"
    assert read_html((WEB / "rettifica-v1.html").read_bytes()).language == "it"
    assert detect_language("Troppo corto per dirlo") is None
    for page in sorted(SAMPLE.glob("*/*.html")):
        assert read_html(page.read_bytes()).language == "it", page


def test_latin1_bytes_declared_utf8():
    page = read_html((WEB / "latin1.html").read_bytes())
    assert "Vercelli, più corse" in page.title and "città" in page.text
    assert page.published == "2026-11-18"


def test_tables_of_amounts_are_kept_as_text():
    page = read_html(
        (
            SAMPLE / "cittametropolitana-torino/2026-10-26-strade-provinciali-riparto.html"
        ).read_bytes()
    )
    assert "| Pinerolo | € 620.000 |" in page.text
    assert "| Totale | € 2.900.000 |" in page.text


def test_canonical_urls():
    assert (
        canonical_url("HTTP://Example.ORG:80/a?utm_source=x&b=2&a=1&fbclid=z#top")
        == "http://example.org/a?a=1&b=2"
    )
    assert canonical_url("https://example.org:443") == "https://example.org/"
    page = read_html(
        (SAMPLE / "regione-piemonte/2026-11-20-telecontact-tavolo.html").read_bytes(),
        url="http://127.0.0.1/tmp?utm_campaign=x",
    )
    assert page.url == (
        "https://sentinella.example/regione-piemonte/2026-11-20-telecontact-tavolo.html"
    )  # rel=canonical


def _sample_texts() -> dict[str, str]:
    pages = sorted(SAMPLE.glob("*/*.html")) + sorted(WEB.glob("*.html"))
    return {
        p.name: read_html(p.read_bytes()).text
        for p in pages
        if p.name not in ("ripubblicato.html", "rettifica-v2.html")
    }


def test_republished_release_is_a_near_duplicate_and_distinct_ones_are_not():
    texts = _sample_texts()
    copy = read_html((WEB / "ripubblicato.html").read_bytes()).text
    known = [(name, name, simhash(t)) for name, t in texts.items()]
    assert (
        find_duplicate(simhash(copy), known, text=copy, text_of=texts.get)
        == "2026-11-20-telecontact-tavolo.html"
    )
    shingles = {name: set(_shingles(t)) for name, t in texts.items()}
    prints = {name: simhash(t) for name, t in texts.items()}
    for a, b in itertools.combinations(texts, 2):
        shared = len(shingles[a] & shingles[b]) / min(len(shingles[a]), len(shingles[b]))
        assert shared < 0.2, (a, b)  # measured at most 0.114 (ingest/dedup.py)
        if distance(prints[a], prints[b]) <= 20:
            assert (
                find_duplicate(prints[a], [(b, b, prints[b])], text=texts[a], text_of=texts.get)
                is None
            )


def test_a_batch_page_and_a_stored_page_at_the_same_distance_do_not_break_the_match():
    # stored documents are keyed by id (int), pages of the same batch by URL (str): ties
    # in distance used to compare the keys (TypeError, the whole run failed)
    from sentinella.ingest.dedup import match_batch

    text = _sample_texts()["2026-11-20-telecontact-tavolo.html"]
    stored = [(7, "https://a.example/1", simhash(text))]
    texts = {"https://b.example/1": text, "https://b.example/2": text}
    _, duplicates = match_batch(texts, stored, lambda key: text)
    assert duplicates == {"https://b.example/1": 7, "https://b.example/2": 7}
