"""Tests for extractors.money: Italian money amounts.

Example tests pin every supported format, ranges, lists, qualifiers, the context rule
for bare "N milioni", and the non-money cases; property tests write random amounts the
Italian way (`format_italian`), embed them in sentences and read them back.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sentinella.extractors.money import find_amounts, format_italian, parse_number
from sentinella.facts import Amount

PROPERTY = settings(max_examples=150, deadline=None)


def values(text: str) -> list[float]:
    return [a.value for a in find_amounts(text)]


def only(text: str) -> Amount:
    found = find_amounts(text)
    assert len(found) == 1, found
    return found[0]


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


# --------------------------------------------------------------------------- parse_number


@pytest.mark.parametrize(
    "s, expected",
    [
        ("3,7", 3.7),
        ("10,53", 10.53),
        ("500.000", 500_000),
        ("150.000,00", 150_000),
        ("1.000.000", 1_000_000),
        ("12", 12),
        ("1.234.567,89", 1_234_567.89),
        ("1.5", 1.5),
        ("1,234,567", 1_234_567),
        ("1\u202f500", 1500),
        ("un", 1),
        ("uno", 1),
        ("due", 2),
        ("tre", 3),
        ("dieci", 10),
        ("venti", 20),
        ("ventuno", 21),
        ("ventitré", 23),
        ("cento", 100),
        ("trecentocinquanta", 350),
        ("mille", 1000),
        ("duemila", 2000),
        ("centomila", 100_000),
        ("mezzo", 0.5),
    ],
)
def test_parse_number(s, expected):
    assert close(parse_number(s), expected)


@pytest.mark.parametrize("s", ["", "abc", "1.2.3", "12.34.567", "milano", "settimana", "zero"])
def test_parse_number_rejects(s):
    with pytest.raises(ValueError):
        parse_number(s)


# ------------------------------------------------------------------------- format_italian


@pytest.mark.parametrize(
    "value, style, expected",
    [
        (1_234_567, "plain", "1.234.567"),
        (1_234_567, "decimals", "1.234.567,00"),
        (150_000.5, "decimals", "150.000,50"),
        (500_000, "euro_sign", "€ 500.000"),
        (12.5, "euro_sign", "€ 12,50"),
        (3_700_000, "milioni", "3,7 milioni di euro"),
        (1_000_000, "milioni", "1 milione di euro"),
        (500_000, "mila", "500mila euro"),
    ],
)
def test_format_italian(value, style, expected):
    assert format_italian(value, style) == expected


def test_format_italian_unknown_style():
    with pytest.raises(ValueError):
        format_italian(1, "roman")


# ------------------------------------------------------------------ formats (one amount each)


@pytest.mark.parametrize(
    "sentence, amount_text, value",
    [
        ("La Regione stanzia 3,7 milioni di euro per le scuole.", "3,7 milioni di euro", 3_700_000),
        ("Il contributo è di € 500.000 per comune.", "€ 500.000", 500_000),
        ("Sono previsti 500mila euro per il centro.", "500mila euro", 500_000),
        ("Un intervento da 300 mila euro.", "300 mila euro", 300_000),
        ("Ogni azienda potrà ottenere 30 mila euro.", "30 mila euro", 30_000),
        ("La filiera vale 1,2 miliardi di euro.", "1,2 miliardi di euro", 1_200_000_000),
        ("La filiera vale 1,2 miliardi.", "1,2 miliardi", 1_200_000_000),
        ("Sono disponibili due milioni e mezzo di euro.", "due milioni e mezzo di euro", 2_500_000),
        ("Un rifinanziamento di 13 milioni e mezzo.", "13 milioni e mezzo", 13_500_000),
        ("Il progetto costa 150.000,00 euro.", "150.000,00 euro", 150_000),
        ("Il fondo ha una dotazione di 4,8 mln.", "4,8 mln", 4_800_000),
        ("Il fondo ha una dotazione di 4,8 mln di euro.", "4,8 mln di euro", 4_800_000),
        ("Importo: €1.000.000.", "€1.000.000", 1_000_000),
        ("Base d'asta EUR 2.000 oltre IVA.", "EUR 2.000", 2_000),
        ("Canone annuo euro 50.000.", "euro 50.000", 50_000),
        ("Spesa di 2.000 EUR.", "2.000 EUR", 2_000),
        ("Una spesa di 1.500 € l'anno.", "1.500 €", 1_500),
        ("Le visite costano 12 euro a persona.", "12 euro", 12),
        ("Il biglietto costa 2,50 euro.", "2,50 euro", 2.5),
        ("Per le barriere un milione e 200mila euro.", "un milione e 200mila euro", 1_200_000),
        ("Stanziati 1 milione e 500.000 euro.", "1 milione e 500.000 euro", 1_500_000),
        (
            "Il piano prevede 3 miliardi e 200 milioni di euro.",
            "3 miliardi e 200 milioni di euro",
            3_200_000_000,
        ),
        ("Il costo sarà di mezzo milione di euro.", "mezzo milione di euro", 500_000),
        ("Il costo sarà di un milione di euro.", "un milione di euro", 1_000_000),
        ("Un investimento di 1 miliardo di euro.", "1 miliardo di euro", 1_000_000_000),
        ("Servono 10 M€ per il piano.", "10 M€", 10_000_000),
        ("Servono 5k€ per la grafica.", "5k€", 5_000),
        ("Servono € 2,5 milioni per il piano.", "€ 2,5 milioni", 2_500_000),
        ("Servono 2,5 mln € per il piano.", "2,5 mln €", 2_500_000),
        ("Il costo è di dieci euro.", "dieci euro", 10),
        ("Il costo è di duemila euro.", "duemila euro", 2_000),
        ("Risorse per 10 milioni d'euro.", "10 milioni d'euro", 10_000_000),
    ],
)
def test_formats(sentence, amount_text, value):
    a = only(sentence)
    assert a.text == amount_text
    assert sentence[a.start : a.end] == a.text
    assert close(a.value, value)
    assert a.currency == "EUR"


@pytest.mark.parametrize(
    "sentence, value",
    [
        ("Sono arrivati 5 milioni di dollari dagli Stati Uniti.", 5_000_000),
        ("Una donazione di $ 200.000 alla fondazione.", 200_000),
        ("Una donazione di 300 dollari.", 300),
    ],
)
def test_dollars(sentence, value):
    a = only(sentence)
    assert a.currency == "USD"
    assert close(a.value, value)


def test_order_and_offsets_in_a_paragraph():
    text = (
        "La Giunta ha approvato un piano da 50 milioni di euro. La prima linea, da "
        "30 milioni, rafforza il fondo di garanzia; la seconda vale € 20.000.000."
    )
    found = find_amounts(text)
    assert [a.value for a in found] == [50_000_000, 30_000_000, 20_000_000]
    assert all(text[a.start : a.end] == a.text for a in found)
    assert [a.start for a in found] == sorted(a.start for a in found)


# ----------------------------------------------------------------------- ranges and lists


@pytest.mark.parametrize(
    "sentence, range_text, expected",
    [
        (
            "Finanziamenti da 1 a 3 milioni di euro per impresa.",
            "da 1 a 3 milioni di euro",
            [1e6, 3e6],
        ),
        ("Contributi tra 2 e 4 milioni per ogni progetto.", "tra 2 e 4 milioni", [2e6, 4e6]),
        (
            "Prestiti da 100.000 a 2 milioni di euro per impresa.",
            "da 100.000 a 2 milioni di euro",
            [1e5, 2e6],
        ),
        ("Per i libri si va da 150 a 500 euro per studente.", "da 150 a 500 euro", [150, 500]),
        ("Dai 150 ai 500 euro a studente.", "Dai 150 ai 500 euro", [150, 500]),
        (
            "Il costo è stimato tra i 2 e i 4 milioni di euro.",
            "tra i 2 e i 4 milioni di euro",
            [2e6, 4e6],
        ),
        (
            "Progetti da 1 milione a 3 milioni di euro.",
            "da 1 milione a 3 milioni di euro",
            [1e6, 3e6],
        ),
        ("Tagli da € 150 a € 500 ciascuno.", "da € 150 a € 500", [150, 500]),
        ("Finanziamenti 2-3 milioni di euro.", "2-3 milioni di euro", [2e6, 3e6]),
        (
            "Le due misure: rispettivamente 35 e 30 milioni di euro.",
            "35 e 30 milioni di euro",
            [35e6, 30e6],
        ),
        ("Contributi di 3, 4 e 5 milioni di euro.", "3, 4 e 5 milioni di euro", [3e6, 4e6, 5e6]),
    ],
)
def test_ranges_and_lists(sentence, range_text, expected):
    found = find_amounts(sentence)
    assert [a.value for a in found] == expected
    assert {a.text for a in found} == {range_text}
    assert all(sentence[a.start : a.end] == a.text for a in found)


def test_range_needs_a_unit_on_the_second_end():
    # "a 200 imprese" is not the end of a range: one amount only.
    assert values("Un contributo da 5.000 euro a 200 imprese.") == [5_000]
    assert values("Un pacchetto da 50 milioni di euro a sostegno delle imprese.") == [50_000_000]


def test_separate_amounts_are_not_merged():
    assert values("Risorse pari rispettivamente a 35 milioni e 30 milioni.") == [35e6, 30e6]


# ------------------------------------------------------------------------------ qualifiers


@pytest.mark.parametrize(
    "prefix, qualifier",
    [
        ("oltre", "oltre"),
        ("Oltre", "oltre"),
        ("circa", "circa"),
        ("fino a", "fino a"),
        ("fino ai", "fino a"),
        ("almeno", "almeno"),
        ("più di", "più di"),
        ("quasi", "quasi"),
        ("non superiore a", "non superiore a"),
        ("supera i", "oltre"),
        ("non supera i", "non superiore a"),
        ("un massimo di", "al massimo"),
        ("poco più di", "poco più di"),
        ("", None),
    ],
)
def test_qualifiers(prefix, qualifier):
    sentence = f"Il fondo stanziato è {prefix} 80 milioni di euro.".replace("  ", " ")
    a = only(sentence)
    assert a.qualifier == qualifier
    assert a.text == "80 milioni di euro"  # the qualifier is not part of the text
    assert close(a.value, 80e6)


def test_qualifier_needs_its_preposition():
    # "più" alone is not "più di".
    assert only("Servono più 80 milioni di euro.").qualifier is None


# --------------------------------------------------------------------------- not money


@pytest.mark.parametrize(
    "text",
    [
        "Il contributo copre il 90% delle spese.",
        "Il 30 per cento dei fondi è già stato speso.",
        "A rischio 320 lavoratori della sede di Asti.",
        "Nel Piemonte ci sono circa 1,2 milioni di capi.",
        "Il Piemonte ha 4,2 milioni di abitanti.",
        "La fiera ha registrato 2 milioni di visitatori.",
        "Il settore conta 60 mila addetti.",
        "Ha 3 milioni di follower sui social.",
        "Fondo per lo sviluppo e la coesione 2021-2027.",
        "Il bando sarà pubblicato nel 2026.",
        "Ai sensi della legge n. 23 del 2024.",
        "Il numero verde 800 333 444 è attivo, oppure chiamare lo 011 575 7111.",
        "Le domande entro il 15.07.2025 alle 12,30.",
        "Appuntamento il 3 marzo alle 10.30 in via Roma 28.",
        "Non abbiamo perso un euro.",
        "Neanche un euro andrà sprecato, nemmeno mezzo euro.",
        "Circolano solo le auto Euro 6; Euro 2032 si giocherà in Italia.",
        "Sono 2 milioni di nuovi posti di lavoro.",
        "Le imprese sono 700 e gli addetti oltre 60.000.",
        "Lavorano 12 dipendenti su 3 turni da 8 ore.",
        "Il treno delle 12 e 30 è in ritardo.",
    ],
)
def test_not_money(text):
    assert find_amounts(text) == []


# --------------------------------------------------------- context rule for bare amounts


def test_bare_millions_with_money_cue_in_sentence():
    assert values("Nel 2025 abbiamo stanziato 37 milioni per le liste d'attesa.") == [37e6]
    assert values("La Regione ha investito 12 milioni.") == [12e6]


def test_bare_millions_with_money_earlier_in_the_document():
    text = (
        "La Regione presenta 10,53 milioni di euro per 82 comuni.\n\n"
        "All'area Monferrato vanno 7,42 milioni per 54 comuni; all'Appennino 3,1 milioni."
    )
    assert values(text) == [10_530_000, 7_420_000, 3_100_000]


def test_bare_millions_with_money_later_in_the_same_paragraph():
    text = "Alla provincia vanno 3,4 milioni per 41 interventi. Il totale è di 9,8 milioni di euro."
    assert values(text) == [3_400_000, 9_800_000]


def test_bare_millions_without_any_money_context():
    assert values("Alla manifestazione sono arrivati 2 milioni.") == []
    assert values("La popolazione supera i 4 milioni.") == []


def test_head_count_in_a_money_document_is_not_money():
    text = (
        "La Regione stanzia 2,5 milioni di euro per la biosicurezza. "
        "Il patrimonio suinicolo è di circa 1,2 milioni di capi. "
        "Sono 3 milioni i visitatori attesi in Piemonte."
    )
    assert values(text) == [2_500_000]


def test_di_money_noun_makes_a_bare_amount_money():
    assert values("Sono previsti 10 milioni di investimenti privati.") == [10e6]
    assert values("Arrivano 3 milioni di nuove risorse.") == [3e6]


def test_count_noun_after_the_number_wins_over_the_sentence_cue():
    # The sentences have money cues, so only what follows the number rejects these.
    assert values("Il fondo da 5 milioni di euro sostiene 60 mila addetti.") == [5e6]
    assert values("Con 2 milioni di euro di fondi si aiutano 1,2 milioni di famiglie.") == [2e6]
    text = "La Regione stanzia 4 milioni di euro.\n\nIl settore conta 1,5 milioni di lavoratori."
    assert values(text) == [4e6]


def test_di_money_noun_alone_is_enough():
    # No money cue in the sentence and no other amount in the text.
    assert values("Si contano 5 milioni di danni.") == [5e6]
    assert values("Il gruppo ha chiuso con 3 milioni di perdite.") == [3e6]


def test_abbreviated_multiplier_is_money_on_its_own():
    # No cue, no other amount: "mln" is a money-only abbreviation ...
    assert values("La vera partita è quella del piano industriale da 4,8 mln.") == [4.8e6]
    assert values("Sul tavolo ci sono 2 mld.") == [2e9]
    # ... but not when a count noun follows.
    assert values("Sono 1,2 mln di abitanti.") == []


def test_da_before_a_bare_amount_is_money_context():
    assert values("«Se il piano da 4,8 milioni annunciato dall'azienda sarà confermato»") == [4.8e6]
    assert values("La popolazione è scesa da 4,4 milioni.") == []  # population sentence


def test_article_and_adjective_before_a_count_noun():
    assert values("Con i fondi del bando sono 3 milioni i visitatori.") == []
    assert values("Con le risorse del bando arrivano 30 mila nuovi posti.") == []
    assert values("Con i fondi sono 3 milioni le risorse disponibili.") == [3e6]


def test_vale_a_dire_is_not_a_money_cue():
    assert values("Sono 3 milioni, vale a dire più del previsto.") == []
    assert values("Il bando vale 3 milioni.") == [3e6]


def test_space_grouped_thousands_only_next_to_a_currency():
    assert values("Pagati 10 000 euro e € 1 500 000 al comune.") == [10_000, 1_500_000]
    assert values("Chiamare lo 0161 58 000 o il 333 123 456.") == []


def test_zero_is_not_an_amount():
    assert values("La riforma costa 0 euro.") == []


def test_di_cui_parts_borrow_the_unit_of_the_whole():
    text = (
        "Il Ministero ha sbloccato 18,5 milioni di euro, di cui 9 al Piemonte e 4,5 alla Liguria."
    )
    assert values(text) == [18.5e6, 9e6, 4.5e6]
    assert values("Stanziati 10 milioni, di cui 3 milioni alle scuole e 2 agli ospedali.") == [
        10e6,
        3e6,
        2e6,
    ]
    # A head count stays a head count, parts included.
    assert values("Il paese ha 10 milioni di abitanti, di cui 3 in città e 2 in campagna.") == []
    # A "part" larger than the whole, or in the next sentence, is not a part.
    assert values("Stanziati 10 milioni di euro, di cui 30 per le scuole.") == [10e6]
    assert values("Stanziati 10 milioni di euro. Di cui 3 ore di lavoro.") == [10e6]


def test_amount_in_words_in_brackets_before_the_currency():
    a = only("Importo di aggiudicazione 25.000,00 (venticinquemila/00) euro.")
    assert a.text == "25.000,00 (venticinquemila/00) euro"
    assert close(a.value, 25_000)


def test_di_cui_is_neutral():
    assert values("La Regione ha destinato 10 milioni, di cui 3 milioni alle scuole.") == [
        10e6,
        3e6,
    ]


# ------------------------------------------------------------------------ property tests

TEMPLATES = [
    "La Regione Piemonte stanzia {amt} per i comuni montani.",
    "Il costo complessivo dell'opera è di {amt}, ha spiegato l'assessore.",
    "«Con {amt} rispondiamo ai sindaci», ha detto Cirio.",
    "Ammonta a {amt} il primo stanziamento.\n\nLe domande entro il 30 giugno.",
    "Ogni comune potrà ottenere fino a {amt} per progetto.",
]

# Each style with the values it can write exactly (so the read value must match exactly).
STYLES = {
    "plain": (st.integers(1, 10**10), lambda v: format_italian(v, "plain") + " euro"),
    "decimals": (
        st.integers(1, 10**11).map(lambda c: c / 100),
        lambda v: format_italian(v, "decimals") + " euro",
    ),
    "euro_sign": (
        st.integers(1, 10**11).map(lambda c: c / 100),
        lambda v: format_italian(v, "euro_sign"),
    ),
    "milioni": (
        st.integers(1, 999_999).map(lambda k: k * 10_000),
        lambda v: format_italian(v, "milioni"),
    ),
    "mila": (st.integers(1, 999).map(lambda k: k * 1000), lambda v: format_italian(v, "mila")),
}


@pytest.mark.parametrize("style", sorted(STYLES))
def test_property_one_amount_per_style(style):
    values_st, write = STYLES[style]

    @PROPERTY
    @given(value=values_st, template=st.sampled_from(TEMPLATES))
    def check(value, template):
        amt = write(value)
        text = template.format(amt=amt)
        found = find_amounts(text)
        assert len(found) == 1, (text, found)
        a = found[0]
        assert a.text == amt
        assert text[a.start : a.end] == amt
        assert a.currency == "EUR"
        assert math.isclose(a.value, value, rel_tol=1e-9), (text, a)

    check()


@PROPERTY
@given(
    low=st.integers(1, 10**6),
    step=st.integers(1, 10**6),
    style=st.sampled_from(["plain", "decimals"]),
)
def test_property_range_gives_two_amounts(low, step, style):
    high = low + step
    rng = f"da {format_italian(low, style)} a {format_italian(high, style)} euro"
    text = f"Il contributo va {rng} per famiglia."
    found = find_amounts(text)
    assert [a.value for a in found] == [low, high]
    assert all(a.text == rng and text[a.start : a.end] == rng for a in found)


@PROPERTY
@given(
    n=st.integers(0, 10**7),
    year=st.integers(1950, 2060),
    template=st.sampled_from(
        [
            "Il {n}% delle imprese prevede un aumento.",
            "Il {n} per cento delle risorse è stato speso.",
            "Sono {n} i lavoratori coinvolti.",
            "A rischio {n} posti di lavoro nel {year}.",
            "Il programma {year}-{year2} coinvolge {n} comuni.",
            "Legge n. {n} del {year}.",
            "Chiamare il numero 0{n} 58 000.",
            "La seduta del {year} ha visto {n} voti favorevoli.",
        ]
    ),
)
def test_property_numbers_that_are_not_money(n, year, template):
    text = "La Regione stanzia 5 milioni di euro. " + template.format(
        n=n, year=year, year2=year + 6
    )
    assert values(text) == [5_000_000], text


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789.,€ eumilonardEURdatr%\n")), max_size=60))
def test_property_any_text_gives_consistent_amounts(text):
    found = find_amounts(text)
    for a in found:
        assert text[a.start : a.end] == a.text
        assert a.value > 0 and a.currency in ("EUR", "USD")
    assert [a.start for a in found] == sorted(a.start for a in found)


# ------------------------------------------------------- regression on the dev gold set

GOLD = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "press-dev" / "gold.jsonl"


@pytest.mark.skipif(not GOLD.exists(), reason="press-dev gold data not available")
def test_dev_gold_f1():
    tp = n_pred = n_gold = 0
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        pred = [a.value for a in find_amounts(doc["text"]) if a.currency == "EUR"]
        gold = [float(g["value"]) for g in doc["amounts"]]
        n_pred += len(pred)
        n_gold += len(gold)
        for v in pred:
            for i, g in enumerate(gold):
                if abs(v - g) <= 0.005 * g:
                    del gold[i]
                    tp += 1
                    break
    f1 = 2 * tp / (n_pred + n_gold)
    assert f1 >= 0.97


# --- unseen-batch classes: elliptical lists, allocations without "euro", decimal ranges ---


@pytest.mark.parametrize(
    "text, values",
    [
        (
            "Il piano vale 52 milioni di euro: 30,5 per le strade, 12,2 alle scuole e 9,3 "
            "dal fondo europeo.",
            [52_000_000, 30_500_000, 12_200_000, 9_300_000],
        ),
        (
            "Il piano vale 7 milioni di euro. Dei 7 milioni, 4,5 andranno ai comuni e 2,5 "
            "alle province.",
            [7_000_000, 7_000_000, 4_500_000, 2_500_000],
        ),
        ("Scuole, 12 milioni per 40 cantieri in provincia", [12_000_000]),
        ("Il costo stimato è tra 2,5 e 3 milioni di euro.", [2_500_000, 3_000_000]),
        # a count after the amount is no part of it
        ("Il bando vale 5 milioni di euro: 3,5 per cento dei comuni ha risposto.", [5_000_000]),
    ],
)
def test_parts_and_allocations_seen_on_unseen_releases(text, values):
    assert [a.value for a in find_amounts(text)] == values
