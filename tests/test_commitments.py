"""Commitments: triggers, blockers, actor resolvers (extractors/commitments.py, triggers.py,
resolvers.py)."""

from __future__ import annotations

import pytest

from sentinella.extractors.extract import extract
from sentinella.extractors.sentences import sentence_spans
from sentinella.extractors.triggers import find_triggers, trigger_lexicon, verb_forms


def commitments(nlp, text):
    return [(c.actor, c.amount) for c in extract(text, nlp=nlp).commitments]


def test_announcement_with_amount(nlp):
    text = (
        "La Vicepresidente Elena Chiorino, assessora al Lavoro, ha annunciato che la Regione destinerà "
        "3,7 milioni di euro alla formazione dei lavoratori."
    )
    ext = extract(text, nlp=nlp)
    assert len(ext.commitments) == 1
    c = ext.commitments[0]
    assert (c.actor, c.amount, c.organization) == ("Elena Chiorino", 3700000, "Regione Piemonte")
    assert text[c.start : c.end] == c.sentence == text
    person = next(a for a in ext.actors if a.name == "Elena Chiorino")
    assert "vicepresidente" in person.role and "assessora al lavoro" in person.role


@pytest.mark.parametrize(
    "text",
    [
        "La Regione non stanzierà nuove risorse per il settore.",
        "Se il Governo stanzierà i fondi promessi, la Regione è pronta a integrarli con una quota propria.",
        "Qualora il trasferimento dovesse concretizzarsi, la Regione Piemonte potrà finanziare nuove corse.",
        "Il sindaco di Asti Maurizio Rasero chiede alla Regione di stanziare fondi per i lavoratori.",
        "La Regione Piemonte auspica che il Ministero finanzi il progetto.",
        "La decisione è stata assunta dalla Giunta su proposta dell’assessore Matteo Marnati.",
        "Già nel 2023 la Regione Piemonte aveva stanziato 13 milioni per il voucher.",
        "Il Partito democratico ha presentato una richiesta di accesso agli atti.",
    ],
)
def test_not_commitments(nlp, text):
    assert commitments(nlp, text) == []


def test_quote_speaker_is_the_actor_and_quotes_continue(nlp):
    text = (
        "Il presidente della Regione Piemonte Alberto Cirio ha incontrato i sindacati. "
        "«Il momento è difficile», ha dichiarato Cirio. «Nei prossimi giorni convocheremo l’azienda»."
    )
    assert commitments(nlp, text) == [("Alberto Cirio", None)]


def test_organ_stands_for_its_institution(nlp):
    assert commitments(
        nlp, "La Giunta regionale ha approvato un pacchetto da 50 milioni di euro per le imprese."
    ) == [("Regione Piemonte", 50000000)]
    text = "Il Consiglio metropolitano della Città metropolitana di Torino ha approvato una variazione che destina 7,3 milioni di euro alle strade."
    assert commitments(nlp, text) == [("Città metropolitana di Torino", 7300000)]


def test_office_mention_resolves_to_the_person(nlp):
    text = (
        "L’assessore all’Agricoltura Paolo Bongioanni ha visitato le aziende. L’assessore ha annunciato inoltre "
        "che entro marzo la Regione rafforzerà il piano di contenimento dei cinghiali."
    )
    assert commitments(nlp, text) == [("Paolo Bongioanni", None)]


def test_one_commitment_per_actor_when_several_share_a_sentence(nlp):
    text = "Fim Cisl, Fiom Cgil e Uilm Uil hanno proclamato otto ore di sciopero negli stabilimenti di Grugliasco."
    assert [a for a, _ in commitments(nlp, text)] == ["Fim Cisl", "Fiom Cgil", "Uilm Uil"]


def test_company_reference(nlp):
    text = (
        "Lear Corporation ha annunciato 180 esuberi. L’azienda ha detto poco. "
        "L’azienda ha confermato che metterà in cassa integrazione 300 dipendenti."
    )
    assert ("Lear Corporation", None) in commitments(nlp, text)


