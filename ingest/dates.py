"""Publication dates that are true or absent, and where each one came from.

First, what the page and its entry state as the publication date; when several do, the
earliest wins (a page republished or moved keeps its first date in its URL, its feed entry or
its label, and the first publication is the one that counts):

  page      a date the page labels as its publication ("Pubblicato il 17 luglio 2024",
            "Data di pubblicazione: 17/07/2024", "Data: 17/07/2024", "Comunicato del ...")
  metadata  publication metadata: <meta> (article:published_time, dc.date.issued, ... in
            htmldate's vocabulary), itemprop datePublished, JSON-LD datePublished; a
            "created" field only when no publication field is there
  entry     the date of the feed, sitemap or listing entry that pointed to the page
  url       a full year/month/day in the URL path (/2024/07/17/, /2024-07-17-slug)

Then, when none of them answers (source "page"): a date element of the article (<time>, or
an element whose class says "date"/"data", not "updated", not in a menu, sidebar, comment or
embedded post); then htmldate's date (markup first, then its text search), taken only when
the page writes that very date in full outside lists of other pages' dates; then the last
update ("Ultimo aggiornamento: ...", article:modified_time): when the page changed, the best
there is. Otherwise none.

Never taken: a year alone or a month and year ("© 2024", "luglio 2024": htmldate turns those
into 1 January), a date more than a day in the future or before 1990. Moments written in UTC
are read on Rome's clock.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import lxml.etree
import lxml.html
from htmldate import find_date
from htmldate.core import DATE_ATTRIBUTES, NAME_MODIFIED, PROPERTY_MODIFIED
from htmldate.extractors import regex_parse

ROME = ZoneInfo("Europe/Rome")
EARLIEST = date(1990, 1, 1)
SOURCES = ("metadata", "page", "entry", "url", "none")

# htmldate's list of <meta> names, less those that are not a publication date.
_NOT_PUBLICATION = {"meta", "gentime", "timestamp", "release_date", "video:release_date"}
META_PUBLISHED = frozenset(DATE_ATTRIBUTES) - _NOT_PUBLICATION
META_MODIFIED = frozenset(NAME_MODIFIED) | frozenset(PROPERTY_MODIFIED)
JSON_PUBLISHED = ("datePublished", "dateCreated")
JSON_MODIFIED = ("dateModified",)

MONTHS = {
    "gennaio": 1,
    "febbraio": 2,
    "marzo": 3,
    "aprile": 4,
    "maggio": 5,
    "giugno": 6,
    "luglio": 7,
    "agosto": 8,
    "settembre": 9,
    "ottobre": 10,
    "novembre": 11,
    "dicembre": 12,
    "gen": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "mag": 5,
    "giu": 6,
    "lug": 7,
    "ago": 8,
    "set": 9,
    "sett": 9,
    "ott": 10,
    "nov": 11,
    "dic": 12,
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATE = (
    rf"(?:(?P<d1>\d{{1,2}})(?:°|º)?\.?\s+(?P<m1>{_MONTH})\.?,?\s+(?P<y1>\d{{4}})"
    rf"|(?P<d2>\d{{1,2}})\s*[/.\-]\s*(?P<m2>\d{{1,2}})\s*[/.\-]\s*(?P<y2>\d{{4}})"
    rf"|(?P<y3>\d{{4}})-(?P<m3>\d{{2}})-(?P<d3>\d{{2}}))"
)
DATE_RE = re.compile(rf"(?<![\d/.\-]){_DATE}(?![\d/])", re.I)
_WEEKDAY = r"(?:(?:lun|mar|mer|gio|ven|sab|dom)[a-zì]*\.?,?\s+)?"
_LABEL_END = rf"(?:\s+(?:il|in\s+data|on|del|al))?\s*[:\-–]?\s*{_WEEKDAY}"
PUBLISHED_RE = re.compile(
    r"\b(?:pubblicat[oa]|data\s+(?:di\s+)?pubblicazione|pubblicazione|diffus[oa]|inserit[oa]"
    r"|comunicato(?:\s+stampa)?(?:\s+n\.?\s*\d+)?|published|posted|data(?=\s*:))"
    + _LABEL_END
    + _DATE,
    re.I,
)
UPDATED_RE = re.compile(
    r"\b(?:ultimo\s+aggiornamento|ultima\s+modifica|(?:pagina\s+)?aggiornat[oa]|modificat[oa]"
    r"|last\s+updated|updated)" + _LABEL_END + _DATE,
    re.I,
)
URL_DATE_RE = re.compile(
    r"(?<![0-9])((?:19|20)[0-9]{2})[/_-]([01]?[0-9])[/_-]([0-3]?[0-9])(?![0-9])(?=[/_.\-]|$)"
)
# Class or id words that mark a date element, and those that mark the wrong date.
_DATE_WORDS = re.compile(
    r"(?:^|[\s_-])(?:date|data|datetime|pubdate|published|pubblicat[oa]|pubblicazione|posted"
    r"|entry-date|post-date)(?:$|[\s_-])",
    re.I,
)
_WRONG_DATE = re.compile(
    r"aggiorn|modific|updat|event|scadenz|expir|nascit|birth"
    r"|(?:^|[\s_-])(?:inizio|fine|start|end|until)(?:$|[\s_-])",
    re.I,
)
# Parts of a page that speak of other pages: lists of related news, menus, widgets.
_ELSEWHERE = re.compile(
    r"sidebar|related|correlat|widget|menu|breadcrumb|cookie|altre|newsletter|footer|banner"
    r"|comment|comments|commenti",
    re.I,
)
# Elements that hold something else than the article: menus, sidebars, quoted or embedded posts.
_OTHER_CONTENT = ("nav", "aside", "blockquote", "iframe", "script", "style", "noscript", "template")
_SIDEBARS = re.compile(r"sidebar|related|correlat|widget", re.I)
_MAX_JSON = 200_000  # characters of JSON-LD read per script


@dataclass(frozen=True)
class DateFound:
    """A publication date (ISO) and the kind of evidence it came from (one of SOURCES)."""

    published: str | None
    source: str = "none"


NONE = DateFound(None, "none")


def publication_date(
    html: str,
    url: str | None = None,
    entry_date: str | None = None,
    today: date | None = None,
) -> DateFound:
    """The page's publication date by the order of evidence in the module docstring."""
    today = today or datetime.now(ROME).date()
    tree = _tree(html)
    meta_published, meta_modified = _metadata(tree, today) if tree is not None else ([], [])
    scope = _content(tree) if tree is not None else None
    text = _visible_text(scope) if scope is not None else ""
    stated = [
        ("page", _first(list(_labelled(PUBLISHED_RE, text, today)))),
        ("metadata", _first(meta_published)),
        ("entry", _iso(entry_date or "", today)),
        ("url", url_date(url or "", today)),
    ]
    stated = [(value, source) for source, value in stated if value]
    if stated:
        # They disagree when a page was republished or moved: the first publication wins
        # (min keeps the first source on a tie: the order above).
        value, source = min(stated, key=lambda found: found[0])
        return DateFound(value, source)
    updated = list(_labelled(UPDATED_RE, text, today))
    for value in _date_elements(scope, today, updated) if scope is not None else ():
        return DateFound(value, "page")
    for extensive in (False, True):
        written = _written_on_page(html, today, extensive=extensive)
        if written and written not in meta_modified:  # htmldate falls back on modification
            return DateFound(written, "page")
    if updated:
        return DateFound(updated[0], "page")
    if meta_modified:
        return DateFound(meta_modified[0], "metadata")
    return NONE


