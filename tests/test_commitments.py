"""Commitments: actor, amount, blockers (extractors/commitments.py)."""
from __future__ import annotations

import pytest

from extractors.commitments import _forms, sentence_spans, tables
from extractors.extract import extract
from extractors.pipeline import load_pipeline

pytest.importorskip("extractors.money")


@pytest.fixture(scope="session")
def nlp():
    return load_pipeline()


def commitments(nlp, text):
    return [(c.actor, c.amount) for c in extract(text, nlp=nlp).commitments]


def test_announcement_with_amount(nlp):
    text = ("La Vicepresidente Elena Chiorino, assessora al Lavoro, ha annunciato che la Regione destinerà "
            "3,7 milioni di euro alla formazione dei lavoratori.")
    ext = extract(text, nlp=nlp)
    assert len(ext.commitments) == 1
    c = ext.commitments[0]
    assert (c.actor, c.amount, c.organization) == ("Elena Chiorino", 3700000, "Regione Piemonte")
    assert text[c.start:c.end] == c.sentence == text
    person = next(a for a in ext.actors if a.name == "Elena Chiorino")
    assert "vicepresidente" in person.role and "assessora al lavoro" in person.role


@pytest.mark.parametrize("text", [
    "La Regione non stanzierà nuove risorse per il settore.",
    "Se il Governo stanzierà i fondi promessi, la Regione è pronta a integrarli con una quota propria.",
    "Qualora il trasferimento dovesse concretizzarsi, la Regione Piemonte potrà finanziare nuove corse.",
    "Il sindaco di Asti Maurizio Rasero chiede alla Regione di stanziare fondi per i lavoratori.",
    "La Regione Piemonte auspica che il Ministero finanzi il progetto.",
    "La decisione è stata assunta dalla Giunta su proposta dell’assessore Matteo Marnati.",
    "Già nel 2023 la Regione Piemonte aveva stanziato 13 milioni per il voucher.",
    "Il Partito democratico ha presentato una richiesta di accesso agli atti.",
])
def test_not_commitments(nlp, text):
    assert commitments(nlp, text) == []


def test_quote_speaker_is_the_actor_and_quotes_continue(nlp):
    text = ("Il presidente della Regione Piemonte Alberto Cirio ha incontrato i sindacati. "
            "«Il momento è difficile», ha dichiarato Cirio. «Nei prossimi giorni convocheremo l’azienda».")
    assert commitments(nlp, text) == [("Alberto Cirio", None)]


def test_organ_stands_for_its_institution(nlp):
    assert commitments(nlp, "La Giunta regionale ha approvato un pacchetto da 50 milioni di euro per le imprese.") == [
        ("Regione Piemonte", 50000000)]
    text = "Il Consiglio metropolitano della Città metropolitana di Torino ha approvato una variazione che destina 7,3 milioni di euro alle strade."
    assert commitments(nlp, text) == [("Città metropolitana di Torino", 7300000)]


def test_office_mention_resolves_to_the_person(nlp):
    text = ("L’assessore all’Agricoltura Paolo Bongioanni ha visitato le aziende. L’assessore ha annunciato inoltre "
            "che entro marzo la Regione rafforzerà il piano di contenimento dei cinghiali.")
    assert commitments(nlp, text) == [("Paolo Bongioanni", None)]


def test_one_commitment_per_actor_when_several_share_a_sentence(nlp):
    text = "Fim Cisl, Fiom Cgil e Uilm Uil hanno proclamato otto ore di sciopero negli stabilimenti di Grugliasco."
    assert [a for a, _ in commitments(nlp, text)] == ["Fim Cisl", "Fiom Cgil", "Uilm Uil"]


def test_company_reference(nlp):
    text = ("Lear Corporation ha annunciato 180 esuberi. L’azienda ha confirmed poco. "
            "L’azienda ha confermato che metterà in cassa integrazione 300 dipendenti.")
    assert ("Lear Corporation", None) in commitments(nlp, text)


def test_verb_forms_from_the_lexicon():
    finite, parts = _forms("stanziare", future_only=False)
    assert {"stanzia", "stanziano", "stanzierà", "stanzieranno", "stanzieremo"} <= finite
    assert "stanziato" in parts
    finite, _ = _forms("convocare", future_only=True)
    assert "convocheremo" in finite and "convoca" not in finite
    t = tables()
    assert t["past"].search("ha messo a disposizione") is None  # only the fixed phrase counts
    assert t["phrases"].search("La Regione mette a disposizione due milioni")


def test_sentence_spans_move_opening_quotes_and_split_blank_lines(nlp):
    doc = nlp("Titolo senza punto\n\nHa detto Rossi. «Faremo tutto».")
    texts = [doc.text[a:b] for a, b in sentence_spans(doc)]
    assert texts[0] == "Titolo senza punto"
    assert texts[-1] == "«Faremo tutto»."


def test_announcer_and_generic_subjects(nlp):
    text = ("Secondo quanto annunciato dal presidente della Camera di commercio di Cuneo, Mauro Gola, "
            "l’ente stanzierà 1,2 milioni di euro per i voucher.")
    assert commitments(nlp, text) == [("Mauro Gola", 1200000)]
    text = ("Confartigianato Cuneo ha presentato i dati dell’Osservatorio. "
            "L’associazione organizzerà a febbraio tre incontri con le imprese.")
    assert commitments(nlp, text) == [("Confartigianato Cuneo", None)]


def test_event_logistics_headlines_and_conditions_after_the_verb(nlp):
    assert commitments(nlp, "Il Comune di Asti ha organizzato per sabato un convegno sul lavoro.") == []
    assert commitments(nlp, "Bra, il Comune investe 2,4 milioni nel polo scolastico") == []
    text = ("La Regione Piemonte ha messo a disposizione 1,5 milioni di euro per la formazione, "
            "nel caso in cui il piano venga presentato.")
    assert commitments(nlp, text) == []
