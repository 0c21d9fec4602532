"""Each screening rule on its own, then the evaluation as a whole."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from clients.evaluation import evaluate_screening
from clients.models import HealthScreening
from clients.outcome import PainPoint, Severity
from clients.rules import NEUTRAL_OIL, RULES
from routines.models import BACK_AREAS, BodyArea

RULE = dict(RULES)


def screening(**answers) -> HealthScreening:
    """An unsaved screening: the rules read only its answers."""
    base = {"created_at": datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)}
    return HealthScreening(**{**base, **answers})


def test_acute_spinal_inflammation_blocks_the_back_until_cleared():
    answers = screening(acute_spinal_inflammation=True)

    blocked = RULE["acute_spinal_inflammation"](answers, frozenset())
    cleared = RULE["acute_spinal_inflammation"](answers, frozenset({"acute_spinal_inflammation"}))

    assert blocked.blocked_areas == BACK_AREAS
    assert blocked.findings[0].severity == Severity.BLOCKED
    assert cleared.blocked_areas == frozenset()
    assert cleared.findings[0].severity == Severity.INFO


def test_wounds_exclude_the_areas_named():
    outcome = RULE["skin_injuries"](screening(skin_injuries=True, skin_injury_areas=["lower_back"]), frozenset())

    assert outcome.avoid_areas == {"lower_back"}
    assert outcome.findings[0].severity == Severity.REVIEW
    assert "infection" in outcome.findings[0].message


def test_a_wound_without_a_place_blocks_until_a_therapist_has_looked():
    blocked = RULE["skin_injuries"](screening(skin_injuries=True), frozenset())
    looked = RULE["skin_injuries"](screening(skin_injuries=True), frozenset({"skin_injuries"}))

    assert blocked.blocked_areas == frozenset(BodyArea.values)
    assert blocked.findings[0].severity == Severity.BLOCKED
    assert looked.blocked_areas == frozenset()
    assert looked.findings[0].severity == Severity.REVIEW


def test_a_new_screening_needs_the_place_of_a_wound():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        screening(skin_injuries=True).clean()

    assert list(refused.value.message_dict) == ["skin_injury_areas"]


def test_pregnancy_means_side_lying_with_a_qualified_therapist():
    outcome = RULE["pregnancy"](screening(pregnant=True, pregnancy_weeks=24), frozenset())

    assert (outcome.position, outcome.qualification, outcome.max_pressure) == ("side_lying", "pregnancy", "medium")
    assert "24 weeks" in outcome.findings[0].message


def test_discomfort_lying_prone_adds_pads_where_named():
    outcome = RULE["prone_discomfort"](screening(prone_discomfort=["ankles", "lower_back"]), frozenset())

    assert [support.area for support in outcome.supports] == ["lower_back", "ankles"]
    assert "roller" in outcome.supports[1].item.lower()


def test_an_oil_or_nut_allergy_changes_the_oil_and_asks_for_a_check():
    outcome = RULE["oil_allergy"](screening(oil_or_nut_allergy=True, allergies="almond oil"), frozenset())

    assert outcome.oil == NEUTRAL_OIL
    assert outcome.findings[0].severity == Severity.REVIEW
    assert "almond oil" in outcome.findings[0].message


def test_painful_points_above_the_threshold_become_targets_strongest_first():
    pain_map = [
        {"area": "neck", "side": "left", "intensity": 3, "note": ""},
        {"area": "lower_back", "side": "right", "intensity": 6, "note": "after sitting"},
        {"area": "shoulders", "side": "both", "intensity": 9, "note": ""},
    ]

    outcome = RULE["pain_points"](screening(pain_map=pain_map), frozenset())

    assert outcome.pain_points == (
        PainPoint("shoulders", "both", 9, ""),
        PainPoint("lower_back", "right", 6, "after sitting"),
    )


def test_the_spine_never_gets_more_than_light_pressure():
    outcome = evaluate_screening(screening(), today=datetime.date(2026, 11, 24))

    assert outcome.pressure_caps == {"spine": "light"}
    assert "No direct pressure on the spine." in outcome.precautions


def test_a_pressure_preference_limits_pressure_everywhere():
    assert RULE["pressure_preference"](screening(pressure_preference="light"), frozenset()).max_pressure == "light"
    assert RULE["pressure_preference"](screening(pressure_preference="firm"), frozenset()).max_pressure is None


def test_recent_injury_and_other_conditions_need_review():
    injury = RULE["recent_injury"](
        screening(recent_injury=True, recent_injury_what="Knee surgery", recent_injury_when=datetime.date(2026, 9, 1)),
        frozenset(),
    )
    conditions = RULE["conditions"](screening(medications="Blood thinners"), frozenset())

    assert injury.findings[0].severity == Severity.REVIEW
    assert "Knee surgery (01 Sep 2026)" in injury.findings[0].message
    assert conditions.findings[0].severity == Severity.REVIEW


def test_a_healthy_client_has_no_findings():
    outcome = evaluate_screening(screening(), today=datetime.date(2026, 11, 24))

    assert outcome.findings == ()


def test_no_screening_at_all_needs_review():
    outcome = evaluate_screening(None)

    assert [finding.rule for finding in outcome.findings] == ["no_screening"]
    assert outcome.pressure_caps == {"spine": "light"}


def test_an_old_screening_needs_confirming():
    old = screening(created_at=datetime.datetime(2025, 10, 1, tzinfo=datetime.UTC))

    outcome = evaluate_screening(old, valid_months=12, today=datetime.date(2026, 11, 24))

    assert [finding.rule for finding in outcome.findings] == ["screening_expired"]


def test_validity_counts_in_the_salons_days_not_the_servers():
    """Answered at 00:30 in Berlin on 25 Nov 2025 (still the 24th in UTC):
    on 24 Nov 2026 in Berlin it is not yet twelve months old."""
    berlin = ZoneInfo("Europe/Berlin")
    late = screening(created_at=datetime.datetime(2025, 11, 25, 0, 30, tzinfo=berlin))
    today_in_berlin = datetime.date(2026, 11, 24)

    in_berlin = evaluate_screening(late, valid_months=12, today=today_in_berlin, zone=berlin)
    in_utc = evaluate_screening(late, valid_months=12, today=today_in_berlin, zone=datetime.UTC)

    assert in_berlin.findings == ()
    assert [finding.rule for finding in in_utc.findings] == ["screening_expired"]


def test_a_confirmation_renews_an_old_screening():
    old = screening(
        created_at=datetime.datetime(2025, 10, 1, tzinfo=datetime.UTC),
        confirmed_at=datetime.datetime(2026, 11, 20, tzinfo=datetime.UTC),
    )

    assert evaluate_screening(old, valid_months=12, today=datetime.date(2026, 11, 24)).findings == ()


def test_rules_combine_conservatively():
    answers = screening(
        pregnant=True,
        pressure_preference="light",
        skin_injuries=True,
        skin_injury_areas=["shoulders"],
        oil_or_nut_allergy=True,
        prone_discomfort=["neck"],
    )

    outcome = evaluate_screening(answers, today=datetime.date(2026, 11, 24))

    assert outcome.max_pressure == "light"  # the lower of pregnancy's medium and the preference
    assert outcome.position == "side_lying"
    assert outcome.avoid_areas == {"shoulders"}
    assert outcome.oil == NEUTRAL_OIL
    assert {finding.rule for finding in outcome.findings} == {
        "pregnancy",
        "pressure_preference",
        "skin_injuries",
        "oil_allergy",
        "prone_discomfort",
    }


@pytest.mark.parametrize("name", [name for name, _ in RULES])
def test_every_rule_is_silent_for_a_healthy_client(name):
    outcome = RULE[name](screening(), frozenset())

    assert outcome.findings == ()


def test_a_blood_clot_blocks_every_massage_until_cleared():
    blocked = RULE["blood_clots"](screening(blood_clots=True), frozenset())
    cleared = RULE["blood_clots"](screening(blood_clots=True), frozenset({"blood_clots"}))

    assert blocked.blocked_areas == frozenset(BodyArea.values)
    assert blocked.findings[0].severity == Severity.BLOCKED
    assert (cleared.blocked_areas, cleared.findings[0].severity) == (frozenset(), Severity.INFO)


def test_a_recent_fracture_or_surgery_keeps_away_from_its_area_and_asks_for_review():
    outcome = RULE["recent_injury"](
        screening(recent_injury=True, recent_injury_what="Broken rib", recent_injury_areas=["mid_back"]), frozenset()
    )

    assert outcome.avoid_areas == frozenset({"mid_back"})
    assert outcome.findings[0].severity == Severity.REVIEW
    assert "at the mid back: Broken rib" in outcome.findings[0].message


@pytest.mark.parametrize(("answer", "cap", "reason"), [
    ("blood_thinners", "medium", "blood thinners (bruising)"),
    ("osteoporosis", "light", "osteoporosis (fragile bones)"),
])  # fmt: skip
def test_blood_thinners_and_osteoporosis_cap_the_pressure_and_ask_for_review(answer, cap, reason):
    outcome = RULE[answer](screening(**{answer: True}), frozenset())

    assert outcome.max_pressure == cap
    assert outcome.limit_reasons == {"*": reason}
    assert outcome.findings[0].severity == Severity.REVIEW


@pytest.mark.parametrize(("answers", "review"), [
    ({"pregnant": True, "pregnancy_weeks": 10}, True),
    ({"pregnant": True, "pregnancy_weeks": 24, "pregnancy_high_risk": True}, True),
    ({"pregnant": True, "pregnancy_weeks": 24}, False),
])  # fmt: skip
def test_the_first_trimester_or_a_high_risk_pregnancy_needs_review(answers, review):
    outcome = RULE["pregnancy_risk"](screening(**answers), frozenset())

    assert bool(outcome.findings) is review


def test_fever_blocks_the_day_it_is_reported_and_later_asks_if_the_client_is_well():
    ill = screening(fever_or_acute_illness=True, created_at=datetime.datetime(2026, 11, 24, 9, tzinfo=datetime.UTC))

    same_day = evaluate_screening(ill, today=datetime.date(2026, 11, 24))
    next_week = evaluate_screening(ill, today=datetime.date(2026, 12, 1))

    assert same_day.blocked_areas == frozenset(BodyArea.values)
    assert [f.severity for f in same_day.findings if f.rule == "fever"] == [Severity.BLOCKED]
    assert next_week.blocked_areas == frozenset()
    assert [f.severity for f in next_week.findings if f.rule == "fever"] == [Severity.REVIEW]


def test_the_lowest_limit_keeps_its_reason_when_outcomes_combine():
    from clients.evaluation import combine

    outcome = combine([
        RULE["pregnancy"](screening(pregnant=True, pregnancy_weeks=24), frozenset()),
        RULE["osteoporosis"](screening(osteoporosis=True), frozenset()),
    ])  # fmt: skip

    assert outcome.max_pressure == "light"
    assert outcome.limit_reasons["*"] == "osteoporosis (fragile bones)"