def parse_italian_date(text: str, today: date | None = None) -> str | None:
    """The first full date in `text` ("25 novembre 2026", "25/11/2026", "2026-11-25") as ISO."""
    for match in DATE_RE.finditer(text):
        found = _from_match(match, today)
        if found:
            return found
    return None


def parse_date(text: str, today: date | None = None) -> str | None:
    """`parse_italian_date`, then day-month-year in other languages ("December 23, 2016",
    "23. Juli 2019": htmldate's multilingual parser, which needs a day, a month and a year)."""
    found = parse_italian_date(text, today)
    if found or not text:
        return found
    try:
        moment = regex_parse(text[:200])
    except (ValueError, OverflowError):
        return None
    return _valid(moment.year, moment.month, moment.day, today=today) if moment else None


def url_date(url: str, today: date | None = None) -> str | None:
    """A full date in the URL's path (/2024/07/17/..., /2024-07-17-slug.html), or None."""
    path = re.sub(r"^[a-z]+://[^/]+", "", url, flags=re.I).split("?")[0]
    for match in URL_DATE_RE.finditer(path):
        year, month, day = map(int, match.groups())
        found = _valid(year, month, day, today=today)
        if found:
            return found
    return None


def plausible(value: date, today: date | None = None) -> bool:
    """Not before 1990, not more than a day in the future."""
    today = today or datetime.now(ROME).date()
    return EARLIEST <= value <= today + timedelta(days=1)


