"""Time off asked for by therapists and decided by managers: a request takes
no time until approved; approval over a booked session is refused with the
session named; the therapist is told by email; requests can be withdrawn
while they wait; and the API does the same, each role within its rights."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from salon.errors import Conflict, Forbidden, InvalidInput
from salon.models import TimeOff
from salon.roles import Role
from sessions.selectors import availability
from sessions.services.booking import appointment_book
from sessions.services.time_off import (
    span_words,
    time_off_add,
    time_off_approve,
    time_off_decline,
    time_off_request,
    time_off_withdraw,
)
from tests.factories import TherapistFactory, UserFactory
from tests.helpers import BERLIN, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(tomorrow):
    return tomorrow + datetime.timedelta(days=7)


@pytest.fixture
def boss():
    return UserFactory(username="petra", first_name="Petra", last_name="Lang", roles=[Role.MANAGER])


@pytest.fixture
def anna(therapist):
    therapist.user.email = "anna@salon.example"
    therapist.user.save(update_fields=["email"])
    return therapist


def whole_day(day):
    return at(day, 0), at(day + datetime.timedelta(days=1), 0)


def ask(therapist, day, *, reason="Wedding", hours=None):
    start, end = (at(day, hours[0]), at(day, hours[1])) if hours else whole_day(day)
    return time_off_request(therapist=therapist, start=start, end=end, reason=reason, by=therapist.user)


def slots(salon, routine, day):
    found, _ = availability(salon=salon, routine=routine, first_day=day, last_day=day)
    return found


def test_a_request_takes_no_time_until_a_manager_approves_it(salon, anna, room, routine, day, boss):
    asked = ask(anna, day)

    assert asked.status == TimeOff.Status.REQUESTED
    assert asked.requested_by == anna.user
    assert slots(salon, routine, day)  # still offered while it waits

    time_off_approve(time_off=asked, by=boss, note="Enjoy")

    asked.refresh_from_db()
    assert (asked.status, asked.decided_by, asked.decision_note) == (TimeOff.Status.APPROVED, boss, "Enjoy")
    assert asked.decided_at is not None
    assert slots(salon, routine, day) == []  # Anna was the only therapist


def test_approval_over_a_booked_session_is_refused_with_the_session_named(
    salon, anna, room, routine, client_, day, boss
):
    asked = ask(anna, day)
    appointment_book(client=client_, routine=routine, start=at(day, 10))  # booked while the request waited

    with pytest.raises(Conflict) as refused:
        time_off_approve(time_off=asked, by=boss)

    assert refused.value.code == "bookings_in_the_way"
    assert "10:00" in refused.value.detail
    assert str(client_) in refused.value.detail
    assert "move or cancel it first" in refused.value.detail
    asked.refresh_from_db()
    assert asked.status == TimeOff.Status.REQUESTED  # still waiting, to approve once the desk has moved it


def test_a_declined_request_takes_no_time(salon, anna, room, routine, day, boss):
    asked = ask(anna, day)

    time_off_decline(time_off=asked, by=boss, note="  Two of us are away that week.  ")

    asked.refresh_from_db()
    assert (asked.status, asked.decision_note) == (TimeOff.Status.DECLINED, "Two of us are away that week.")
    assert slots(salon, routine, day)


@pytest.mark.parametrize("first", [time_off_approve, time_off_decline])
@pytest.mark.parametrize("then", [time_off_approve, time_off_decline])
def test_a_request_is_decided_once(anna, day, boss, first, then):
    asked = ask(anna, day)
    first(time_off=asked, by=boss)

    with pytest.raises(Conflict) as refused:
        then(time_off=asked, by=boss)

    assert refused.value.code == "invalid_transition"
    assert "already been" in refused.value.detail


def test_time_off_a_manager_entered_is_no_request_to_decide(anna, day, boss):
    entered = time_off_add(therapist=anna, start=at(day, 9), end=at(day, 12), by=boss)

    assert (entered.status, entered.decided_by) == (TimeOff.Status.APPROVED, boss)
    with pytest.raises(Conflict) as refused:
        time_off_decline(time_off=entered, by=boss)
    assert refused.value.code == "invalid_transition"


def test_a_therapist_withdraws_a_waiting_request_and_it_cannot_be_decided_after(anna, day, boss):
    asked = ask(anna, day)

    time_off_withdraw(time_off=asked, by=anna.user)

    assert not TimeOff.objects.exists()
    with pytest.raises(Conflict) as refused:  # a manager's page still showed it
        time_off_approve(time_off=asked, by=boss)
    assert refused.value.code == "invalid_transition"
    assert "withdrawn" in refused.value.detail


def test_only_the_therapist_withdraws_and_only_while_it_waits(salon, anna, day, boss):
    ben = TherapistFactory(salon=salon, display_name="Ben")
    asked = ask(anna, day)

    with pytest.raises(Forbidden):
        time_off_withdraw(time_off=asked, by=ben.user)
    with pytest.raises(Forbidden):
        time_off_withdraw(time_off=asked, by=boss)
    time_off_approve(time_off=asked, by=boss)
    with pytest.raises(Conflict) as refused:
        time_off_withdraw(time_off=asked, by=anna.user)
    assert refused.value.code == "invalid_transition"


def test_a_request_over_own_time_off_is_refused_naming_the_field(anna, day, boss):
    waiting = ask(anna, day)
    later = day + datetime.timedelta(days=2)
    time_off_add(therapist=anna, start=at(later, 13), end=at(later, 17), by=boss)

    with pytest.raises(InvalidInput) as over_waiting:
        ask(anna, day, hours=(14, 16))
    with pytest.raises(InvalidInput) as over_approved:
        ask(anna, later)
    ask(anna, day + datetime.timedelta(days=1))  # the day between is free to ask for

    assert over_waiting.value.fields == {"start": ["You have already asked for time off then."]}
    assert over_approved.value.fields == {"start": ["You already have time off then."]}
    time_off_decline(time_off=waiting, by=boss)
    ask(anna, day, hours=(14, 16))  # a declined request is no obstacle


def test_bad_requests_are_refused_naming_the_field(salon, anna, day):
    ben = TherapistFactory(salon=salon, display_name="Ben")
    yesterday = timezone.now().astimezone(BERLIN).date() - datetime.timedelta(days=1)

    def refused(**changes):
        arguments = {"therapist": anna, "start": at(day, 12), "end": at(day, 14), "reason": "", "by": anna.user}
        with pytest.raises((InvalidInput, Forbidden)) as raised:
            time_off_request(**{**arguments, **changes})
        return raised.value

    assert refused(end=at(day, 11)).fields == {"end": ["Before the start."]}
    assert refused(end=at(day, 12)).fields == {"end": ["Before the start."]}
    assert refused(end=at(day + datetime.timedelta(days=400), 12)).fields == {
        "end": ["More than a year after the start."]
    }
    assert refused(start=at(yesterday, 9), end=at(yesterday, 17)).fields == {"end": ["In the past."]}
    assert "reason" in refused(reason="x" * 201).fields
    assert isinstance(refused(by=ben.user), Forbidden)  # nobody asks on another's behalf
    assert not TimeOff.objects.exists()


def test_span_words_say_days_and_hours_plainly():
    day = datetime.date(2025, 3, 3)

    assert span_words(*whole_day(day), BERLIN) == "Mon 3 Mar 2025 (the whole day)"
    assert span_words(at(day, 0), at(day + datetime.timedelta(days=3), 0), BERLIN) == (
        "Mon 3 Mar to Wed 5 Mar 2025 (whole days)"
    )
    assert span_words(at(day, 13), at(day, 17, 30), BERLIN) == "Mon 3 Mar 2025, 13:00–17:30"
    assert span_words(at(datetime.date(2025, 12, 30), 0), at(datetime.date(2026, 1, 2), 0), BERLIN) == (
        "Tue 30 Dec 2025 to Thu 1 Jan 2026 (whole days)"
    )


# The email.


def test_approval_emails_the_therapist_in_plain_words(
    anna, day, boss, eager_celery, django_capture_on_commit_callbacks
):
    asked = ask(anna, day, reason="My sister's wedding")

    with django_capture_on_commit_callbacks(execute=True):
        time_off_approve(time_off=asked, by=boss, note="Have a lovely day")

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["anna@salon.example"]
    assert email.subject == "Your time off is approved"
    assert f"Petra Lang has approved your time off: {day:%a} {day.day} {day:%b %Y} (the whole day)." in email.body
    assert "Note from Petra Lang: Have a lovely day" in email.body
    assert "Your reason: My sister's wedding" in email.body


def test_a_declined_request_is_told_with_the_managers_note_in_the_locations_time(
    anna, day, boss, eager_celery, django_capture_on_commit_callbacks
):
    asked = ask(anna, day, hours=(13, 17))

    with django_capture_on_commit_callbacks(execute=True):
        time_off_decline(time_off=asked, by=boss, note="The spa day is booked out.")

    (email,) = mail.outbox
    assert email.subject == "Your time off was not approved"
    assert f"declined your request for time off: {day:%a} {day.day} {day:%b %Y}, 13:00–17:00" in email.body
    assert "You are still on the rota then." in email.body
    assert "The spa day is booked out." in email.body


def test_no_email_without_an_address_nor_for_a_refused_or_undone_decision(
    anna, room, routine, client_, day, boss, eager_celery, django_capture_on_commit_callbacks
):
    anna.user.email = ""
    anna.user.save(update_fields=["email"])
    asked = ask(anna, day)
    with django_capture_on_commit_callbacks(execute=True):
        time_off_decline(time_off=asked, by=boss)
    assert mail.outbox == []

    anna.user.email = "anna@salon.example"
    anna.user.save(update_fields=["email"])
    later = ask(anna, day + datetime.timedelta(days=1))
    appointment_book(client=client_, routine=routine, start=at(day + datetime.timedelta(days=1), 10))
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Conflict):
        time_off_approve(time_off=later, by=boss)
    assert callbacks == []  # a refused approval enqueues nothing
    assert mail.outbox == []


def test_the_email_task_tells_the_row_as_it_stands(anna, day, boss):
    """The task re-reads the row: removed meanwhile, nothing goes out."""
    from sessions.tasks import time_off_decision_notify

    asked = ask(anna, day)
    assert time_off_decision_notify(asked.pk) is False  # still waiting: nothing to tell
    time_off_approve(time_off=asked, by=boss)
    assert time_off_decision_notify(asked.pk) is True
    TimeOff.objects.filter(pk=asked.pk).delete()
    assert time_off_decision_notify(asked.pk) is False
    assert len(mail.outbox) == 1


# The API.


@pytest.fixture
def as_user(api_client):
    def signed_in(user):
        api_client.force_authenticate(user)
        return api_client

    return signed_in


def test_a_therapist_asks_through_the_api_and_a_manager_approves(
    as_user, salon, anna, room, routine, day, boss, eager_celery, django_capture_on_commit_callbacks
):
    start, end = whole_day(day)
    body = {"start": start.isoformat(), "end": end.isoformat(), "reason": "Wedding"}

    asked = as_user(anna.user).post("/api/v1/time-off/", body, format="json")
    assert asked.status_code == 201, asked.json()
    assert (asked.json()["status"], asked.json()["therapist"]) == ("requested", anna.pk)
    assert asked.json()["requested_by"] == anna.user.pk
    waiting = as_user(boss).get(f"/api/v1/time-off/?status=requested&start={day}&end={day}").json()
    assert [entry["id"] for entry in waiting] == [asked.json()["id"]]

    with django_capture_on_commit_callbacks(execute=True):
        approved = as_user(boss).post(
            f"/api/v1/time-off/{asked.json()['id']}/approve/", {"note": "Fine"}, format="json"
        )
    twice = as_user(boss).post(f"/api/v1/time-off/{asked.json()['id']}/approve/", {}, format="json")

    assert approved.status_code == 200, approved.json()
    assert (approved.json()["status"], approved.json()["decision_note"]) == ("approved", "Fine")
    assert approved.json()["decided_by"] == boss.pk
    assert (twice.status_code, twice.json()["code"]) == (409, "invalid_transition")
    assert mail.outbox[0].subject == "Your time off is approved"
    assert slots(salon, routine, day) == []


def test_the_api_refuses_approval_over_a_booking_with_it_listed(as_user, anna, room, routine, client_, day, boss):
    asked = ask(anna, day)
    appointment_book(client=client_, routine=routine, start=at(day, 15))

    refused = as_user(boss).post(f"/api/v1/time-off/{asked.pk}/approve/", {}, format="json")

    assert (refused.status_code, refused.json()["code"]) == (409, "bookings_in_the_way")
    assert "15:00" in refused.json()["fields"]["start"][0]


def test_a_therapist_asks_only_for_themself_and_withdraws_only_their_own(as_user, salon, anna, room, day, boss):
    ben = TherapistFactory(salon=salon, display_name="Ben")
    start, end = whole_day(day)
    body = {"start": start.isoformat(), "end": end.isoformat()}
    bens = ask(ben, day)

    for_ben = as_user(anna.user).post("/api/v1/time-off/", {**body, "therapist": ben.pk}, format="json")
    for_a_room = as_user(anna.user).post("/api/v1/time-off/", {**body, "room": room.pk}, format="json")
    approving = as_user(anna.user).post(f"/api/v1/time-off/{bens.pk}/approve/", {}, format="json")
    withdrawing_bens = as_user(anna.user).post(f"/api/v1/time-off/{bens.pk}/withdraw/", {}, format="json")
    own = as_user(anna.user).post("/api/v1/time-off/", {**body, "therapist": anna.pk}, format="json")
    withdrawn = as_user(anna.user).post(f"/api/v1/time-off/{own.json()['id']}/withdraw/", {}, format="json")
    again = as_user(anna.user).post(f"/api/v1/time-off/{own.json()['id']}/withdraw/", {}, format="json")

    assert (for_ben.status_code, for_ben.json()["code"]) == (403, "not_your_time_off")
    assert for_a_room.status_code == 403
    assert approving.status_code == 403
    assert withdrawing_bens.status_code == 403
    assert own.status_code == 201
    assert withdrawn.status_code == 204
    assert again.status_code == 404
    assert list(TimeOff.objects.values_list("therapist__display_name", flat=True)) == ["Ben"]


def test_others_requests_are_not_listed_for_therapists(as_user, salon, anna, day, boss, receptionist):
    ben = TherapistFactory(salon=salon, display_name="Ben")
    ask(ben, day)
    next_day = day + datetime.timedelta(days=1)
    time_off_add(therapist=ben, start=at(next_day, 0), end=at(next_day, 12), by=boss)
    own = ask(anna, day)

    seen = {
        who: sorted((entry["therapist"], entry["status"]) for entry in as_user(user).get("/api/v1/time-off/").json())
        for who, user in (("anna", anna.user), ("desk", receptionist), ("manager", boss))
    }

    assert seen["anna"] == sorted([(ben.pk, "approved"), (anna.pk, "requested")])
    assert seen["desk"] == [(ben.pk, "approved")]
    assert seen["manager"] == sorted([(ben.pk, "approved"), (ben.pk, "requested"), (anna.pk, "requested")])
    assert own.pk in {entry["id"] for entry in as_user(anna.user).get("/api/v1/time-off/?status=requested").json()}


def test_the_api_names_bad_input(as_user, anna, day, boss):
    start, end = whole_day(day)

    backwards = as_user(anna.user).post(
        "/api/v1/time-off/", {"start": end.isoformat(), "end": start.isoformat()}, format="json"
    )
    naive = as_user(anna.user).post(
        "/api/v1/time-off/", {"start": "2030-01-01T09:00:00", "end": end.isoformat()}, format="json"
    )
    bad_status = as_user(boss).get("/api/v1/time-off/?status=maybe")
    long_note = as_user(boss).post(f"/api/v1/time-off/{ask(anna, day).pk}/decline/", {"note": "x" * 301}, format="json")

    assert (backwards.status_code, list(backwards.json()["fields"])) == (400, ["end"])
    assert (naive.status_code, list(naive.json()["fields"])) == (400, ["start"])
    assert (bad_status.status_code, list(bad_status.json()["fields"])) == (400, ["status"])
    assert (long_note.status_code, list(long_note.json()["fields"])) == (400, ["note"])
