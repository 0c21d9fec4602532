"""Status rules that match the day: check-in from the location's
``check_in_opens_minutes`` before the start until the end, no-show only once
the start has passed, both undone the same day with a reason (history kept),
and cancellations inside the client cut-off marked late."""

import datetime

import pytest
from django.utils import timezone

from clients.models import ClientLink
from clients.services import client_link_create
from salon.errors import Conflict, InvalidInput
from salon.roles import Role
from salon.services import location_settings_update
from sessions.models import Appointment, Notification
from sessions.services.booking import appointment_book
from sessions.services.lifecycle import (
    appointment_cancel_by_client,
    appointment_status_rules,
    appointment_status_undo,
    appointment_transition,
)
from tests.factories import ClientFactory, TherapistFactory, UserFactory, screening_for, works_every_day
from tests.helpers import at, move_to_now, sign_in

pytestmark = pytest.mark.django_db
Status = Appointment.Status
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def sabine(scene):
    person = ClientFactory(salon=scene.salon, given_name="Sabine", family_name="Krüger", consent_reminders=True)
    screening_for(person)
    return person


@pytest.fixture
def booked(sabine, routine, therapist, room, tomorrow):
    """Sabine, tomorrow 10:00–10:45 (Berlin) with Anna in Linden; free again at 11:00."""
    return appointment_book(client=sabine, routine=routine, start=at(tomorrow, 10), therapist=therapist)


@pytest.fixture
def desk_user(db):
    return UserFactory(username="desk", roles=[Role.RECEPTIONIST])


def history(appointment) -> list[tuple[str, str, str]]:
    return list(appointment.changes.order_by("at", "pk").values_list("kind", "from_status", "to_status"))


def stored(appointment) -> Appointment:
    return Appointment.objects.select_related("room__salon").get(pk=appointment.pk)


# --- Check-in: from check_in_opens_minutes before the start until the end ------


def test_check_in_opens_exactly_the_setting_before_the_start(booked, desk_user):
    """Given the default of 60 minutes, when the desk checks Sabine in at
    09:00 for 10:00, then she is checked in and the history says by whom."""
    checked_in = appointment_transition(
        appointment=booked, to_status=Status.CHECKED_IN, by=desk_user, now=booked.start - 60 * MINUTE
    )

    assert checked_in.status == Status.CHECKED_IN
    assert history(checked_in)[-1] == ("status", "booked", "checked_in")
    assert checked_in.changes.last().by == desk_user


def test_a_minute_earlier_check_in_is_refused_saying_when_it_opens(booked):
    """Given 10:00 tomorrow, when the desk tries at 08:59 that day, then 409
    ``check_in_too_early`` with the opening time in the salon's zone, and
    nothing changes."""
    with pytest.raises(Conflict) as refused:
        appointment_transition(appointment=booked, to_status=Status.CHECKED_IN, now=booked.start - 61 * MINUTE)

    assert refused.value.code == "check_in_too_early"
    assert "Check-in for Sabine Krüger opens at 09:00, 60 minutes before the appointment starts at 10:00" in str(
        refused.value
    )
    assert stored(booked).status == Status.BOOKED
    assert history(booked) == [("booked", "", "booked")]


def test_days_ahead_the_refusal_names_the_day(booked):
    now = booked.start - datetime.timedelta(days=1)

    with pytest.raises(Conflict) as refused:
        appointment_transition(appointment=booked, to_status=Status.CHECKED_IN, now=now)

    local_day = booked.start.astimezone(booked.room.salon.zone)
    assert f"opens on {local_day:%a %d %b} at 09:00" in str(refused.value)


def test_check_in_is_possible_until_the_end_and_not_after(booked):
    with pytest.raises(Conflict) as refused:
        appointment_transition(appointment=booked, to_status=Status.CHECKED_IN, now=booked.end + MINUTE)

    assert refused.value.code == "check_in_too_late"
    assert "appointment ended at 10:45" in str(refused.value)
    assert stored(booked).status == Status.BOOKED
    assert appointment_transition(appointment=booked, to_status=Status.CHECKED_IN, now=booked.end).status == (
        Status.CHECKED_IN
    )


def test_the_window_follows_the_location_setting(booked):
    """Given a location that opens check-in 15 minutes before, then 20
    minutes before is refused naming 09:45, and 15 minutes before is fine."""
    location_settings_update(salon=booked.room.salon, check_in_opens_minutes=15)
    booked = stored(booked)

    with pytest.raises(Conflict) as refused:
        appointment_transition(appointment=booked, to_status=Status.CHECKED_IN, now=booked.start - 20 * MINUTE)
    assert "opens at 09:45, 15 minutes before" in str(refused.value)

    checked_in = appointment_transition(appointment=booked, to_status=Status.CHECKED_IN, now=booked.start - 15 * MINUTE)
    assert checked_in.status == Status.CHECKED_IN