# --- evidence ---------------------------------------------------------------------------


def _metadata(tree, today: date) -> tuple[list[str], list[str]]:
    """Publication and modification dates the page's metadata declares: publication fields
    first (a "created" field is when the draft began), each kind in page order."""
    published: list[tuple[bool, str]] = []  # (is a creation field, date)
    modified: list[str] = []

    def add(key: str, raw: str | None) -> None:
        value = _iso(raw or "", today)
        if not value:
            return
        if key in META_MODIFIED or key in ("datemodified", "dateupdate"):
            modified.append(value)
        elif key in META_PUBLISHED or key in ("datepublished", "datecreated"):
            published.append(("creat" in key, value))

    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop") or ""
        add(key.lower(), element.get("content") or element.get("datetime"))
    for element in tree.iter(lxml.etree.Element):
        prop = (element.get("itemprop") or "").lower()
        if element.tag != "meta" and prop in ("datepublished", "datecreated", "datemodified"):
            add(prop, element.get("datetime") or element.get("content") or element.text_content())
    for data in _json_ld(tree):
        for item in _json_objects(data):
            for key in (*JSON_PUBLISHED, *JSON_MODIFIED):
                add(key.lower(), _str(item.get(key)))
    return [value for _, value in sorted(published, key=lambda p: p[0])], modified


def _json_ld(tree) -> Iterator[object]:
    for script in tree.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        try:
            yield json.loads((script.text or "")[:_MAX_JSON])
        except (ValueError, RecursionError):
            continue


def _json_objects(data: object) -> Iterator[dict]:
    """Every JSON object in `data`, breadth first, without recursion (hostile nesting)."""
    queue, seen = [data], 0
    while queue and seen < 10_000:
        item = queue.pop(0)
        seen += 1
        if isinstance(item, dict):
            yield item
            queue.extend(v for v in item.values() if isinstance(v, dict | list))
        elif isinstance(item, list):
            queue.extend(v for v in item if isinstance(v, dict | list))


def _labelled(pattern: re.Pattern, text: str, today: date) -> Iterator[str]:
    for match in pattern.finditer(text):
        found = _from_match(match, today)
        if found:
            yield found


def _date_elements(scope, today: date, updated: list[str]) -> Iterator[str]:
    """<time> elements and elements whose class marks a date, in the article, in order."""
    for element in scope.iter():
        if not isinstance(element.tag, str):
            continue
        marks = " ".join(element.get(a, "") for a in ("class", "id", "itemprop"))
        if element.tag == "time":
            if _WRONG_DATE.search(marks):
                continue
            # What the reader sees wins over the attribute ("Pubblicato il 29 giugno" in a
            # <time datetime> of the last edit).
            found = parse_date(element.text_content()[:200], today) or _iso(
                element.get("datetime") or "", today
            )
        elif _DATE_WORDS.search(marks) and not _WRONG_DATE.search(marks):
            found = parse_italian_date(element.text_content()[:200], today)
        else:
            continue
        if found and found not in updated:  # an update line inside a "date" box
            yield found


def _written_on_page(html: str, today: date, extensive: bool) -> str | None:
    """htmldate's date, taken only when the page writes it in full (in its text or in a date
    attribute) outside menus and sidebars that list several dates (other pages')."""
    try:
        found = find_date(html, original_date=True, extensive_search=extensive)
    except Exception:  # a library's failure on hostile HTML is no date, not a failed page
        return None
    if not found or not _iso(found, today):
        return None
    page = _tree(html)  # parsed again: the first tree lost its headers, footers, menus
    if page is None:
        return None
    for element in list(page.iter(lxml.etree.Element)):
        marks = " ".join(element.get(a, "") for a in ("class", "id"))
        aside = element.tag in ("nav", "aside") or (marks and _SIDEBARS.search(marks))
        # A sidebar listing several dates lists other pages; one date may be the page's own.
        if aside and element.getparent() is not None and not _holds_article(element):
            if len(_dates_written(element, today)) > 1:
                element.drop_tree()
    return found if found in _dates_written(page, today) else None


