"""A session plan's own sentences (adaptations, step notes, findings) in the
language of the therapist who gives the session (issue 21): the builder
writes in the active language, the plan service picks it and records it."""

import datetime

import pytest
from django.utils import translation

from clients.evaluation import evaluate_screening
from clients.models import HealthScreening
from clients.outcome import PainPoint, ScreeningOutcome
from clients.rules import EVERYWHERE
from clients.services import screening_create
from routines.models import RoutineTemplate
from salon.errors import Conflict
from sessions.models import Appointment, SessionPlan
from sessions.plans import PlanNotPossible, RoutineWords, build_plan
from sessions.selectors import last_session_lessons
from sessions.services.booking import appointment_book
from sessions.services.feedback import feedback_record
from sessions.services.lifecycle import appointment_transition
from sessions.services.plans import session_plan_for_booking
from sessions.services.running import session_review_acknowledge, session_start
from tests.factories import ClientFactory, screening_answers, screening_for
from tests.scenario import salon_scenario
from tests.sessions.test_plans import CLASSIC, guide_spec

NEUTRAL = ScreeningOutcome.neutral()


def built(language: str, outcome: ScreeningOutcome = NEUTRAL, *, minutes: int = 48, routine=CLASSIC):
    with translation.override(language):
        return build_plan(routine=routine, outcome=outcome, booked_minutes=minutes)


def evaluated(language: str, **answers) -> ScreeningOutcome:
    """The rules' outcome as a reader of ``language`` gets it."""
    answered = HealthScreening(created_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC), **answers)
    with translation.override(language):
        return evaluate_screening(answered, today=datetime.date(2026, 11, 24))


# --- The builder writes in the active language --------------------------------


def test_a_plan_built_in_german_says_how_it_fitted_the_booking_in_german():
    assert built("de", minutes=50).adaptations == ("Verlängert auf die gebuchten 50 Minuten: Schritt 1.",)
    assert built("de", minutes=44).adaptations[0].startswith("Gekürzt auf die gebuchten 44 Minuten: Schritte ")
    assert built("de", minutes=80).adaptations[-1] == (
        "30 gebuchte Minuten über die längste Dauer des Ablaufs hinaus: für die schmerzhaften Punkte oder für "
        "mehr Ausstreichungen nutzen, wie es die Kund:in möchte."
    )


def test_one_minute_and_one_step_read_in_the_singular_in_both_languages():
    assert built("en", minutes=51).adaptations[-1].startswith("1 booked minute beyond the routine's longest: give it")
    assert built("de", minutes=51).adaptations[-1].startswith("1 gebuchte Minute über die längste Dauer")
    assert built("en", minutes=50).adaptations == ("Lengthened to fill 50 booked minutes: step 1.",)
    assert built("en", minutes=44).adaptations[0].startswith("Shortened to fit 44 booked minutes: steps ")


def test_a_german_plan_names_what_it_left_out_and_keeps_away_from_in_german():
    outcome = ScreeningOutcome(avoid_areas=frozenset({"lower_back", "mid_back"}))

    plan = built("de", outcome, minutes=60)

    assert (
        "Schritt 6 (Forearm stroking) entfällt: Er behandelt nur Bereiche, die laut Gesundheitsfragebogen "
        "ausgespart werden (unterer Rücken, mittlerer Rücken)."
    ) in plan.adaptations
    assert "Schritt 1 spart aus: unterer Rücken, mittlerer Rücken." in plan.adaptations
    assert "Aussparen: unterer Rücken, mittlerer Rücken (Gesundheitsfragebogen)." in plan.steps[0].notes


def test_a_german_plan_says_why_pressure_is_lower_in_german_words():
    # given the rules' outcome for a client who prefers medium pressure, read in German
    outcome = evaluated("de", pressure_preference="medium")

    plan = built("de", outcome, minutes=60)

    fingertips = plan.steps[2]
    assert fingertips.pressure_by_area["lower_back"] == "medium"  # the rule engine is the same in any language
    assert "Unterer Rücken: Druck höchstens mittel (Wunsch der Kund:in: Druck mittel)." in fingertips.notes
    assert plan.pressure_cap_reasons["spine"] == "kein direkter Druck auf die Wirbelsäule"