@pytest.mark.parametrize("minutes", [-1, 721, "soon"])
def test_the_check_in_setting_is_bounded_and_named_when_refused(salon, minutes):
    with pytest.raises(InvalidInput) as refused:
        location_settings_update(salon=salon, check_in_opens_minutes=minutes)

    assert "check_in_opens_minutes" in refused.value.fields
    salon.refresh_from_db()
    assert salon.check_in_opens_minutes == 60


# --- No-show: only once the start has passed -----------------------------------


def test_a_no_show_before_the_start_is_refused(booked):
    with pytest.raises(Conflict) as refused:
        appointment_transition(appointment=booked, to_status=Status.NO_SHOW, now=booked.start - MINUTE)

    assert refused.value.code == "no_show_too_early"
    assert "starts at 10:00; a no-show can be marked only once it has started" in str(refused.value)
    assert stored(booked).status == Status.BOOKED


def test_a_no_show_from_the_start_on(booked):
    assert appointment_transition(appointment=booked, to_status=Status.NO_SHOW, now=booked.start).status == (
        Status.NO_SHOW
    )


# --- Undo the same day, with a reason ------------------------------------------


def test_a_check_in_is_undone_the_same_day_with_a_reason_and_both_rows_stay(booked, desk_user):
    checked_in = appointment_transition(appointment=booked, to_status=Status.CHECKED_IN, now=booked.start - 30 * MINUTE)

    undone = appointment_status_undo(
        appointment=checked_in, by=desk_user, reason="Wrong Sabine", now=booked.start - 25 * MINUTE
    )

    assert undone.status == Status.BOOKED
    assert history(undone) == [
        ("booked", "", "booked"),
        ("status", "booked", "checked_in"),
        ("status_undone", "checked_in", "booked"),
    ]
    last = undone.changes.order_by("at", "pk").last()
    assert (last.reason, last.by) == ("Wrong Sabine", desk_user)


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_undo_without_a_reason_is_refused_naming_the_reason(booked, reason):
    checked_in = appointment_transition(appointment=booked, to_status=Status.CHECKED_IN, now=booked.start)

    with pytest.raises(InvalidInput) as refused:
        appointment_status_undo(appointment=checked_in, reason=reason, now=booked.start)

    assert refused.value.fields == {"reason": ["Required."]}
    assert "Say why the check-in is undone" in str(refused.value)
    assert stored(booked).status == Status.CHECKED_IN


def test_an_undo_the_next_day_is_refused(booked):
    """The next day in the salon's zone: 00:05 Berlin is 23:05 UTC the day
    before, and already too late."""
    no_show = appointment_transition(appointment=booked, to_status=Status.NO_SHOW, now=booked.start)
    next_day = at(booked.start.astimezone(booked.room.salon.zone).date() + datetime.timedelta(days=1), 0, 5)

    with pytest.raises(Conflict) as refused:
        appointment_status_undo(appointment=no_show, reason="She came late", now=next_day)

    assert refused.value.code == "undo_too_late"
    assert stored(booked).status == Status.NO_SHOW
    late_evening = at(booked.start.astimezone(booked.room.salon.zone).date(), 23, 55)
    assert appointment_status_undo(appointment=no_show, reason="She came late", now=late_evening).status == (
        Status.BOOKED
    )


def test_a_no_show_goes_back_to_checked_in_when_it_was_marked_from_there(booked):
    checked_in = appointment_transition(appointment=booked, to_status=Status.CHECKED_IN, now=booked.start)
    no_show = appointment_transition(appointment=checked_in, to_status=Status.NO_SHOW, now=booked.start + MINUTE)

    undone = appointment_status_undo(appointment=no_show, reason="She was in the garden", now=booked.start)

    assert undone.status == Status.CHECKED_IN
    assert history(undone)[-2:] == [("status", "checked_in", "no_show"), ("status_undone", "no_show", "checked_in")]


@pytest.mark.parametrize("status", [Status.BOOKED, Status.CANCELLED])
def test_only_a_check_in_or_a_no_show_is_undone(booked, status):
    if status == Status.CANCELLED:
        booked = appointment_transition(appointment=booked, to_status=status, reason="Ill", now=booked.start)

    with pytest.raises(Conflict) as refused:
        appointment_status_undo(appointment=booked, reason="Oops", now=booked.start)

    assert refused.value.code == "nothing_to_undo"