def _dates_written(scope, today: date) -> set[str]:
    """Every full date the content writes: in its text, or in datetime/content/title."""
    written = {d for m in DATE_RE.finditer(_visible_text(scope)) if (d := _from_match(m, today))}
    for element in scope.iter(lxml.etree.Element):
        for attribute in ("datetime", "content", "title"):
            value = element.get(attribute)
            if value and (found := _iso(value[:100], today)):
                written.add(found)
        for piece in (element.text, element.tail):
            if piece and 6 <= len(piece) <= 200 and (found := parse_date(piece, today)):
                written.add(found)
    return written


def _content(tree):
    """The article (or the page) without menus, sidebars and lists of other news."""
    for element in list(tree.iter(lxml.etree.Element)):
        if element.getparent() is None:
            continue
        marks = " ".join(element.get(a, "") for a in ("class", "id", "role"))
        elsewhere = element.tag in _OTHER_CONTENT
        elsewhere = elsewhere or (element.tag == "footer" and not _inside(element, "article"))
        if not elsewhere and marks and _ELSEWHERE.search(marks):
            elsewhere = element.tag != "body" and not _holds_article(element)
        if elsewhere:
            element.drop_tree()
    main = tree.find(".//main")
    if main is None:
        main = _first(tree.xpath(".//*[@role='main']"))
    articles = tree.findall(".//article")
    if main is None and len(articles) == 1:
        main = articles[0]
    return tree if main is None else main


def _holds_article(element) -> bool:
    """A layout wrapper ("content-sidebar-wrap") may hold the article, or its title."""
    return any(element.find(f".//{tag}") is not None for tag in ("article", "main", "h1"))


def _inside(element, tag: str) -> bool:
    return any(a.tag == tag for a in element.iterancestors())


def _first(items: list):
    return items[0] if items else None


def _visible_text(scope) -> str:
    """The text, one space between elements ("24/11/2026 Pubblicato il ...")."""
    return " ".join(" ".join(scope.itertext()).split())


def _tree(html: str):
    try:
        # Bytes: lxml refuses a str that still carries an XML encoding declaration.
        parser = lxml.html.HTMLParser(encoding="utf-8")
        return lxml.html.fromstring(html.encode("utf-8", "replace"), parser=parser)
    except (ValueError, lxml.etree.ParserError, lxml.etree.XMLSyntaxError):
        return None


# --- parsing ------------------------------------------------------------------------------


def _from_match(match: re.Match, today: date | None) -> str | None:
    g = match.groupdict()
    try:
        if g["y1"]:
            return _valid(int(g["y1"]), MONTHS[g["m1"].lower()], int(g["d1"]), today=today)
        if g["y2"]:
            return _valid(int(g["y2"]), int(g["m2"]), int(g["d2"]), today=today)
        return _valid(int(g["y3"]), int(g["m3"]), int(g["d3"]), today=today)
    except (KeyError, TypeError):
        return None


def _valid(year: int, month: int, day: int, today: date | None = None) -> str | None:
    try:
        value = date(year, month, day)
    except ValueError:
        return None
    return value.isoformat() if plausible(value, today) else None


_MOMENT = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?)?"
)


def _iso(text: str, today: date | None = None) -> str | None:
    """A machine-written moment ("2024-07-17T23:30:00Z") as a Rome date; or an Italian date."""
    match = _MOMENT.match(text)
    if not match:
        return parse_date(text[:100], today) if text else None
    year, month, day, hour, minute, _, zone = match.groups()
    if hour and zone in ("Z", "+00:00", "+0000", "-00:00"):
        try:
            moment = datetime(int(year), int(month), int(day), int(hour), int(minute), tzinfo=UTC)
        except ValueError:
            return None
        local = moment.astimezone(ROME).date()
        return local.isoformat() if plausible(local, today) else None
    return _valid(int(year), int(month), int(day), today=today)


def _str(value: object) -> str:
    if isinstance(value, list) and value:
        value = value[0]
    return value if isinstance(value, str) else ""
