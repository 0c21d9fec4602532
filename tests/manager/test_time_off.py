"""The manager's time-off page: requests waiting come first, with the
sessions booked then; approve or decline with a note (the therapist is
emailed); approval over a booking is refused on the page with the sessions
listed; time off entered directly, listed and removed; in a fixed number of
queries; managers only."""

import datetime

import pytest
from django.core import mail

from salon.models import TimeOff
from salon.roles import Role
from sessions.services.booking import appointment_book
from sessions.services.time_off import time_off_add, time_off_request, time_off_withdraw
from tests.factories import TherapistFactory, UserFactory, short_routine, works_every_day
from tests.helpers import at, sign_in
from tests.scenario import salon_scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    scene = salon_scenario(therapists=["Anna", "Ben"], rooms=["Linden", "Birke"])
    for therapist in scene.therapists:
        therapist.user.email = f"{therapist.display_name.lower()}@salon.example"
        therapist.user.save(update_fields=["email"])
    return scene


@pytest.fixture
def boss():
    return UserFactory(username="petra", first_name="Petra", last_name="Lang", roles=[Role.MANAGER])


@pytest.fixture
def manager_page(client, boss):
    sign_in(client, boss)
    return client


@pytest.fixture
def eager_celery():
    """Tasks run in this process (as tests/sessions/conftest.py's fixture)."""
    from config.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def day():
    return datetime.date.today() + datetime.timedelta(days=10)


def ask(therapist, day, reason="Wedding"):
    return time_off_request(
        therapist=therapist,
        start=at(day, 0),
        end=at(day + datetime.timedelta(days=1), 0),
        reason=reason,
        by=therapist.user,
    )


def test_requests_waiting_come_first_with_the_sessions_booked_then(manager_page, scene, day):
    anna, ben = scene.therapists
    ask(anna, day, reason="Sister's wedding")
    appointment_book(client=scene.client, routine=short_routine(), start=at(day, 10), therapist=anna)
    time_off_add(therapist=ben, start=at(day, 13), end=at(day, 17), reason="Dentist")

    page = manager_page.get("/manage/time-off/")

    text = page.content.decode()
    assert page.status_code == 200
    assert text.index("Requests waiting for you (1)") < text.index("Planned time off")
    waiting = page.context["waiting"]
    assert [(asked.therapist, asked.reason) for asked in waiting] == [(anna, "Sister's wedding")]
    assert [session.client for session in waiting[0].clashes] == [scene.client]
    assert "1 booked session then." in text
    assert f"{day:%a} {day.day} {day:%b %Y} (the whole day)" in text
    assert [(away.therapist, away.when) for away in page.context["ahead"]] == [
        (ben, f"{day:%a} {day.day} {day:%b %Y}, 13:00–17:00")
    ]
    assert f"{day:%a} {day.day} {day:%b %Y}, 13:00–17:00" in text


def test_approving_tells_the_therapist_and_takes_the_time(
    manager_page, scene, day, eager_celery, django_capture_on_commit_callbacks
):
    anna = scene.therapist
    asked = ask(anna, day)

    with django_capture_on_commit_callbacks(execute=True):
        answer = manager_page.post(f"/manage/time-off/{asked.pk}/approve/", {"note": "Have fun"})

    assert answer.status_code == 302
    asked.refresh_from_db()
    assert (asked.status, asked.decision_note) == (TimeOff.Status.APPROVED, "Have fun")
    page = manager_page.get(answer["Location"])
    said = [str(message) for message in page.context["messages"]]
    assert said == [
        f"Approved: Anna's time off {day:%a} {day.day} {day:%b %Y} (the whole day); they will get an email."
    ]
    assert page.context["waiting"] == []
    assert [away.pk for away in page.context["ahead"]] == [asked.pk]
    (email,) = mail.outbox
    assert (email.to, email.subject) == (["anna@salon.example"], "Your time off is approved")
    assert "Note from Petra Lang: Have fun" in email.body


def test_declining_keeps_the_note_and_tells_the_therapist(
    manager_page, scene, day, eager_celery, django_capture_on_commit_callbacks
):
    asked = ask(scene.therapist, day)

    with django_capture_on_commit_callbacks(execute=True):
        answer = manager_page.post(f"/manage/time-off/{asked.pk}/decline/", {"note": "Two are away already."})

    assert answer.status_code == 302
    asked.refresh_from_db()
    assert asked.status == TimeOff.Status.DECLINED
    assert mail.outbox[0].subject == "Your time off was not approved"
    page = manager_page.get("/manage/time-off/")
    assert "Two are away already." in page.content.decode()  # under "Declined lately"


def test_approval_over_a_booking_is_refused_on_the_page_with_the_session_listed(manager_page, scene, day):
    asked = ask(scene.therapist, day)
    appointment_book(client=scene.client, routine=short_routine(), start=at(day, 11), therapist=scene.therapist)

    page = manager_page.post(f"/manage/time-off/{asked.pk}/approve/")

    text = page.content.decode()
    assert page.status_code == 409
    assert "move or cancel it first" in text
    assert f"{day:%a %d %b} 11:00 {scene.client} with Anna" in text
    asked.refresh_from_db()
    assert asked.status == TimeOff.Status.REQUESTED