def test_a_german_plan_counts_its_painful_points_and_says_which_not_to_press_in_german():
    points = (PainPoint("spine", "both", 7), PainPoint("mid_back", "left", 6), PainPoint("lower_back", "left", 8))
    outcome = ScreeningOutcome(pain_points=points, avoid_areas=frozenset({"mid_back"}))

    german, english = built("de", outcome, minutes=60), built("en", outcome, minutes=60)

    assert [flag.message for flag in german.flags] == [
        "1 schmerzhafter Punkt für Daumendruck.",
        "2 schmerzhafte Punkte, die nicht gedrückt werden dürfen.",
    ]
    assert [point.reason for point in german.do_not_press] == [
        "kein direkter Druck auf die Wirbelsäule",
        "laut Gesundheitsfragebogen aussparen",
    ]
    assert [flag.message for flag in english.flags] == [
        "1 painful point to work with thumb pressure.",
        "2 painful points not to press.",
    ]


def test_a_german_plan_names_the_neutral_oil_and_the_pads_it_leaves_out_in_german():
    outcome = evaluated("de", oil_or_nut_allergy=True, prone_discomfort=["neck"])

    plan = built("de", outcome, minutes=30, routine=guide_spec("pregnancy-back-massage"))

    assert plan.oil == "Neutrales Babyöl (nussfrei, unparfümiert)"
    assert any(line.startswith("Öl: Neutrales Babyöl (nussfrei, unparfümiert) statt ") for line in plan.adaptations)
    assert "Polster für die Bauchlage entfallen: Dieser Ablauf wird in einer anderen Lage gegeben." in plan.adaptations


def test_the_same_plan_in_english_stays_english():
    outcome = evaluated("en", oil_or_nut_allergy=True, pressure_preference="light")

    plan = built("en", outcome, minutes=60)

    assert plan.oil == "Neutral baby oil (nut-free, unscented)"
    assert "Lower back: light pressure only (the client prefers light pressure)." in plan.steps[0].notes
    assert any(line.startswith("Oil: Neutral baby oil (nut-free, unscented) instead of") for line in plan.adaptations)


# --- Whose language: the plan service ----------------------------------------


def book(scene, routine, **answers):
    """Sabine booked with Anna tomorrow, with a screening of ``answers`` if any."""
    if answers:
        screening_for(scene.client, **answers)
    day = datetime.datetime.now(scene.salon.zone).date() + datetime.timedelta(days=1)
    return appointment_book(client=scene.client, routine=routine, start=scene.at(day, 10), therapist=scene.therapist)


@pytest.fixture
def relief(db):
    return RoutineTemplate.objects.get(slug="lower-back-relief", is_current=True)


@pytest.mark.django_db
def test_a_booking_at_a_german_location_gets_its_plan_in_german(relief):
    # given a location in German, booked from code with English active
    scene = salon_scenario(language="de")

    appointment = book(scene, relief, oil_or_nut_allergy=True, allergies="Mandelöl")

    plan = appointment.plan
    assert plan.plan["language"] == "de"
    assert plan.plan["oil"] == "Neutrales Babyöl (nussfrei, unparfümiert)"
    assert "Allergie gegen Öle oder Nüsse (Mandelöl)" in " ".join(flag["message"] for flag in plan.plan["flags"])
    assert plan.outcome["oil"] == "Neutrales Babyöl (nussfrei, unparfümiert)"  # the snapshot in the same words


@pytest.mark.django_db
def test_a_booking_too_short_is_refused_in_the_words_of_whoever_books(relief):
    # given a German location, and someone booking with English active
    scene = salon_scenario(language="de")

    with pytest.raises(PlanNotPossible) as refused:
        session_plan_for_booking(client=scene.client, salon=scene.salon, routine=relief, booked_minutes=5)

    assert refused.value.code == "booking_too_short"
    assert refused.value.detail.startswith("The routine needs at least ")


def reads_german(therapist):
    therapist.user.language = "de"
    therapist.user.save(update_fields=["language"])


NUT_FREE_OIL_EN = (
    "Oil: Neutral baby oil (nut-free, unscented) instead of Massage oil (baby oil as a substitute) (screening)."
)
NUT_FREE_OIL_DE = (
    "Öl: Neutrales Babyöl (nussfrei, unparfümiert) statt Massageöl (ersatzweise Babyöl) (Gesundheitsfragebogen)."
)