def test_verb_forms_from_the_lexicon():
    finite, parts = verb_forms("stanziare", future_only=False)
    assert {"stanzia", "stanziano", "stanzierà", "stanzieranno", "stanzieremo"} <= finite
    assert "stanziato" in parts
    finite, _ = verb_forms("convocare", future_only=True)
    assert "convocheremo" in finite and "convoca" not in finite
    lex = trigger_lexicon()
    # only the fixed phrase counts, not "messo" as a past participle
    found = find_triggers("La Regione ha messo a disposizione due milioni", lex)
    assert [(t.form, t.pattern) for t in found] == [("ha messo a disposizione", "phrase")]
    found = find_triggers("La Regione mette a disposizione due milioni", lex)
    assert ("mette a disposizione", "phrase") in [(t.form, t.pattern) for t in found]


def test_sentence_spans_move_opening_quotes_and_split_blank_lines(nlp):
    doc = nlp("Titolo senza punto\n\nHa detto Rossi. «Faremo tutto».")
    texts = [doc.text[a:b] for a, b in sentence_spans(doc)]
    assert texts[0] == "Titolo senza punto"
    assert texts[-1] == "«Faremo tutto»."


def test_announcer_and_generic_subjects(nlp):
    text = (
        "Secondo quanto annunciato dal presidente della Camera di commercio di Cuneo, Mauro Gola, "
        "l’ente stanzierà 1,2 milioni di euro per i voucher."
    )
    assert commitments(nlp, text) == [("Mauro Gola", 1200000)]
    text = (
        "Confartigianato Cuneo ha presentato i dati dell’Osservatorio. "
        "L’associazione organizzerà a febbraio tre incontri con le imprese."
    )
    assert commitments(nlp, text) == [("Confartigianato Cuneo", None)]


def test_event_logistics_headlines_and_conditions_after_the_verb(nlp):
    assert (
        commitments(nlp, "Il Comune di Asti ha organizzato per sabato un convegno sul lavoro.")
        == []
    )
    assert commitments(nlp, "Bra, il Comune investe 2,4 milioni nel polo scolastico") == []
    text = (
        "La Regione Piemonte ha messo a disposizione 1,5 milioni di euro per la formazione, "
        "nel caso in cui il piano venga presentato."
    )
    assert commitments(nlp, text) == []


# --- negation inside the complement, agreement verbs, "manterremo" -----------------------


@pytest.mark.parametrize(
    "text, actor",
    [
        (
            "L’assessore ai Trasporti Marco Gabusi si impegna a non tagliare le corse della linea per Ceres.",
            "Marco Gabusi",
        ),
        (
            "Lear Corporation si impegna a non licenziare nessuno fino alla fine dell’anno.",
            "Lear Corporation",
        ),
        (
            "Dopo il confronto in Prefettura Lear Corporation ha accettato di ritirare i 40 licenziamenti.",
            "Lear Corporation",
        ),
    ],
)
def test_negation_in_the_complement_does_not_block(nlp, text, actor):
    assert [a for a, _ in commitments(nlp, text)] == [actor]


def test_negation_before_the_verb_still_blocks_and_future_of_mantenere(nlp):
    assert (
        commitments(
            nlp, "La Regione Piemonte non metterà a disposizione altri fondi per il progetto."
        )
        == []
    )
    text = (
        "«Manterremo il presidio davanti ai cancelli finché non arriverà un piano serio», "
        "ha dichiarato il segretario della FIOM-CGIL Piemonte Giorgio Airaudo."
    )
    assert [a for a, _ in commitments(nlp, text)] == ["Giorgio Airaudo"]


# --- generic nouns that refer back to the one named organisation -------------------------


def test_consortium_and_company_nouns_refer_back(nlp):
    text = (
        "La Città di Alba ha incontrato i vertici di Egea Ambiente. "
        "Il consorzio assumerà entro giugno dieci operatori ecologici."
    )
    assert [a for a, _ in commitments(nlp, text)] == ["Egea Ambiente"]


