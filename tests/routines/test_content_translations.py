"""Routine content in the reader's language (issue 21, point 4): the guide's
routines carry German written for the salon, a German therapist reads the
plan in German and a German client gets German names and advice; a text
without a translation is shown as the salon wrote it."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone, translation
from rest_framework.test import APIClient

from routines.content import text_in
from routines.guide import ROUTINES
from routines.models import RoutineStep, RoutineTemplate, Technique
from routines.services import routine_new_version, routine_update, service_set
from salon.roles import Role
from sessions.messages import context_for, send_email
from sessions.models import Notification
from sessions.services.booking import appointment_book
from tests.factories import ClientFactory, UserFactory, screening_for, short_routine
from tests.helpers import BERLIN, at, sign_in
from tests.scenario import salon_scenario

pytestmark = pytest.mark.django_db

GUIDE_SLUGS = [spec["slug"] for spec in ROUTINES]


@pytest.fixture
def scene(db):
    return salon_scenario()


@pytest.fixture
def tomorrow() -> datetime.date:
    return (timezone.now().astimezone(BERLIN) + datetime.timedelta(days=1)).date()


@pytest.fixture
def classic():
    return RoutineTemplate.objects.get(slug="classic-back-massage", is_current=True)


@pytest.fixture
def manager_api():
    api = APIClient()
    api.force_authenticate(UserFactory(roles=[Role.MANAGER]))
    return api


def reads_german(user):
    user.language = "de"
    user.save(update_fields=["language"])
    return user


# --- the data migration -------------------------------------------------------------------------


@pytest.mark.parametrize("slug", GUIDE_SLUGS)
def test_every_guide_routine_has_german_for_its_name_advice_and_steps(slug):
    routine = RoutineTemplate.objects.get(slug=slug, is_current=True)

    german = routine.translations["de"]
    assert german["name"] not in {"", routine.name}
    assert german["aftercare"] not in {"", routine.aftercare}
    assert len(german["precautions"]) == len(routine.precautions)
    for step in routine.steps.select_related("technique"):
        assert step.translations["de"]["notes"], step
        assert step.technique.translations["de"]["name"], step.technique


def test_the_german_speaks_to_the_client_as_sie():
    for slug in GUIDE_SLUGS:
        advice = RoutineTemplate.objects.get(slug=slug, is_current=True).translations["de"]["aftercare"]
        assert " Sie " in advice, slug
        assert " du " not in advice.lower(), slug


# --- the fallback rule --------------------------------------------------------------------------


def test_text_in_picks_the_reader_language_and_falls_back_to_the_salons_text(classic):
    assert text_in(classic, "name", "de") == "Klassische Rückenmassage"
    assert text_in(classic, "name", "de-at") == "Klassische Rückenmassage"
    assert text_in(classic, "name", "en") == "Classic back massage"
    with translation.override("de"):
        assert text_in(classic, "name") == "Klassische Rückenmassage"


def test_an_empty_or_stale_translation_falls_back_to_the_salons_text(classic):
    classic.translations = {"de": {"name": "  ", "precautions": ["Nur eine Zeile"]}}

    assert text_in(classic, "name", "de") == classic.name
    # One line for several: it no longer matches the lines it translated.
    assert text_in(classic, "precautions", "de") == classic.precautions


# --- where people read it -----------------------------------------------------------------------


def test_a_german_therapist_reads_the_guide_routine_in_german_on_my_day_and_the_session_page(
    client, scene, classic, tomorrow
):
    # Given a German-reading therapist with a classic back massage booked
    appointment = appointment_book(client=scene.client, routine=classic, start=at(tomorrow, 10))
    sign_in(client, reads_german(scene.therapist.user))

    # When they open their day and the session
    day = client.get(f"/my-day/?date={tomorrow}").content.decode()
    session = client.get(f"/sessions/{appointment.pk}/").content.decode()

    # Then the routine, its steps and their notes are in German
    for html in (day, session):
        assert "Klassische Rückenmassage" in html
        assert "Streichen mit der flachen Hand" in html
        assert "Verstärktes Reiben mit den Daumen" in html
        assert "Etwas Öl in den Handflächen anwärmen" in html
        assert "Open-palm stroking" not in html
        assert "Warm a little oil in your palms" not in html


def test_an_english_therapist_reads_the_same_plan_as_written(client, scene, classic, tomorrow):
    appointment_book(client=scene.client, routine=classic, start=at(tomorrow, 10))
    sign_in(client, scene.therapist.user)

    html = client.get(f"/my-day/?date={tomorrow}", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Classic back massage" in html
    assert "Open-palm stroking" in html
    assert "Klassische Rückenmassage" not in html


def test_a_routine_without_german_shows_its_own_words_to_a_german_therapist(client, scene, tomorrow):
    own = short_routine(slug="hot-stones", minutes=45, turnover=15)
    RoutineTemplate.objects.filter(pk=own.pk).update(name="Hot stones")
    appointment_book(client=scene.client, routine=own, start=at(tomorrow, 10))
    sign_in(client, reads_german(scene.therapist.user))

    html = client.get(f"/my-day/?date={tomorrow}").content.decode()

    assert "Hot stones" in html


def test_the_day_page_reads_the_translations_in_a_fixed_number_of_queries(
    client, scene, classic, tomorrow, django_assert_max_num_queries
):
    sign_in(client, reads_german(scene.therapist.user))
    appointment_book(client=scene.client, routine=classic, start=at(tomorrow, 9))
    client.get(f"/my-day/?date={tomorrow}")  # warms the per-process caches
    with django_assert_max_num_queries(20) as one:
        client.get(f"/my-day/?date={tomorrow}")
    for hour in (11, 13, 15):
        appointment_book(client=ClientFactory(salon=scene.salon), routine=classic, start=at(tomorrow, hour))

    with django_assert_max_num_queries(len(one.captured_queries)):
        html = client.get(f"/my-day/?date={tomorrow}").content.decode()

    assert html.count("Klassische Rückenmassage") >= 4


def test_a_german_client_gets_the_routine_in_german_in_the_confirmation_email(scene, classic, tomorrow):
    person = ClientFactory(salon=scene.salon, given_name="Sabine", language="de")
    screening_for(person)
    appointment = appointment_book(client=person, routine=classic, start=at(tomorrow, 10))
    confirmation = Notification.objects.get(appointment=appointment, kind=Notification.Kind.CONFIRMATION)

    send_email(confirmation)

    (email,) = mail.outbox
    html = email.alternatives[0][0]
    assert "Klassische Rückenmassage" in email.body
    assert "Klassische Rückenmassage" in html
    assert "Classic back massage" not in email.body
    ics = email.attachments[0][1]
    assert "Klassische Rückenmassage" in (ics.decode() if isinstance(ics, bytes) else ics)


def test_the_after_care_advice_is_in_the_clients_language(scene, classic, tomorrow):
    appointment = appointment_book(client=scene.client, routine=classic, start=at(tomorrow, 10))
    request = Notification(appointment=appointment, client=scene.client, kind=Notification.Kind.FEEDBACK_REQUEST)

    with translation.override("de"):
        german = context_for(request)["aftercare"]
    with translation.override("en"):
        english = context_for(request)["aftercare"]

    assert german.startswith("Trinken Sie ein Glas Wasser")
    assert english == classic.aftercare


def test_the_online_menu_shows_name_and_description_in_german(scene, classic):
    service_set(
        salon=scene.salon,
        routine=classic,
        lengths=[(60, 6500)],
        online=True,
        description="Our classic: the whole back, neck to lower back.",
        translations={"de": {"description": "Unser Klassiker: der ganze Rücken, vom Nacken bis zum Kreuz."}},
    )

    german = APIClient().get(f"/book/{scene.salon.pk}/?lang=de").content.decode()
    english = APIClient().get(f"/book/{scene.salon.pk}/?lang=en").content.decode()

    assert "Klassische Rückenmassage" in german
    assert "Unser Klassiker: der ganze Rücken" in german
    assert "Our classic: the whole back" in english
    assert "Klassische Rückenmassage" not in english


# --- editing ------------------------------------------------------------------------------------


def test_a_manager_sets_translations_through_the_api(manager_api):
    own = short_routine(slug="quick-back")

    response = manager_api.patch(
        f"/api/v1/routines/{own.pk}/",
        {"translations": {"de": {"name": "Schneller Rücken", "aftercare": "Trinken Sie Wasser."}}},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["translations"]["de"]["name"] == "Schneller Rücken"
    own.refresh_from_db()
    assert text_in(own, "name", "de") == "Schneller Rücken"


@pytest.mark.parametrize(
    "translations",
    [
        {"fr": {"name": "Dos rapide"}},
        {"de": {"colour": "blau"}},
        {"de": {"name": "R" * 101}},
        {"de": {"name": 7}},
        {"de": {"precautions": "Eine Zeile"}},
        {"de": "Schneller Rücken"},
        ["de"],
    ],
)
def test_bad_translations_get_400_naming_the_field_and_nothing_changes(manager_api, translations):
    own = short_routine(slug="quick-back")

    response = manager_api.patch(f"/api/v1/routines/{own.pk}/", {"translations": translations}, format="json")

    assert response.status_code == 400
    assert "translations" in response.json()["fields"], response.json()
    own.refresh_from_db()
    assert own.translations == {}


def test_bad_step_translations_name_the_step(manager_api, classic):
    steps = manager_api.get(f"/api/v1/routines/{classic.pk}/").json()["steps"]
    steps[0]["translations"] = {"de": {"notes": "x" * 1001}}

    response = manager_api.patch(f"/api/v1/routines/{classic.pk}/", {"steps": steps}, format="json")

    assert response.status_code == 400
    assert any(field.startswith("steps") and "translations" in field for field in response.json()["fields"]), (
        response.json()
    )


def test_bad_service_translations_get_400_naming_the_field(scene, manager_api, classic):
    response = manager_api.put(
        f"/api/v1/services/{classic.slug}/?location={scene.salon.pk}",
        {"description": "Classic", "translations": {"xx": {"description": "?"}}},
        format="json",
    )

    assert response.status_code == 400
    assert "translations" in response.json()["fields"], response.json()


# --- versions -----------------------------------------------------------------------------------


def test_a_new_version_keeps_the_translations(classic):
    successor = routine_new_version(routine=classic)

    assert successor.version == classic.version + 1
    assert successor.translations == classic.translations
    old_steps = {step.order: step.translations for step in classic.steps.all()}
    new_steps = {step.order: step.translations for step in successor.steps.all()}
    assert new_steps == old_steps
    assert new_steps[1]["de"]["notes"].startswith("Etwas Öl")


def test_an_edit_keeps_the_translations_of_the_text_it_leaves_alone_and_drops_the_stale_ones(scene, classic, tomorrow):
    # Given the classic routine in use by a plan
    appointment_book(client=scene.client, routine=classic, start=at(tomorrow, 10))
    steps = [
        {**data, "notes": "Warm the oil first." if data["order"] == 1 else data["notes"]}
        for data in editor_steps(classic)
    ]

    # When a manager (whose editor shows English only) changes one step's notes and the after-care
    successor = routine_update(routine=classic, steps=steps, aftercare="Drink water.")

    # Then the new version keeps the German of what stayed and drops the German of what changed
    assert successor.pk != classic.pk
    assert "aftercare" not in successor.translations["de"]
    assert successor.translations["de"]["name"] == "Klassische Rückenmassage"
    by_order = {step.order: step for step in successor.steps.all()}
    assert by_order[1].translations == {}
    assert by_order[2].translations["de"]["notes"] == classic.steps.get(order=2).translations["de"]["notes"]
    assert text_in(by_order[1], "notes", "de") == "Warm the oil first."


def editor_steps(routine) -> list[dict]:
    """The steps as an editor without translations sends them."""
    return [
        {
            "order": step.order,
            "technique": step.technique,
            "areas": step.areas,
            "direction": step.direction,
            "side": step.side,
            "pressure": step.pressure,
            "dose_kind": step.dose_kind,
            "min_minutes": step.min_minutes,
            "max_minutes": step.max_minutes,
            "count": step.count,
            "unit": step.unit,
            "seconds_per_unit": step.seconds_per_unit,
            "per_side": step.per_side,
            "alternating_minutes": step.alternating_minutes,
            "uses_pain_map": step.uses_pain_map,
            "notes": step.notes,
            "core": step.core,
            "area_pressure": step.area_pressure,
            "repeat_of": step.repeat_of.order if step.repeat_of_id else None,
        }
        for step in routine.steps.select_related("technique", "repeat_of")
    ]


def test_the_techniques_of_the_guide_have_german_names():
    names = dict(Technique.objects.values_list("name", "translations"))

    assert names["Open-palm stroking"]["de"]["name"] == "Streichen mit der flachen Hand"
    assert RoutineStep.objects.filter(routine__slug__in=GUIDE_SLUGS, translations={}).exclude(notes="").count() == 0
