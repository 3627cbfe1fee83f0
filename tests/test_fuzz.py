"""Fuzzing (hypothesis): arbitrary input never raises, and what comes out points into the input."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sentinella.extractors.money import find_amounts
from sentinella.ingest.canonical import canonical_url
from sentinella.ingest.dates import parse_date, parse_italian_date, publication_date, url_date

TODAY = datetime.now(ZoneInfo("Europe/Rome")).date()
# Text with the characters dates, money and markup are made of, and anything else.
MIXED = st.lists(
    st.one_of(
        st.characters(),
        st.sampled_from(list("0123456789/.-:° €,<>=\"' \n\t")),
        st.sampled_from(["gennaio", "luglio", "dic.", "Pubblicato il ", "milioni", "euro", "<p>"]),
    ),
    max_size=120,
).map("".join)


def _valid_iso(value: str | None) -> bool:
    if value is None:
        return True
    found = date.fromisoformat(value)
    return date(1990, 1, 1) <= found <= TODAY + timedelta(days=1)


@settings(max_examples=300, deadline=None)
@given(MIXED)
def test_date_parsers_never_raise_and_give_plausible_days(text):
    for parse in (parse_italian_date, parse_date):
        assert _valid_iso(parse(text))
    assert _valid_iso(url_date(text))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MIXED, st.one_of(st.none(), MIXED), st.one_of(st.none(), st.text(max_size=30)))
def test_publication_date_never_raises_on_any_markup(html, url, entry):
    found = publication_date(html, url=url, entry_date=entry)
    assert found.source in ("metadata", "page", "entry", "url", "none")
    assert _valid_iso(found.published)
    assert (found.published is None) == (found.source == "none")


@settings(max_examples=300, deadline=None)
@given(MIXED)
def test_money_parser_never_raises_and_points_into_the_text(text):
    for amount in find_amounts(text):
        assert 0 <= amount.start <= amount.end <= len(text)
        assert text[amount.start : amount.end] == amount.text
        assert amount.value > 0


URLS = st.builds(
    lambda scheme, host, port, path, query, fragment: (
        f"{scheme}://{host}{port}/{path}"
        + (f"?{query}" if query else "")
        + (f"#{fragment}" if fragment else "")
    ),
    st.sampled_from(["http", "https", "HTTP", "Https"]),
    st.sampled_from(["example.org", "WWW.Regione.Piemonte.IT", "127.0.0.1", "comune.asti.it"]),
    st.sampled_from(["", ":80", ":443", ":8080"]),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_/.%àè", max_size=40),
    st.lists(
        st.tuples(
            st.sampled_from(["utm_source", "utm_medium", "fbclid", "id", "page", "a", "Ref", "q"]),
            st.text(alphabet="abc123%&= +", max_size=8),
        ),
        max_size=5,
    ).map(lambda pairs: "&".join(f"{k}={v}" for k, v in pairs)),
    st.text(alphabet="abc#", max_size=5),
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(URLS, st.text(max_size=80)))
def test_canonical_urls_never_raise_and_are_stable(url):
    once = canonical_url(url)
    assert canonical_url(once) == once
    if once.lower().startswith(("http://", "https://")):
        assert "#" not in once and "utm_" not in once.lower() and "fbclid" not in once


def test_the_extraction_entry_point_takes_any_unicode(nlp):
    from sentinella.extractors.extract import extract

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.one_of(st.text(max_size=400), MIXED))
    def check(text):
        ext = extract(text, nlp=nlp)
        assert ext.text == text
        facts = [*ext.actors, *ext.sites, *ext.amounts, *ext.commitments]
        for fact in facts:
            assert 0 <= fact.start <= fact.end <= len(text)
        for a in ext.amounts:
            assert text[a.start : a.end] == a.text
        for s in ext.sites:
            assert text[s.start : s.end] == s.name
        for c in ext.commitments:
            assert text[c.start : c.end] == c.sentence
        for actor in ext.actors:
            for start, end in actor.mentions:
                assert 0 <= start <= end <= len(text)

    check()