def test_deciding_twice_or_after_a_withdrawal_is_refused_on_the_page(manager_page, scene, day):
    decided, withdrawn = ask(scene.therapist, day), ask(scene.therapist, day + datetime.timedelta(days=1))
    manager_page.post(f"/manage/time-off/{decided.pk}/decline/")
    time_off_withdraw(time_off=withdrawn, by=scene.therapist.user)

    twice = manager_page.post(f"/manage/time-off/{decided.pk}/approve/")
    gone = manager_page.post(f"/manage/time-off/{withdrawn.pk}/approve/")

    assert twice.status_code == 409
    assert "already been declined" in twice.content.decode()
    assert gone.status_code == 409
    assert "withdrawn" in gone.content.decode()


def test_a_manager_enters_days_and_hours_off_and_removes_them(manager_page, scene, day):
    anna, ben = scene.therapists

    days = manager_page.post(
        "/manage/time-off/add/",
        {
            "kind": "days",
            "days-therapist": anna.pk,
            "days-first_day": day,
            "days-last_day": day + datetime.timedelta(2),
        },
    )
    hours = manager_page.post(
        "/manage/time-off/add/",
        {"kind": "hours", "hours-therapist": ben.pk, "hours-day": day, "hours-starts": "13:00", "hours-ends": "15:30"},
    )

    assert (days.status_code, hours.status_code) == (302, 302)
    entered = {away.therapist: away for away in TimeOff.objects.all()}
    assert (entered[anna].start, entered[anna].end) == (at(day, 0), at(day + datetime.timedelta(days=3), 0))
    assert (entered[ben].start, entered[ben].end) == (at(day, 13), at(day, 15, 30))
    assert {away.status for away in entered.values()} == {TimeOff.Status.APPROVED}

    removed = manager_page.post(f"/manage/time-off/{entered[anna].pk}/remove/")

    assert removed.status_code == 302
    assert list(TimeOff.objects.values_list("therapist", flat=True)) == [ben.pk]


def test_time_off_over_a_booking_or_bad_input_is_refused_next_to_its_field(manager_page, scene, day):
    anna = scene.therapist
    appointment_book(client=scene.client, routine=short_routine(), start=at(day, 10), therapist=anna)

    booked = manager_page.post(
        "/manage/time-off/add/", {"kind": "days", "days-therapist": anna.pk, "days-first_day": day}
    )
    upside_down = manager_page.post(
        "/manage/time-off/add/",
        {"kind": "hours", "hours-therapist": anna.pk, "hours-day": day, "hours-starts": "15:00", "hours-ends": "13:00"},
    )
    nobody = manager_page.post("/manage/time-off/add/", {"kind": "days", "days-first_day": "not a date"})

    assert booked.status_code == 409
    assert "10:00" in booked.content.decode()
    assert upside_down.status_code == 400
    assert upside_down.context["hours_form"].errors == {"ends": ["Until comes after from."]}
    assert nobody.status_code == 400
    assert set(nobody.context["days_form"].errors) == {"therapist", "first_day"}
    assert not TimeOff.objects.exists()


def test_only_this_locations_therapists_are_listed_and_decided(manager_page, scene, day, boss):
    london, _ = scene.location_add(name="London", time_zone="Europe/London")
    tom = TherapistFactory(salon=london, display_name="Tom")
    works_every_day(tom)
    theirs = ask(tom, day)
    boss.all_locations = False
    boss.save(update_fields=["all_locations"])
    boss.locations.add(scene.salon)

    page = manager_page.get("/manage/time-off/")
    approving = manager_page.post(f"/manage/time-off/{theirs.pk}/approve/")

    assert page.context["waiting"] == []
    assert "Tom" not in [str(choice) for _, choice in page.context["days_form"].fields["therapist"].choices]
    assert approving.status_code == 409  # not there for this manager
    theirs.refresh_from_db()
    assert theirs.status == TimeOff.Status.REQUESTED


def test_the_page_reads_a_fixed_number_of_queries(manager_page, scene, day, django_assert_max_num_queries):
    routine = short_routine()

    def fill(count):
        """``count`` therapists, each asking for a day with a session booked then, and off an hour."""
        for offset in range(count):
            therapist = TherapistFactory(salon=scene.salon, display_name=f"T{offset}-{count}")
            works_every_day(therapist)
            ask(therapist, day + datetime.timedelta(days=offset))
            time_off_add(therapist=therapist, start=at(day, 9), end=at(day, 10))
            booked = at(day + datetime.timedelta(days=offset), 14)
            appointment_book(client=scene.client, routine=routine, start=booked, therapist=therapist)

    fill(1)
    with django_assert_max_num_queries(30) as few:
        manager_page.get("/manage/time-off/")
    fill(5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = manager_page.get("/manage/time-off/")
    assert len(page.context["waiting"]) == 6
    assert all(len(asked.clashes) == 1 for asked in page.context["waiting"])


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.THERAPIST])
def test_only_managers_get_in(client, scene, role):
    sign_in(client, UserFactory(roles=[role]))

    assert client.get("/manage/time-off/").status_code == 403
    assert client.post("/manage/time-off/add/", {}).status_code == 403