@pytest.mark.django_db
def test_a_new_booking_with_a_therapist_who_reads_english_gets_her_plan_in_english_at_a_german_location(relief):
    # given a German location whose therapist Anna reads English, and a client allergic to nuts
    scene = salon_scenario(language="de", therapists=[{"display_name": "Anna", "user__language": "en"}])

    # when the client is booked with her
    appointment = book(scene, relief, oil_or_nut_allergy=True)

    # then the plan is written for her, from the first booking on
    plan = appointment.plan
    assert plan.plan["language"] == "en"
    assert NUT_FREE_OIL_EN in plan.plan["adaptations"]
    assert plan.outcome["oil"] == "Neutral baby oil (nut-free, unscented)"  # the snapshot in the same words
    assert SessionPlan.objects.count() == 1  # the plan built before she was placed was not kept too


@pytest.mark.django_db
def test_a_new_booking_with_a_therapist_who_reads_german_gets_her_plan_in_german(relief):
    # given an English location whose therapist Anna reads German
    scene = salon_scenario(therapists=[{"display_name": "Anna", "user__language": "de"}])

    appointment = book(scene, relief, oil_or_nut_allergy=True)

    assert appointment.plan.plan["language"] == "de"
    assert NUT_FREE_OIL_DE in appointment.plan.plan["adaptations"]


@pytest.mark.django_db
def test_a_booking_left_to_anyone_is_written_in_the_language_of_the_therapist_it_is_given_to(relief):
    # given a German location: Anna reads German but is booked at ten, Ben reads English
    scene = salon_scenario(
        language="de",
        therapists=[
            {"display_name": "Anna", "user__language": "de"},
            {"display_name": "Ben", "user__language": "en"},
        ],
        rooms=["Linden", "Birke"],
    )
    screening_for(scene.client, oil_or_nut_allergy=True)
    day = datetime.datetime.now(scene.salon.zone).date() + datetime.timedelta(days=1)
    other = ClientFactory(salon=scene.salon, given_name="Petra")
    appointment_book(client=other, routine=relief, start=scene.at(day, 10), therapist=scene.therapist)

    # when Sabine is booked at ten with whoever is free
    appointment = appointment_book(client=scene.client, routine=relief, start=scene.at(day, 10))

    # then Ben has her, and her plan is in his language
    assert appointment.therapist.display_name == "Ben"
    assert appointment.plan.plan["language"] == "en"
    assert NUT_FREE_OIL_EN in appointment.plan.plan["adaptations"]


@pytest.mark.django_db
def test_an_online_booking_without_a_plan_says_why_in_its_therapists_language(relief):
    # given a German location whose therapist Anna reads English, and a client whose spine is inflamed
    scene = salon_scenario(language="de", therapists=[{"display_name": "Anna", "user__language": "en"}])
    screening_for(scene.client, acute_spinal_inflammation=True)
    day = datetime.datetime.now(scene.salon.zone).date() + datetime.timedelta(days=1)

    # when the location takes the online booking with her whatever the screening says
    appointment = appointment_book(
        client=scene.client,
        routine=relief,
        start=scene.at(day, 10),
        therapist=scene.therapist,
        origin=Appointment.Origin.ONLINE,
        without_plan_if_screening_forbids=True,
    )

    # then she reads why in English
    assert appointment.plan is None
    assert appointment.plan_problem.startswith("Online booking taken without a plan: Lower-back relief ")


@pytest.mark.django_db
def test_a_rebuilt_plan_is_in_its_therapists_own_language(relief):
    # given an English location, a plan in English, and then Anna, its therapist, reading German
    scene = salon_scenario()
    appointment = book(scene, relief)
    assert appointment.plan.plan["language"] == "en"
    reads_german(scene.therapist)

    # when a new screening rebuilds the plan
    screening_create(client=scene.client, answers=screening_answers(osteoporosis=True), entered_via="staff")

    appointment.refresh_from_db()
    assert appointment.plan.plan["language"] == "de"
    assert "Osteoporose: nur leichter Druck, nicht auf die Knochen." in [
        flag["message"] for flag in appointment.plan.plan["flags"]
    ]
    assert appointment.plan.change_note.endswith(" UTC)")