def test_an_undo_of_a_stale_read_changes_nothing(booked):
    """Given two desks that read the check-in, when one undoes it, the
    other's undo finds the row moved on: 409, and one undo row only."""
    checked_in = appointment_transition(appointment=booked, to_status=Status.CHECKED_IN, now=booked.start)
    second_desk = stored(checked_in)
    appointment_status_undo(appointment=checked_in, reason="Wrong client", now=booked.start)

    with pytest.raises(Conflict) as refused:
        appointment_status_undo(appointment=second_desk, reason="Wrong client", now=booked.start)

    assert refused.value.code == "invalid_transition"
    assert [kind for kind, _, _ in history(booked)].count("status_undone") == 1


def test_the_desk_is_offered_what_the_time_allows(booked):
    early = appointment_status_rules(appointment=booked, now=booked.start - 2 * 60 * MINUTE)
    assert (early.check_in_open, early.check_in_not_yet, early.no_show_allowed) == (False, True, False)
    assert early.opens_words == "at 09:00"
    assert early.undo_to is None

    during = appointment_status_rules(appointment=booked, now=booked.start + MINUTE)
    assert (during.check_in_open, during.no_show_allowed) == (True, True)

    no_show = appointment_transition(appointment=booked, to_status=Status.NO_SHOW, now=booked.start)
    assert appointment_status_rules(appointment=no_show, now=booked.start).undo_to == Status.BOOKED


# --- Undoing a no-show: messages and the freed time -----------------------------


def test_undoing_a_no_show_tells_the_client_nothing_and_revives_no_stale_reminder(booked):
    """The no-show withdrew the pending reminders and sent nothing; the undo
    queues nothing, leaves those withdrawn (their time has passed), and
    withdraws what was queued after the no-show and is still pending."""
    assert Notification.objects.filter(appointment=booked, kind="reminder", status="pending").exists()
    no_show = appointment_transition(appointment=booked, to_status=Status.NO_SHOW, now=booked.start)
    assert not Notification.objects.filter(appointment=booked, status="pending").exists()
    queued_since = Notification.objects.create(
        key=f"{booked.pk}:later", kind="cancellation", appointment=booked, client=booked.client,
        channel="email", due_at=timezone.now(),
    )  # fmt: skip

    appointment_status_undo(appointment=no_show, reason="She was in the waiting room", now=booked.start)

    assert not Notification.objects.filter(appointment=booked, status="pending").exists()
    queued_since.refresh_from_db()
    assert queued_since.status == Notification.Status.CANCELLED
    assert not Notification.objects.filter(appointment=booked, kind="cancellation").exclude(pk=queued_since.pk).exists()


def test_a_no_show_cannot_be_undone_once_the_therapist_was_booked_into_the_gap(booked, routine, scene):
    """Given a no-show (which frees Anna), when Tom is booked with Anna at the
    same time, then undoing the no-show is 409 ``slot_taken`` naming the
    clash, not a database error, and the no-show stays."""
    no_show = appointment_transition(appointment=booked, to_status=Status.NO_SHOW, now=booked.start)
    tom = ClientFactory(salon=scene.salon, given_name="Tom")
    screening_for(tom)
    appointment_book(
        client=tom, routine=routine, start=booked.start, therapist=booked.therapist,
        now=booked.start - datetime.timedelta(hours=3),
    )  # fmt: skip

    with pytest.raises(Conflict) as refused:
        appointment_status_undo(appointment=no_show, reason="She came after all", now=booked.start)

    assert refused.value.code == "slot_taken"
    assert "time was given to someone else meanwhile" in str(refused.value)
    assert "Anna is busy from" in str(refused.value)
    assert stored(booked).status == Status.NO_SHOW
    assert "status_undone" not in [kind for kind, _, _ in history(booked)]


def test_a_no_show_cannot_be_undone_once_its_room_was_booked(booked, routine, scene):
    no_show = appointment_transition(appointment=booked, to_status=Status.NO_SHOW, now=booked.start)
    ben = TherapistFactory(salon=scene.salon, display_name="Ben")
    works_every_day(ben)
    tom = ClientFactory(salon=scene.salon, given_name="Tom")
    screening_for(tom)
    appointment_book(
        client=tom, routine=routine, start=booked.start + 30 * MINUTE, therapist=ben, room=booked.room,
        now=booked.start - datetime.timedelta(hours=3),
    )  # fmt: skip

    with pytest.raises(Conflict) as refused:
        appointment_status_undo(appointment=no_show, reason="She came after all", now=booked.start)

    assert refused.value.code == "slot_taken"
    assert "Linden is taken from 10:30 to 11:30" in str(refused.value)