def test_short_form_of_an_organisation_name(nlp):
    text = (
        "Si è chiuso in Regione il tavolo sulla vertenza Sirti Digital Solutions. Nel verbale firmato al "
        "termine del confronto Sirti si impegna a presentare un piano entro marzo."
    )
    found = [a for a, _ in commitments(nlp, text)]
    assert len(found) == 1 and found[0].startswith("Sirti ")  # the full name, not "Sirti"


def test_relative_clause_with_an_apposition(nlp):
    text = (
        "La Regione ha ricevuto i sindacati di Comdata Group, la società di servizi che "
        "ieri ha comunicato la chiusura della sede di Pozzuolo."
    )
    assert "Comdata Group" in [a for a, _ in commitments(nlp, text)]


# --- passive agents of a signing, several organisations as subject -----------------------


def test_one_commitment_per_signer(nlp):
    text = (
        "Il nuovo servizio partirà a marzo. Lo stabilisce la convenzione sottoscritta dal sindaco "
        "Alberto Gatto e dal presidente della Fondazione CRC Mauro Gola."
    )
    assert [a for a, _ in commitments(nlp, text)] == ["Alberto Gatto", "Mauro Gola"]
    # the annotators' convention (sample_gold.changes.md): a passive names the signers of
    # a signing once; it is not a commitment again when a signing was reported before
    text = "La convenzione è stata sottoscritta dal sindaco di Alba Alberto Gatto."
    assert commitments(nlp, text) == [("Alberto Gatto", None)]
    text = (
        "Il Comune di Alba e la Fondazione CRC hanno firmato la convenzione. "
        "La convenzione è stata sottoscritta dal sindaco di Alba Alberto Gatto."
    )
    assert [a for a, _ in commitments(nlp, text)] == ["Comune di Alba", "Fondazione CRC"]
    text = "Una lettera firmata dal sindaco di Alba Alberto Gatto chiede alla Regione nuovi fondi."
    assert commitments(nlp, text) == []


def test_collective_head_with_several_named_organisations(nlp):
    text = "Le segreterie regionali di Slc Cgil, Fistel Cisl e Uilcom Uil hanno proclamato due ore di sciopero."
    assert [a for a, _ in commitments(nlp, text)] == ["Slc Cgil", "Fistel Cisl", "Uilcom Uil"]


def test_thanks_and_a_scheduled_sitting_are_not_commitments(nlp):
    text = (
        "Il presidente del Consiglio comunale di Asti Giovanni Boccia ha ringraziato gli uffici "
        "e ha annunciato che a dicembre l’aula si riunirà a Nizza Monferrato per una seduta aperta."
    )
    assert commitments(nlp, text) == []


def test_filing_a_bill_but_not_a_question(nlp):
    text = "Il Partito democratico ha depositato ieri in Consiglio regionale una proposta di legge sulle RSA."
    assert [a for a, _ in commitments(nlp, text)] == ["Partito democratico"]
    text = (
        "Il Partito democratico ha depositato in Consiglio regionale un’interrogazione sulle RSA."
    )
    assert commitments(nlp, text) == []


def test_negation_of_a_time_clause_before_the_verb(nlp):
    text = (
        "«Finché non avremo garanzie, manterremo il presidio», ha detto il segretario "
        "generale Mario Bianchi."
    )
    assert [a for a, _ in commitments(nlp, text)] == ["Mario Bianchi"]
    text = "Per le frazioni isolate la Regione Piemonte non ha per ora individuato un finanziamento specifico."
    assert commitments(nlp, text) == []
    assert (
        commitments(
            nlp, "Per i comuni montani non è previsto alcun finanziamento della Regione Piemonte."
        )
        == []
    )


# --- unseen-batch classes: commitments said another way, and who makes them ---------------


def facts(nlp, text, source=None):
    ext = extract(text, {"source": source} if source else {}, nlp=nlp)
    return [(c.actor, c.resolver) for c in ext.commitments]