@pytest.mark.django_db
def test_starting_keeps_a_plan_that_differs_from_its_therapist_only_in_language(relief):
    # given Anna at an English location: a plan in English that needs review, acknowledged, and then she reads German
    scene = salon_scenario()
    appointment = book(scene, relief, osteoporosis=True)
    reads_german(scene.therapist)
    session_review_acknowledge(appointment=appointment, by=scene.therapist.user)
    appointment_transition(appointment=appointment, to_status="checked_in", now=appointment.start)
    plan_before = appointment.plan_id

    # when she starts the session
    started = session_start(appointment=appointment, by=scene.therapist.user)

    # then the screening has not changed, so neither has the plan nor her acknowledgement
    assert started.status == "in_progress"
    assert started.plan_id == plan_before
    assert started.review_acknowledged_at is not None


def written_before_plans_kept_their_language(appointment, **rewording):
    """The plan as stored before plans recorded their language: no "language",
    and its findings in the wording of then."""
    stored = appointment.plan
    stored.plan = {key: value for key, value in stored.plan.items() if key != "language"}
    stored.outcome = {
        **stored.outcome,
        "findings": [
            {**finding, "message": rewording.get(finding["rule"], finding["message"])}
            for finding in stored.outcome["findings"]
        ],
    }
    stored.save(update_fields=["plan", "outcome"])


def test_starting_keeps_an_older_plan_whose_screening_differs_only_in_wording(relief):
    # given an acknowledged plan that needs review, stored before plans kept their language, in older words
    scene = salon_scenario()
    shoulders = {"area": "shoulders", "side": "left", "intensity": 6, "note": ""}
    appointment = book(scene, relief, osteoporosis=True, pain_map=[shoulders])
    written_before_plans_kept_their_language(appointment, pain_points="1 painful point(s) to work with thumb pressure.")
    session_review_acknowledge(appointment=appointment, by=scene.therapist.user)
    appointment_transition(appointment=appointment, to_status="checked_in", now=appointment.start)
    plan_before = appointment.plan_id

    # when the therapist starts the session
    started = session_start(appointment=appointment, by=scene.therapist.user)

    # then what the screening asks is the same: the plan and her acknowledgement stay
    assert started.status == "in_progress"
    assert started.plan_id == plan_before
    assert started.review_acknowledged_at is not None


def test_an_older_plan_is_still_rebuilt_when_what_the_screening_asks_has_changed(relief):
    # given an acknowledged older plan, and then a screening that says to keep away from the shoulders
    scene = salon_scenario()
    appointment = book(scene, relief, osteoporosis=True)
    written_before_plans_kept_their_language(appointment)
    session_review_acknowledge(appointment=appointment, by=scene.therapist.user)
    stored = appointment.plan
    stored.outcome = {**stored.outcome, "avoid_areas": ["shoulders"]}
    stored.save(update_fields=["outcome"])
    appointment_transition(appointment=appointment, to_status="checked_in", now=appointment.start)

    # when the therapist tries to start the session
    with pytest.raises(Conflict) as refused:
        session_start(appointment=appointment, by=scene.therapist.user)

    # then the plan was rebuilt from the screening as it is, and she must look at it again
    assert refused.value.code == "review_required"
    appointment.refresh_from_db()
    assert appointment.plan_id != stored.pk
    assert appointment.review_acknowledged_at is None


# --- The routine's own words inside the plan's sentences ------------------------


def test_the_builder_names_the_routines_oil_and_techniques_in_the_words_it_is_given():
    # given the classic routine's words in German, and a client who must not have its oil
    words = RoutineWords(
        name="Klassische Rückenmassage",
        oil="Massageöl (ersatzweise Babyöl)",
        techniques={6: "Streichen mit den Unterarmen"},
    )
    outcome = ScreeningOutcome(avoid_areas=frozenset({"lower_back", "mid_back"}), oil="Neutrales Babyöl")

    with translation.override("de"):
        plan = build_plan(routine=CLASSIC, outcome=outcome, booked_minutes=60, words=words)

    assert "Öl: Neutrales Babyöl statt Massageöl (ersatzweise Babyöl) (Gesundheitsfragebogen)." in plan.adaptations
    assert any(line.startswith("Schritt 6 (Streichen mit den Unterarmen) entfällt:") for line in plan.adaptations)
    # the plan keeps the routine's words as written: the session page swaps them for its reader
    assert plan.routine_name == "Classic back massage"
    assert "Forearm stroking" not in [step.technique for step in plan.steps]  # step 6 is left out
    assert plan.steps[0].technique == CLASSIC.steps[0].technique


