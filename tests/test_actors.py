"""Persons with offices, organisations with canonical names (extractors/actors.py)."""

from __future__ import annotations

import pytest

from sentinella.extractors.extract import extract


def actors(nlp, text, kind=None):
    ext = extract(text, nlp=nlp)
    return {a.name: a for a in ext.actors if kind is None or a.kind == kind}


def test_office_after_name_and_female_forms(nlp):
    text = (
        "La vicepresidente Elena Chiorino, assessora al Lavoro, ha incontrato i sindacati. "
        "«Andremo avanti», ha detto Chiorino."
    )
    people = actors(nlp, text, "person")
    assert list(people) == ["Elena Chiorino"]
    p = people["Elena Chiorino"]
    assert p.role == "vicepresidente; assessora al lavoro"
    assert p.organization == "Regione Piemonte"
    assert p.id == "person:elena-chiorino"
    assert text[p.start : p.end] == "Elena Chiorino"
    assert len(p.mentions) == 2  # the later "Chiorino" is the same person


def test_chained_offices_before_the_name(nlp):
    p = actors(
        nlp, "La vicepresidente e assessora all’Istruzione Elena Chiorino invita le famiglie."
    )["Elena Chiorino"]
    assert p.role == "vicepresidente; assessora all’istruzione"


def test_portfolio_with_capitalised_words_is_not_the_name(nlp):
    text = (
        "Lo ha proposto l’assessore all’Agricoltura, Cibo, Parchi, Caccia e Pesca Paolo Bongioanni."
    )
    people = actors(nlp, text, "person")
    assert list(people) == ["Paolo Bongioanni"]
    assert (
        people["Paolo Bongioanni"].role == "assessore all’agricoltura, cibo, parchi, caccia e pesca"
    )


def test_unknown_first_name_after_an_office(nlp):
    text = "Nel corso dell’assemblea il sindaco di Pavone Canavese, Endro Bevolo, ha riproposto le perplessità."
    p = actors(nlp, text, "person")["Endro Bevolo"]
    assert p.role == "sindaco"
    assert p.organization == "Comune di Pavone Canavese"


def test_plural_office_gives_each_person_the_feminine_singular(nlp):
    text = "Le consigliere di Alleanza Verdi Sinistra Giulia Marro e Alice Ravinale hanno chiesto chiarimenti."
    people = actors(nlp, text, "person")
    assert people["Giulia Marro"].role == "consigliera"
    assert people["Alice Ravinale"].role == "consigliera"
    assert "Alleanza Verdi Sinistra" in actors(nlp, text, "organization")


def test_apposition_office_and_body(nlp):
    text = "Il consigliere metropolitano Andrea Tragaioli, sindaco di Rivoli, ha chiesto di accelerare."
    p = actors(nlp, text, "person")["Andrea Tragaioli"]
    assert p.role.split("; ") == ["consigliere metropolitano", "sindaco"]


def test_organisation_named_as_first_introduced_with_aliases(nlp):
    text = (
        "Konecta Italia ha annunciato la chiusura. I lavoratori di Konecta sono in sciopero. "
        "Il Partito democratico (Pd) chiede un tavolo; per il Pd serve una risposta."
    )
    orgs = actors(nlp, text, "organization")
    assert "Konecta Italia" in orgs and "Konecta" not in orgs
    assert len(orgs["Konecta Italia"].mentions) == 2
    assert "Partito democratico" in orgs and "Pd" not in orgs
    assert orgs["Partito democratico"].id == "organization:partito-democratico"


def test_generic_references_and_portfolios_are_not_actors(nlp):
    text = (
        "La Regione e il Governo hanno incontrato i sindacati. L’assessore alle Opere pubbliche e alla "
        "Protezione civile Marco Gabusi ha illustrato il piano."
    )
    orgs = actors(nlp, text, "organization")
    assert orgs == {}
    assert actors(nlp, text, "person")["Marco Gabusi"].role.startswith(
        "assessore alle opere pubbliche"
    )


def test_institution_patterns_and_acronyms(nlp):
    text = (
        "Il Comune di Asti, l’ASL TO4, la Città metropolitana di Torino e Slc-Cgil hanno firmato "
        "con Meccanica Rossi S.p.A. un accordo."
    )
    orgs = set(actors(nlp, text, "organization"))
    assert {
        "Comune di Asti",
        "ASL TO4",
        "Città metropolitana di Torino",
        "Slc-Cgil",
        "Meccanica Rossi S.p.A.",
    } <= orgs


def test_presided_by_gives_the_president(nlp):
    text = "La Commissione Legalità del Consiglio regionale, presieduta da Domenico Rossi, si è riunita."
    p = actors(nlp, text, "person")["Domenico Rossi"]
    assert p.role == "presidente della commissione legalità"


def test_offices_in_text_order_across_mentions(nlp):
    text = (
        "Elena Chiorino, assessora al Lavoro, ha incontrato i sindacati. "
        "La vicepresidente Chiorino ha poi incontrato l’azienda."
    )
    p = actors(nlp, text, "person")["Elena Chiorino"]
    assert p.role == "assessora al lavoro; vicepresidente"
    assert len(p.mentions) == 2


