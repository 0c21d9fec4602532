"""The screening rules' findings in the reader's language (issue 21): a
German therapist reads them in German, dates and counts as German writes
them; the rule engine decides the same in every language."""

import datetime

import pytest
from django.utils import translation

from clients.evaluation import evaluate_screening
from clients.models import HealthScreening
from clients.rules import NEUTRAL_OIL, RULES

RULE = dict(RULES)


def screening(**answers) -> HealthScreening:
    """An unsaved screening answered on 1 November 2026: the rules read only its answers."""
    return HealthScreening(created_at=datetime.datetime(2026, 11, 1, 9, tzinfo=datetime.UTC), **answers)


def finding(language: str, rule: str, **answers) -> str:
    with translation.override(language):
        return RULE[rule](screening(**answers), frozenset()).findings[0].message


def test_a_german_reader_gets_the_oil_allergy_and_its_neutral_oil_in_german():
    with translation.override("de"):
        outcome = RULE["oil_allergy"](screening(oil_or_nut_allergy=True, allergies="Mandelöl"), frozenset())
        assert outcome.oil == NEUTRAL_OIL

    assert outcome.oil == "Neutrales Babyöl (nussfrei, unparfümiert)"
    assert outcome.findings[0].message == (
        "Allergie gegen Öle oder Nüsse (Mandelöl): neutrales Babyöl (nussfrei, unparfümiert) vorgesehen; "
        "vor Beginn die Flasche prüfen."
    )


def test_a_recent_injury_is_dated_as_each_language_writes_dates():
    answers = {
        "recent_injury": True,
        "recent_injury_what": "Knieoperation",
        "recent_injury_when": datetime.date(2026, 9, 1),
        "recent_injury_areas": ["lower_back"],
    }

    assert finding("de", "recent_injury", **answers) == (
        "Kürzliche Verletzung oder Operation (unterer Rücken): Knieoperation (01.09.2026)."
    )
    assert finding("en", "recent_injury", **answers) == (
        "Recent injury or surgery at the lower back: Knieoperation (01 Sep 2026)."
    )


@pytest.mark.parametrize(
    ("weeks", "german", "english"),
    [
        (1, "Schwanger (1 Woche): nur Schwangerschaftsmassage", "Pregnant (1 week): side-lying"),
        (20, "Schwanger (20 Wochen): nur Schwangerschaftsmassage", "Pregnant (20 weeks): side-lying"),
    ],
)
def test_weeks_of_pregnancy_are_counted_in_the_singular_and_plural(weeks, german, english):
    assert finding("de", "pregnancy", pregnant=True, pregnancy_weeks=weeks).startswith(german)
    assert finding("en", "pregnancy", pregnant=True, pregnancy_weeks=weeks).startswith(english)


def test_an_early_high_risk_pregnancy_names_both_reasons_in_german():
    message = finding("de", "pregnancy_risk", pregnant=True, pregnancy_weeks=10, pregnancy_high_risk=True)

    assert message == "Schwangerschaft: erstes Trimester (10 Wochen) und Risikoschwangerschaft; vor Beginn prüfen."


def test_a_pressure_preference_gives_its_limit_and_reason_in_the_readers_words():
    with translation.override("de"):
        outcome = RULE["pressure_preference"](screening(pressure_preference="light"), frozenset())

    assert outcome.max_pressure == "light"  # the machine-readable limit stays put
    assert outcome.limit_reasons == {"*": "Wunsch der Kund:in: Druck leicht"}
    assert outcome.findings[0].message == "Möchte Druck höchstens leicht."


@pytest.mark.parametrize(
    ("months", "german"),
    [
        (1, "Gesundheitsfragebogen älter als 1 Monat: Die Kund:in bestätigt ihn oder füllt einen neuen aus."),
        (3, "Gesundheitsfragebogen älter als 3 Monate: Die Kund:in bestätigt ihn oder füllt einen neuen aus."),
    ],
)
def test_an_expired_screening_counts_its_months_in_german(months, german):
    with translation.override("de"):
        outcome = evaluate_screening(screening(), valid_months=months, today=datetime.date(2027, 3, 1))

    assert [item.message for item in outcome.findings] == [german]


def test_a_fever_reported_days_ago_is_dated_in_german_and_the_spine_limit_named_in_german():
    with translation.override("de"):
        outcome = evaluate_screening(screening(fever_or_acute_illness=True), today=datetime.date(2026, 11, 3))

    assert [item.message for item in outcome.findings] == [
        "Fieber oder akute Erkrankung am 01.11. angegeben: fragen, ob wieder gesund."
    ]
    assert outcome.limit_reasons == {"spine": "kein direkter Druck auf die Wirbelsäule"}
    assert outcome.precautions == ("Kein direkter Druck auf die Wirbelsäule.",)


def test_no_screening_at_all_is_a_german_finding_for_a_german_reader():
    with translation.override("de"):
        outcome = evaluate_screening(None)

    assert outcome.findings[0].message == "Noch kein Gesundheitsfragebogen: vor Beginn nachfragen."