def test_passive_allocations_belong_to_the_publisher_or_the_named_agent(nlp):
    text = "PERUGIA – Saranno destinati 3 milioni di euro al restauro dei borghi."
    assert facts(nlp, text, "Regione Umbria - Giunta") == [
        ("Regione Umbria", "publishing-institution")
    ]
    assert facts(nlp, text) == []  # nobody known: nothing invented
    text = (
        "Saranno stanziati 2 milioni per le piste ciclabili. Lo ha deciso la Giunta "
        "regionale su proposta dell’assessore Mario Bianchi."
    )
    assert facts(nlp, text) == [("Regione Piemonte", "agent-in-next-sentence")]
    text = "L’opera sarà finanziata interamente dalla Provincia di Biella."
    assert facts(nlp, text) == [("Provincia di Biella", "passive-agent")]


def test_items_of_a_decision_digest(nlp):
    text = (
        "Approvato il piano per le aree interne.\n\nStanziati 4 milioni per le scuole.\n\n"
        "Via libera al bando per le botteghe."
    )
    found = facts(nlp, text, "Regione Marche - Giunta")
    assert found == [("Regione Marche", "publishing-institution")] * 3


def test_a_split_described_after_an_allocation_is_no_new_commitment(nlp):
    text = "La Regione ha stanziato 5 milioni. Il resto delle risorse sarà ripartito tra i comuni."
    assert [a for a, _ in facts(nlp, text)] == ["Regione Piemonte"]


def test_organs_of_a_named_body(nlp):
    text = (
        "Il consiglio di amministrazione della Fondazione Cassa di Risparmio di Biella ha "
        "approvato il bando."
    )
    assert facts(nlp, text) == [("Fondazione Cassa di Risparmio di Biella", "clause-subject")]
    text = "La Giunta della Regione Abruzzo ha approvato il piano per le frane."
    assert [a for a, _ in facts(nlp, text, "Comune di Chieti")] == ["Regione Abruzzo"]


def test_a_company_announcing_what_it_will_do(nlp):
    text = (
        "La direzione di Officine Rivalta ha comunicato ieri ai sindacati che farà ricorso "
        "alla cassa integrazione per 30 dipendenti."
    )
    assert [a for a, _ in facts(nlp, text)] == ["Officine Rivalta"]


def test_the_speaker_is_the_person_named_in_the_attribution(nlp):
    text = (
        "«Il momento è difficile», ha detto il vicepresidente della Regione, Luca Rossi. "
        "«Apriremo tre sportelli entro marzo»."
    )
    assert [a for a, _ in facts(nlp, text)] == ["Luca Rossi"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("«Si chiudono botteghe ogni mese», dice il presidente Marco Neri.", []),
        ("«Questa scuola non sarà un parcheggio», ha assicurato il sindaco Marco Neri.", []),
        (
            "«Non lasceremo sola nessuna famiglia», ha assicurato il sindaco Marco Neri.",
            ["Marco Neri"],
        ),
        ("«Ogni negozio che chiude è una perdita», ha detto il presidente Marco Neri.", []),
    ],
)
def test_descriptions_in_quotes_are_not_promises(nlp, text, expected):
    assert [a for a, _ in facts(nlp, text)] == expected


def test_two_participles_share_one_auxiliary(nlp):
    text = "Fiom Cgil e Fim Cisl hanno respinto la proposta e proclamato due ore di sciopero."
    assert [a for a, _ in facts(nlp, text)] == ["Fiom Cgil", "Fim Cisl"]


def test_rumours_whoever_and_the_money_of_a_proposal(nlp):
    text = "Secondo fonti sindacali, l’azienda Lanificio Rivetti starebbe valutando di chiudere il reparto."
    assert facts(nlp, text) == []
    text = "Il Comune di Biella darà un contributo a chi accetta di assumere un apprendista."
    assert [a for a, _ in facts(nlp, text)] == ["Comune di Biella"]  # not "chi accetta"
    ext = extract(
        "La segretaria Anna Conti ha annunciato che la Fiom presenterà una proposta di legge "
        "per un fondo da 50 milioni di euro.",
        nlp=nlp,
    )
    assert [(c.actor, c.amount) for c in ext.commitments] == [("Anna Conti", None)]


def test_a_conditional_promise_in_a_quote_is_no_commitment(nlp):
    text = (
        "«Se la Regione firmerà, apriremo i cantieri a marzo», assicura il presidente Carlo Villa."
    )
    assert facts(nlp, text) == []