def test_company_named_by_context_and_recurring(nlp):
    text = (
        "Dopo tre settimane di presidio i lavoratori della cartiera Burgo hanno sospeso lo sciopero. "
        "L’intesa è stata firmata da Burgo Group e dai sindacati."
    )
    orgs = actors(nlp, text, "organization")
    assert list(orgs) == ["Burgo"]
    assert len(orgs["Burgo"].mentions) == 2
    assert actors(nlp, text, "person") == {}


def test_elided_surnames(nlp):
    assert "Anna Maria D’Angelo" in actors(
        nlp, "La consigliera Anna Maria D’Angelo ha votato contro.", "person"
    )


@pytest.mark.parametrize(
    "text, person, town",
    [
        (
            "Il sindaco di Biella Marzio Olivero ha firmato il protocollo.",
            "Marzio Olivero",
            "Biella",
        ),
        # the town is also a first name
        ("La sindaca di Alba Carla Bosio ha presentato il bilancio.", "Carla Bosio", "Alba"),
    ],
)
def test_town_between_office_and_name_is_not_part_of_the_name(nlp, text, person, town):
    ext = extract(text, nlp=nlp)
    people = {a.name: a for a in ext.actors if a.kind == "person"}
    assert list(people) == [person]
    assert people[person].organization == f"Comune di {town}"
    assert [s.name for s in ext.sites] == [town]


# --- unseen-batch classes: names that are also words, capitals, particles ----------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Il sindaco Quinto Bertola ha firmato il decreto.", ["Quinto Bertola"]),
        ("Secondo Confartigianato, il calo degli ordini continua.", []),
        ("Anche quest’anno il Primo Maggio si terrà in piazza.", []),
        ("Per la Uilm interviene il segretario Carlo BERTOLA.", ["Carlo BERTOLA"]),
        ("Ha parlato l’assessore al Bilancio Paolo di Martino.", ["Paolo di Martino"]),
        ("La fiera si tiene a San Mauro Torinese da venerdì.", []),
    ],
)
def test_person_names_that_look_like_other_words(nlp, text, expected):
    assert list(actors(nlp, text, "person")) == expected


# --- unseen-batch classes: organisation names ---------------------------------------------


def orgs(nlp, text):
    return set(actors(nlp, text, "organization"))


def test_institutions_of_every_region(nlp):
    text = "La Regione Umbria e il Consiglio regionale delle Marche hanno firmato l’intesa."
    ext = extract(text, nlp=nlp)
    assert {a.name for a in ext.actors} == {"Regione Umbria", "Consiglio regionale delle Marche"}
    assert ext.sites == ()  # a region inside an institution's name is not a site


def test_official_names_that_go_on_in_lower_case(nlp):
    text = (
        "L’Osservatorio regionale sul turismo e l’Agenzia regionale per il diritto allo studio "
        "hanno presentato i dati. Il presidente ha ringraziato il Comitato per il lavoro svolto."
    )
    assert orgs(nlp, text) == {
        "Osservatorio regionale sul turismo",
        "Agenzia regionale per il diritto allo studio",
    }


def test_union_territories_and_companies_named_by_context(nlp):
    text = (
        "La Filca Cisl di Cremona e la Fillea Cgil dei Laghi hanno scritto al gruppo francese "
        "Lemaire Industrie. La Fondazione 25 Aprile 1945 ospiterà l’incontro; all’Azienda USL "
        "di Ferrara 3,2 milioni."
    )
    assert {
        "Filca Cisl di Cremona",
        "Fillea Cgil dei Laghi",
        "Lemaire Industrie",
        "Fondazione 25 Aprile 1945",
        "Azienda USL di Ferrara",
    } <= orgs(nlp, text)


def test_an_acronym_in_brackets_is_the_same_body(nlp):
    text = (
        "L’Azienda territoriale per i servizi sociali (ATSS) ha aperto lo sportello. "
        "L’ATSS assumerà due educatori."
    )
    found = actors(nlp, text, "organization")
    assert list(found) == ["Azienda territoriale per i servizi sociali"]
    assert len(found["Azienda territoriale per i servizi sociali"].mentions) == 3


def test_the_dateline_town_is_no_acronym(nlp):
    ext = extract("TRIESTE – La Regione ha approvato il piano.", nlp=nlp)
    assert not [a for a in ext.actors if a.kind == "organization"]
    assert [s.name for s in ext.sites] == ["Trieste"]


def test_offices_given_by_an_appointment(nlp):
    text = (
        "Vicesindaco sarà Paolo Conti, con le deleghe al Bilancio; Anna Neri sarà assessora "
        "alla Cultura. La Giunta ha nominato Sara Villa nuova direttrice dell’Agenzia "
        "regionale per il lavoro. Il consigliere municipale Decimo Russo ha votato contro."
    )
    people = actors(nlp, text, "person")
    assert people["Paolo Conti"].role == "vicesindaco"
    assert people["Anna Neri"].role == "assessora alla cultura"
    assert people["Sara Villa"].role.startswith("direttrice")
    assert people["Decimo Russo"].role == "consigliere municipale"