def test_without_words_the_builder_names_the_routines_things_as_written():
    outcome = ScreeningOutcome(oil="Neutral baby oil")

    plan = built("en", outcome, minutes=48)

    assert "Oil: Neutral baby oil instead of Massage oil (baby oil as a substitute) (screening)." in plan.adaptations


@pytest.mark.django_db
def test_a_german_plan_names_the_routines_own_oil_in_german_and_keeps_it_as_written(relief):
    # given a German location and a client allergic to nuts
    scene = salon_scenario(language="de")

    appointment = book(scene, relief, oil_or_nut_allergy=True)

    plan = appointment.plan.plan
    assert (
        "Öl: Neutrales Babyöl (nussfrei, unparfümiert) statt Massageöl (ersatzweise Babyöl) (Gesundheitsfragebogen)."
    ) in plan["adaptations"]
    assert plan["routine_name"] == "Lower-back relief"
    assert appointment.plan.routine_snapshot["oil"] == "Massage oil (baby oil as a substitute)"


@pytest.mark.django_db
def test_a_german_plan_names_the_step_it_leaves_out_by_its_german_technique():
    # given a German location and a wound across the lower and middle back
    scene = salon_scenario(language="de")
    classic = RoutineTemplate.objects.get(slug="classic-back-massage", is_current=True)

    appointment = book(scene, classic, skin_injuries=True, skin_injury_areas=["lower_back", "mid_back"])

    adaptations = appointment.plan.plan["adaptations"]
    assert any(line.startswith("Schritt 6 (Streichen mit den Unterarmen) entfällt:") for line in adaptations)
    assert appointment.plan.plan["steps"][0]["technique"] == "Open-palm stroking"  # kept as written


@pytest.mark.django_db
def test_an_online_booking_without_a_plan_says_why_in_the_locations_language_naming_the_german_routine(relief):
    # given a German location, a client whose spine is inflamed, and the booking read with English active
    scene = salon_scenario(language="de")
    screening_for(scene.client, acute_spinal_inflammation=True)
    day = datetime.datetime.now(scene.salon.zone).date() + datetime.timedelta(days=1)

    # when the location takes the online booking whatever the screening says
    appointment = appointment_book(
        client=scene.client,
        routine=relief,
        start=scene.at(day, 10),
        origin=Appointment.Origin.ONLINE,
        without_plan_if_screening_forbids=True,
    )

    # then the therapist reads why, and whose booking it was, in German
    assert appointment.plan is None
    assert appointment.plan_problem.startswith(
        "Onlinebuchung ohne Plan angenommen: Entlastung für den unteren Rücken behandelt diese Bereiche: "
    )


# --- What the last session taught, dated as the reader writes dates ------------


@pytest.mark.django_db
def test_the_last_visit_is_dated_as_the_readers_language_writes_short_dates(relief):
    # given Sabine's last session, on 5 December just after midnight at the Berlin location, felt too strong
    scene = salon_scenario(opens=datetime.time(0), works=(datetime.time(0), datetime.time(17)))
    screening_for(scene.client)
    start = datetime.datetime(2026, 12, 5, 0, 30, tzinfo=scene.salon.zone)
    appointment = appointment_book(
        client=scene.client,
        routine=relief,
        start=start,
        therapist=scene.therapist,
        now=start - datetime.timedelta(days=3),
    )
    for status in ("checked_in", "in_progress", "completed"):
        appointment = appointment_transition(appointment=appointment, to_status=status, now=appointment.start)
    feedback_record(appointment=appointment, overall=4, pressure="too_strong")

    with translation.override("de"):
        german = last_session_lessons(scene.client)
    with translation.override("en"):
        english = last_session_lessons(scene.client)

    # then the day is the location's (still 4 December in UTC), in each language's short form
    assert "Beim letzten Mal (05.12.) war der Druck zu fest: diesmal höchstens mittel." in german.precautions
    assert "Last time (5 Dec) the pressure felt too strong: medium at most this time." in english.precautions
    assert english.limit_reasons[EVERYWHERE] == "it felt too strong last time (5 Dec)"