# --- Late cancellations --------------------------------------------------------


@pytest.mark.parametrize(
    ("hours_before", "late"),
    [(25, False), (24, False), (23, True), (0, True)],
)
def test_a_staff_cancellation_inside_the_cut_off_is_marked_late(booked, hours_before, late):
    """The cut-off is the location's ``client_cancel_hours`` (24) before the start."""
    now = booked.start - datetime.timedelta(hours=hours_before)

    cancelled = appointment_transition(appointment=booked, to_status=Status.CANCELLED, reason="Flu", now=now)

    assert cancelled.cancelled_late is late


def test_a_client_cancelling_online_before_the_cut_off_is_not_late(booked, sabine):
    link, _ = client_link_create(client=sabine, purpose=ClientLink.Purpose.CANCEL, reference=booked.pk)

    cancelled = appointment_cancel_by_client(link=link, now=booked.start - datetime.timedelta(hours=30))

    assert cancelled.status == Status.CANCELLED
    assert cancelled.cancelled_late is False


def test_a_client_cancelling_inside_the_cut_off_is_refused_and_nothing_is_marked(booked, sabine):
    link, _ = client_link_create(client=sabine, purpose=ClientLink.Purpose.CANCEL, reference=booked.pk)

    with pytest.raises(Conflict):
        appointment_cancel_by_client(link=link, now=booked.start - datetime.timedelta(hours=2))

    assert (stored(booked).status, stored(booked).cancelled_late) == (Status.BOOKED, False)


def test_the_api_says_whether_a_cancellation_was_late(api_client, booked, desk_user):
    appointment_transition(
        appointment=booked, to_status=Status.CANCELLED, reason="Flu", now=booked.start - datetime.timedelta(hours=2)
    )
    api_client.force_authenticate(desk_user)

    body = api_client.get(f"/api/v1/appointments/{booked.pk}/").json()

    assert body["cancelled_late"] is True
    assert body["history"][-1]["to_status"] == "cancelled"


# --- The API -------------------------------------------------------------------


def test_the_api_refuses_an_early_check_in_with_its_code(api_client, booked, desk_user):
    api_client.force_authenticate(desk_user)

    response = api_client.post(f"/api/v1/appointments/{booked.pk}/check-in/")

    assert response.status_code == 409
    assert response.json()["code"] == "check_in_too_early"


def test_the_api_undoes_a_no_show_with_a_reason(api_client, booked, desk_user):
    now_ish = move_to_now(booked)
    appointment_transition(appointment=stored(booked), to_status=Status.NO_SHOW, now=now_ish.start)
    api_client.force_authenticate(desk_user)

    without = api_client.post(f"/api/v1/appointments/{booked.pk}/undo/", {}, format="json")
    undone = api_client.post(f"/api/v1/appointments/{booked.pk}/undo/", {"reason": "Came late"}, format="json")

    assert without.status_code == 400
    assert "reason" in without.json()["fields"]
    assert undone.status_code == 200
    assert undone.json()["status"] == "booked"
    assert [entry["kind"] for entry in undone.json()["history"]] == ["booked", "status", "status_undone"]
    assert undone.json()["history"][-1]["reason"] == "Came late"


