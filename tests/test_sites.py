"""Places linked to ISTAT codes (extractors/sites.py)."""

from __future__ import annotations

from sentinella.extractors.extract import extract


def sites(nlp, text):
    return {(s.name, s.type): s for s in extract(text, nlp=nlp).sites}


def test_comune_di_asti_is_an_organisation_and_asti_a_site(nlp):
    ext = extract(
        "Il Comune di Asti ha organizzato due pullman. Asti si ferma per lo sciopero.", nlp=nlp
    )
    assert [a.name for a in ext.actors if a.kind == "organization"] == ["Comune di Asti"]
    assert [(s.name, s.type, s.istat) for s in ext.sites] == [("Asti", "comune", "005005")]


def test_place_only_inside_an_institution_name_is_not_a_site(nlp):
    assert sites(nlp, "La Provincia di Alessandria e la Regione Piemonte hanno firmato.") == {}


def test_provinces_and_regions(nlp):
    found = sites(
        nlp,
        "Priorità alle aziende nelle province di Cuneo e Torino e in provincia di Biella, "
        "come in tutto il Piemonte.",
    )
    assert found[("Cuneo", "provincia")].istat == "004"
    assert found[("Torino", "provincia")].istat == "001"
    assert found[("Biella", "provincia")].istat == "096"
    assert found[("Piemonte", "regione")].istat == "01"
    assert ("Cuneo", "comune") not in found


def test_areas_streets_roads_and_buildings_are_altro(nlp):
    text = (
        "I lavori sulla SP 460 in valle Orco, in piazza Vittorio Emanuele II, nell’area ex Montefibre, "
        "al Castello di Miasino e nel Canavese."
    )
    found = sites(nlp, text)
    for name in (
        "SP 460",
        "valle Orco",
        "piazza Vittorio Emanuele II",
        "ex Montefibre",
        "Castello di Miasino",
        "Canavese",
    ):
        assert (name, "altro") in found, name
    assert ("Miasino", "comune") not in found
    assert not [a for a in extract(text, nlp=nlp).actors if a.kind == "person"]


def test_municipality_names_that_look_like_people_or_words(nlp):
    ext = extract(
        "Il consigliere comunale Mauro Bosia abita a Romano Canavese, vicino a Ivrea.", nlp=nlp
    )
    assert {s.name for s in ext.sites} == {"Romano Canavese", "Ivrea"}
    assert [a.name for a in ext.actors if a.kind == "person"] == ["Mauro Bosia"]


def test_ambiguous_names_resolve_to_piedmont(nlp):
    # Castellamonte exists only in Piedmont; Pavia is a capital elsewhere (Lombardy)
    found = sites(nlp, "Da Castellamonte a Pavia, con delegazioni da Spagna e Vietnam.")
    assert found[("Castellamonte", "comune")].istat.startswith("001")
    assert found[("Pavia", "comune")].istat == "018110"
    assert ("Spagna", "stato") in found and ("Vietnam", "stato") in found


def test_dateline_of_a_local_article(nlp):
    assert ("Cuneo", "comune") in sites(nlp, "CUNEO – Il caso arriva in Consiglio regionale.")


# --- unseen-batch classes: towns of other regions, frazioni, rivers, former buildings ----


def test_municipalities_of_other_regions_are_linked(nlp):
    found = sites(
        nlp, "I lavori interesseranno Vernazza, Monterosso al Mare e il comune di Bonassola."
    )
    for name in ("Vernazza", "Monterosso al Mare", "Bonassola"):
        assert found[(name, "comune")].istat.startswith("011"), name  # province of La Spezia


def test_one_word_towns_elsewhere_need_a_place_context(nlp):
    assert ("Lugo", "comune") in sites(nlp, "Da Lugo partirà il corteo dei trattori.")
    assert sites(nlp, "Il consigliere Marco Bianchi ha ricordato che Lugo non è solo.") == {}


def test_frazioni_and_quartieri_are_named_without_their_head(nlp):
    found = sites(
        nlp, "Il cantiere nella frazione Roata Chiusani di Centallo e nel quartiere Vanchiglietta."
    )
    assert ("Roata Chiusani", "altro") in found and ("Vanchiglietta", "altro") in found
    assert found[("Centallo", "comune")].istat.startswith("004")


def test_rivers_former_buildings_and_provincial_roads(nlp):
    found = sites(
        nlp,
        "Lungo il torrente Chisola, vicino all’ex mattatoio comunale e all’ex caserma Perotti, "
        "riaprirà la strada provinciale 129.",
    )
    for name in ("Chisola", "ex mattatoio comunale", "ex caserma Perotti", "provinciale 129"):
        assert (name, "altro") in found, name


def _ner_places(text: str, *locs: str):
    """The places component over a Doc whose entities come from an entity ruler."""
    import spacy

    from sentinella.extractors.components import customize
    from sentinella.extractors.extract import extract as run

    fake = spacy.blank("it")
    ruler = fake.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns([{"label": "LOC", "pattern": loc} for loc in locs])
    customize(fake)
    return {(s.name, s.type, s.rule) for s in run(text, nlp=fake).sites}


def test_places_of_the_statistical_ner_pass_the_filters():
    text = (
        "Le escursioni nel Mugello e sui Monti Sibillini riprendono. Energia e Palazzo municipale."
    )
    found = _ner_places(text, "Mugello", "Monti Sibillini", "Energia", "Palazzo municipale")
    assert found == {("Mugello", "altro", "ner"), ("Monti Sibillini", "altro", "ner")}
