"""The message of an alert: Italian, short, the matched facts, evidence, link; text and Markdown."""

from __future__ import annotations

from dataclasses import replace

from sentinella.alerts.matching import match
from sentinella.alerts.messages import MAX_EVIDENCE, Alert, render
from sentinella.alerts.planning import Changes
from sentinella.alerts.statement import Statement
from sentinella.alerts.watches import Watch
from sentinella.facts import Actor, Amount, Commitment, Site

SENTENCE = "La Regione ha stanziato 3,7 milioni di euro per il polo *scolastico* di Asti."
STATEMENT = Statement(
    url="https://example.org/c/1",
    source="regione-piemonte",
    text=SENTENCE + " Altro testo.",
    title="Asti, 3,7 milioni per il polo scolastico",
    publisher="Regione Piemonte",
    published="2026-11-25",
    actors=(
        Actor("Elena Chiorino", "person", 0, 5, "assessora all'istruzione", "Regione Piemonte"),
    ),
    sites=(Site("Asti", "comune", 70, 74, "005005"), Site("Piemonte", "regione", 0, 1, "01")),
    amounts=(Amount("3,7 milioni di euro", 3_700_000.0, "EUR", 24, 43),),
    commitments=(
        Commitment(
            "Elena Chiorino",
            SENTENCE,
            0,
            len(SENTENCE),
            "Regione Piemonte",
            3_700_000.0,
            "il polo scolastico",
            ("Asti",),
            "stanziato",
        ),
    ),
)
WATCH = Watch(name="Scuole ad Asti", channels=("json://x",), province=("Asti",))


def _alert(**changes) -> Alert:
    return Alert(watch=WATCH, statement=STATEMENT, match=match(WATCH, STATEMENT), **changes)


def test_a_new_statement_in_plain_text():
    message = render(_alert())
    assert message.title == "Asti, 3,7 milioni per il polo scolastico"
    assert message.text.splitlines() == [
        "Regione Piemonte · 25/11/2026",
        "Chi: Elena Chiorino (assessora all'istruzione)",
        "Quanto: 3,7 milioni di euro",
        "Dove: Asti",
        "Per cosa: il polo scolastico",
        f"«{SENTENCE}»",
        "https://example.org/c/1",
        "Avviso «Scuole ad Asti» · Sentinella",
    ]


def test_markdown_quotes_the_evidence_and_escapes_the_page_text():
    md = render(_alert()).markdown
    assert "**Quanto:** 3,7 milioni di euro" in md
    assert (
        "> «La Regione ha stanziato 3,7 milioni di euro per il polo \\*scolastico\\* di Asti.»"
        in md
    )
    assert "[Leggi il comunicato](https://example.org/c/1)" in md


def test_an_update_says_what_changed_and_a_republication_is_listed():
    changes = Changes(
        amounts_added=("3,7 milioni di euro",), amounts_removed=("3,2 milioni di euro",)
    )
    message = render(_alert(kind="aggiornato", changes=changes, republished=("La Stampa",)))
    assert message.title.startswith("Aggiornato: Asti")
    assert (
        "Cosa è cambiato: importi aggiunti 3,7 milioni di euro; importi tolti 3,2 milioni di euro"
        in message.text
    )
    assert "Ripreso da: La Stampa" in message.text


def test_a_long_statement_stays_short():
    many = tuple(replace(STATEMENT.commitments[0], sentence="Parola " * 200) for _ in range(7))
    alert = Alert(
        watch=WATCH,
        statement=replace(STATEMENT, commitments=many),
        match=match(WATCH, replace(STATEMENT, commitments=many)),
    )
    text = render(alert).text
    assert text.count("«Parola") == MAX_EVIDENCE
    assert f"… e altri {7 - MAX_EVIDENCE} impegni" in text
    assert max(len(line) for line in text.splitlines()) <= 300
    assert len(text) < 1500


def test_without_matched_commitments_the_statements_own_facts_are_shown():
    bare = replace(STATEMENT, commitments=())
    message = render(
        Alert(
            watch=Watch(name="Tutto", channels=("json://x",)),
            statement=bare,
            match=match(Watch(name="Tutto", channels=("json://x",)), bare),
        )
    )
    assert "Chi: Elena Chiorino (assessora all'istruzione)" in message.text
    assert "Dove: Asti, Piemonte" in message.text
    assert "«" not in message.text.split("\n", 1)[1].rsplit("Avviso", 1)[0]