def test_the_api_refuses_an_undo_of_another_day(api_client, booked, desk_user):
    appointment_transition(appointment=booked, to_status=Status.CHECKED_IN, now=booked.start)  # tomorrow's
    api_client.force_authenticate(desk_user)

    response = api_client.post(f"/api/v1/appointments/{booked.pk}/undo/", {"reason": "Oops"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "undo_too_late"


# --- The desk panel --------------------------------------------------------------


@pytest.fixture
def desk(client, desk_user):
    sign_in(client, desk_user)
    return client


def panel(desk, appointment) -> str:
    response = desk.get(f"/desk/appointments/{appointment.pk}/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.content.decode()


def act(desk, appointment, action, **data):
    return desk.post(f"/desk/appointments/{appointment.pk}/{action}/", data, headers={"HX-Request": "true"})


def test_the_panel_says_when_check_in_opens_and_offers_no_buttons_yet(desk, booked):
    html = panel(desk, booked)

    local_day = booked.start.astimezone(booked.room.salon.zone)
    assert f"Check-in opens on {local_day:%a %d %b} at 09:00." in html
    assert "A no-show can be marked once the appointment has started" in html
    assert ">Check in</button>" not in html
    assert ">No-show</button>" not in html
    assert "Book again" not in html


def test_check_in_at_the_desk_asks_first_then_acts(desk, booked):
    """Given Sabine's session now, when the desk presses Check in, then the
    panel asks to confirm and nothing changes; when it confirms, she is
    checked in and the grid is refreshed."""
    booked = move_to_now(booked)
    assert ">Check in</button>" in panel(desk, booked)

    asked = act(desk, booked, "check-in")

    assert asked.status_code == 200
    html = asked.content.decode()
    assert "Check in Sabine Krüger now?" in html
    assert ">Yes, check in</button>" in html
    assert ">Keep</button>" in html
    assert stored(booked).status == Status.BOOKED

    done = act(desk, booked, "check-in", confirmed="yes")

    assert done.status_code == 200
    assert done["HX-Retarget"] == "#desk-grid"
    assert stored(booked).status == Status.CHECKED_IN


def test_a_no_show_at_the_desk_asks_with_the_clients_name(desk, booked):
    booked = move_to_now(booked)

    html = act(desk, booked, "no-show").content.decode()

    assert "Mark Sabine Krüger as a no-show?" in html
    assert ">Yes, no-show</button>" in html
    assert act(desk, booked, "no-show", confirmed="yes").status_code == 200
    assert stored(booked).status == Status.NO_SHOW


def test_a_refused_no_show_is_explained_in_the_panel(desk, booked):
    for confirmed in ("", "yes"):
        response = act(desk, booked, "no-show", confirmed=confirmed)

        assert response.status_code == 409
        html = response.content.decode()
        assert 'role="alert"' in html
        assert "a no-show can be marked only once it has started" in html
        assert stored(booked).status == Status.BOOKED


def test_an_undo_at_the_desk_needs_a_reason_then_keeps_the_history(desk, booked, desk_user):
    booked = move_to_now(booked)
    act(desk, booked, "check-in", confirmed="yes")
    html = panel(desk, stored(booked))
    assert "Undo check-in" in html
    assert "goes back to booked" in html

    refused = act(desk, booked, "undo", reason=" ")

    assert refused.status_code == 400
    assert "Say why the check-in is undone." in refused.content.decode()
    assert stored(booked).status == Status.CHECKED_IN

    done = act(desk, booked, "undo", reason="Checked in the wrong Sabine")

    assert done.status_code == 200
    assert stored(booked).status == Status.BOOKED
    html = panel(desk, stored(booked))
    assert "Check-in undone, back to booked: Checked in the wrong Sabine" in html
    assert "Checked in" in html  # the undone row is still in the history


def test_a_refused_cancel_keeps_the_typed_reason(desk, booked):
    long_reason = "x" * 301

    response = act(desk, booked, "cancel", reason=long_reason)

    assert response.status_code == 400
    assert f'value="{long_reason}"' in response.content.decode()


@pytest.mark.parametrize("status", [Status.COMPLETED, Status.CANCELLED, Status.NO_SHOW])
def test_finished_appointments_offer_book_again(desk, booked, status):
    now = booked.start
    if status == Status.COMPLETED:
        for step in (Status.CHECKED_IN, Status.IN_PROGRESS, Status.COMPLETED):
            booked = appointment_transition(appointment=booked, to_status=step, now=now)
    else:
        booked = appointment_transition(appointment=booked, to_status=status, reason="Flu", now=now)

    html = panel(desk, booked)

    assert f'hx-get="/desk/book/?again={booked.pk}"' in html
    assert ">Book again</button>" in html


def test_a_late_cancellation_shows_in_the_panel(desk, booked):
    appointment_transition(
        appointment=booked, to_status=Status.CANCELLED, reason="Flu", now=booked.start - datetime.timedelta(hours=3)
    )

    html = panel(desk, booked)

    assert "late cancellation" in html
    assert "Cancelled (late cancellation): Flu" in html


def test_the_panel_reads_a_fixed_number_of_queries(desk, booked, django_assert_max_num_queries):
    booked = move_to_now(booked)
    for step in (Status.CHECKED_IN, Status.NO_SHOW):
        booked = appointment_transition(appointment=booked, to_status=step)
    appointment_status_undo(appointment=booked, reason="Came back")

    with django_assert_max_num_queries(20):
        panel(desk, booked)
