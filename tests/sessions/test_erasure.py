"""Erasing a client (``clients.services.client_erase``) removes her health
and personal data from her sessions too, in the same transaction: plans,
notes, pain, feedback comments, online holds, waitlist places, messages."""

import datetime
import json
from dataclasses import dataclass

import pytest
from django.utils import timezone

from clients.models import HealthScreening
from clients.services import client_erase
from clients.signals import client_erasing
from reports.selectors import Period, report_extras, report_summary
from salon.errors import Conflict
from sessions.models import (
    Appointment,
    AppointmentChange,
    BookingHold,
    Feedback,
    Notification,
    PainReport,
    PressureFeedback,
    SessionNote,
    SessionPlan,
    WaitlistEntry,
)
from sessions.services.booking import appointment_book
from sessions.services.feedback import feedback_record
from sessions.services.lifecycle import appointment_transition
from sessions.services.running import session_notes_save
from tests.factories import ClientFactory, screening_for, visit_with_pain
from tests.helpers import at, sign_in

pytestmark = pytest.mark.django_db

# The whole erasure of a client, clients' part and sessions' part, measured: 40.
ERASE_QUERIES = 40


@dataclass
class History:
    """A client's data in the sessions app, as the scene below builds it."""

    client: object
    past: Appointment
    ahead: Appointment


def history_of(client, *, routine, therapist, yesterday, tomorrow, hour) -> History:
    """A screening; yesterday a completed session with its plan, pain before
    it, pressure said during it, the therapist's notes, and feedback with pain
    and a comment; tomorrow a booking made online with a message, and its
    messages waiting; a failed message whose error names the address; a hold
    still holding another time, and places on the waitlist (one typed
    online, of no client yet)."""
    screening_for(client, allergies="almond oil", conditions="migraine", pressure_preference="light")
    past = appointment_book(
        client=client, routine=routine, start=at(yesterday, hour), now=at(yesterday, hour) - datetime.timedelta(days=1)
    )
    PainReport.objects.create(appointment=past, pain_before=7, areas=["lower_back"])
    for status in ("checked_in", "in_progress"):
        appointment_transition(appointment=past, to_status=status, now=past.start)
    PressureFeedback.objects.create(appointment=past, verdict="too_strong", step=1, area="lower_back")
    session_notes_save(appointment=past, by=therapist.user, client_reported="Sciatica again", advice="Go gently")
    past = appointment_transition(appointment=past, to_status="completed", now=past.start)
    feedback_record(
        appointment=past, overall=4, pain_before=7, pain_after=2, pressure="right", comment="My sciatica is better"
    )
    ahead = appointment_book(client=client, routine=routine, start=at(tomorrow, hour), origin=Appointment.Origin.ONLINE)
    common = {"salon": ahead.room.salon, "therapist": therapist, "room": ahead.room, "routine": routine}
    BookingHold.objects.create(
        **common, start=ahead.start, busy_until=ahead.busy_until, expires_at=ahead.start, appointment=ahead,
        status=BookingHold.Status.CONFIRMED, given_name=client.given_name, family_name=client.family_name,
        email=client.email, message="Please no oil on my left shoulder, eczema", nonce=f"confirmed-{client.pk}",
    )  # fmt: skip
    BookingHold.objects.create(
        **common, start=at(tomorrow, hour + 4), busy_until=at(tomorrow, hour + 5),
        expires_at=timezone.now() + datetime.timedelta(minutes=20), given_name=client.given_name,
        family_name=client.family_name, email=client.email.upper(), nonce=f"held-{client.pk}",
    )  # fmt: skip
    for nonce, owner in ((f"waiting-{client.pk}", client), (f"typed-online-{client.pk}", None)):
        WaitlistEntry.objects.create(
            salon=ahead.room.salon, routine=routine, first_day=tomorrow, last_day=tomorrow,
            given_name=client.given_name, family_name=client.family_name, email=client.email, client=owner,
            nonce=nonce,
        )  # fmt: skip
    Notification.objects.filter(appointment=past).update(
        status=Notification.Status.FAILED, last_error=f"550 mailbox {client.email} unknown"
    )
    return History(client=client, past=past, ahead=ahead)


@pytest.fixture
def days(salon):
    today = timezone.now().astimezone(salon.zone).date()
    return today - datetime.timedelta(days=1), today + datetime.timedelta(days=1)


@pytest.fixture
def sabine(salon, therapist, routine, days):
    person = ClientFactory(
        salon=salon, given_name="Sabine", family_name="Krüger", email="sabine@example.com",
        consent_reminders=True, consent_feedback=True,
    )  # fmt: skip
    return history_of(person, routine=routine, therapist=therapist, yesterday=days[0], tomorrow=days[1], hour=9)


@pytest.fixture
def petra(salon, therapist, routine, days):
    person = ClientFactory(
        salon=salon, given_name="Petra", family_name="Lang", email="petra@example.com",
        consent_reminders=True, consent_feedback=True,
    )  # fmt: skip
    return history_of(person, routine=routine, therapist=therapist, yesterday=days[0], tomorrow=days[1], hour=11)


def session_data_of(history: History) -> dict:
    """Everything the sessions app holds about the client that erasure removes or empties."""
    appointments = Appointment.objects.filter(client=history.client)
    feedback = Feedback.objects.filter(appointment__client=history.client)
    return {
        "plans": appointments.exclude(plan=None).count(),
        "notes": SessionNote.objects.filter(appointment__client=history.client).count(),
        "pain reports": PainReport.objects.filter(appointment__client=history.client).count(),
        "pressure said": PressureFeedback.objects.filter(appointment__client=history.client).count(),
        "feedback pain or comment": feedback.exclude(pain_before=None, pain_after=None, comment="").count(),
        "holds": BookingHold.objects.filter(nonce__endswith=f"-{history.client.pk}").count(),
        "waitlist places": WaitlistEntry.objects.filter(nonce__endswith=f"-{history.client.pk}").count(),
        "messages waiting": Notification.objects.filter(
            client=history.client, status__in=[Notification.Status.PENDING, Notification.Status.SENDING]
        ).count(),
        "message errors": Notification.objects.filter(client=history.client).exclude(last_error="").count(),
    }


def reports_of(salon, yesterday) -> tuple:
    period = Period(yesterday - datetime.timedelta(days=6), yesterday + datetime.timedelta(days=1))
    return report_summary(locations=[salon], period=period), report_extras(locations=[salon], period=period)


def test_erasing_a_client_removes_her_health_and_personal_data_from_her_sessions(
    sabine, petra, salon, manager, days, django_assert_max_num_queries
):
    # Given Sabine's and Petra's histories, with everything the sessions app keeps about a client,
    # and her brother's place on the waitlist, at her address
    assert 0 not in session_data_of(sabine).values()
    brother = WaitlistEntry.objects.create(
        salon=salon, routine=sabine.past.routine, first_day=days[1], last_day=days[1], given_name="Jonas",
        family_name="Krüger", email="sabine@example.com", nonce="brother",
    )  # fmt: skip
    plans = list(Appointment.objects.filter(client=sabine.client).values_list("plan_id", flat=True))
    petra_before = session_data_of(petra)
    reports_before = reports_of(salon, days[0])

    # When Sabine is erased, in a bounded number of queries
    with django_assert_max_num_queries(ERASE_QUERIES):
        client_erase(client=sabine.client, user=manager)

    # Then nothing of hers is left in the sessions app: plans (and their
    # snapshot of her screening), notes, pain, pressure, the feedback's
    # pain and comment, holds with her message, her waitlist place, her
    # messages waiting and errors naming her address
    assert session_data_of(sabine) == dict.fromkeys(petra_before, 0)
    assert not SessionPlan.objects.filter(pk__in=plans).exists()
    assert not HealthScreening.objects.filter(client=sabine.client).exists()
    # and what the reports count stays: the visit, its rating, the pressure verdict
    assert reports_of(salon, days[0]) == reports_before
    feedback = Feedback.objects.get(appointment=sabine.past)
    assert (feedback.overall, feedback.pressure) == (4, "right")
    sabine.past.refresh_from_db()
    assert (sabine.past.status, sabine.past.therapist_id, sabine.past.price_minor) == (
        "completed",
        petra.past.therapist_id,
        petra.past.price_minor,
    )
    # and Petra's data is all there, and her brother's place
    assert session_data_of(petra) == petra_before
    assert WaitlistEntry.objects.filter(pk=brother.pk).exists()


def test_a_plan_replaced_by_a_rebuild_is_deleted_and_leaves_nothing_for_erasure_to_miss(sabine, petra, manager):
    # Given Sabine's booking ahead, whose plan a new screening rebuilds
    replaced = sabine.ahead.plan_id
    screening_for(sabine.client, conditions="sciatica, worse this month", pressure_preference="light")
    sabine.ahead.refresh_from_db()
    assert sabine.ahead.plan_id not in (None, replaced)

    # Then the plan it replaced is gone: nothing pointed to it, and it held her findings
    assert not SessionPlan.objects.filter(pk=replaced).exists()

    # When she is erased, then no plan at all is left but Petra's
    client_erase(client=sabine.client, user=manager)
    petra_plans = set(Appointment.objects.filter(client=petra.client).values_list("plan_id", flat=True))
    assert set(SessionPlan.objects.values_list("pk", flat=True)) == petra_plans


def test_erasing_costs_the_same_queries_however_long_her_history(
    sabine, routine, therapist, manager, days, django_assert_max_num_queries
):
    # Given Sabine with four more visits behind her and two more bookings ahead
    for weeks in range(1, 5):
        start = at(days[0] - datetime.timedelta(weeks=weeks), 9)
        visit_with_pain(sabine.client, routine, start, before=5, areas=["neck"], after=3)
    for weeks in (1, 2):
        appointment_book(client=sabine.client, routine=routine, start=at(days[1] + datetime.timedelta(weeks=weeks), 9))

    # When she is erased, then it takes no more queries than with one visit and one booking
    with django_assert_max_num_queries(ERASE_QUERIES):
        client_erase(client=sabine.client, user=manager)
    assert not Appointment.objects.filter(client=sabine.client, status="booked").exists()
    assert not PainReport.objects.filter(appointment__client=sabine.client).exists()


def test_her_sessions_ahead_are_cancelled_without_a_notice_and_her_words_are_gone(sabine, manager):
    # Given Sabine's booking tomorrow, and a cancellation in her own words on an earlier one
    AppointmentChange.objects.filter(appointment=sabine.past).update(reason="Cancelled by the client online: my knee")

    # When she is erased
    client_erase(client=sabine.client, user=manager)

    # Then tomorrow's booking is cancelled (in time: the salon cancelled it), with no message to send
    sabine.ahead.refresh_from_db()
    assert (sabine.ahead.status, sabine.ahead.cancelled_late) == ("cancelled", False)
    assert sabine.ahead.cancellation_reason == "The client's data was erased."
    assert not Notification.objects.filter(
        client=sabine.client, kind=Notification.Kind.CANCELLATION, status=Notification.Status.PENDING
    ).exists()
    # and no reason in her history holds her words any more
    reasons = set(AppointmentChange.objects.filter(appointment__client=sabine.client).values_list("reason", flat=True))
    assert reasons <= {"", "The client's data was erased."}


def test_the_export_of_an_erased_client_holds_nothing_of_her_health(sabine, api_client, manager):
    client_erase(client=sabine.client, user=manager)
    api_client.force_authenticate(manager)

    response = api_client.get(f"/api/v1/clients/{sabine.client.pk}/export/")

    assert response.status_code == 200
    body = response.json()
    assert (body["screenings"], body["pain"]) == ([], [])
    text = json.dumps(body)
    for word in ("Sabine", "sabine@example.com", "almond", "migraine", "sciatica", "eczema"):
        assert word.lower() not in text.lower()


def test_my_day_the_session_page_and_the_desk_still_show_an_erased_clients_sessions(
    client, sabine, therapist, manager, receptionist, days
):
    # Given Sabine erased after her session yesterday
    client_erase(client=sabine.client, user=manager)

    # When her therapist reads yesterday and the session, and the desk tomorrow
    sign_in(client, therapist.user)
    day = client.get(f"/my-day/?date={days[0]}")
    session = client.get(f"/sessions/{sabine.past.pk}/")
    sign_in(client, receptionist)
    desk = client.get(f"/desk/?date={days[1]}")

    # Then the pages show the anonymous record, without a plan or anything of her health
    assert (day.status_code, session.status_code, desk.status_code) == (200, 200, 200)
    for page in (day, session):
        html = page.content.decode()
        assert f"client {sabine.client.pk}" in html
        assert "Sciatica" not in html
        assert "almond" not in html


def test_a_failing_part_of_the_erasure_undoes_all_of_it(sabine, manager):
    # Given an app that fails when it hears of the erasure, after the sessions app did its part
    seen_then = []

    def fail(sender, **kwargs):
        seen_then.append(session_data_of(sabine))
        raise Conflict("Not now.", code="busy")

    client_erasing.connect(fail, dispatch_uid="test.fail")
    try:
        # When Sabine is erased
        with pytest.raises(Conflict):
            client_erase(client=sabine.client, user=manager)
    finally:
        client_erasing.disconnect(dispatch_uid="test.fail")

    # Then nothing was erased: not her record, nor her sessions' data, gone by then
    assert set(seen_then[0].values()) == {0}
    sabine.client.refresh_from_db()
    assert (sabine.client.given_name, sabine.client.erased_at) == ("Sabine", None)
    assert 0 not in session_data_of(sabine).values()
    sabine.ahead.refresh_from_db()
    assert sabine.ahead.status == "booked"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_messages_taken_for_sending_as_she_is_erased_do_not_go_out(sabine, manager, monkeypatch):
    from django.core import mail

    from clients.links import LinkInvalid
    from clients.models import ClientLink
    from clients.selectors import client_link_usable
    from sessions.services import outbox

    # Given Sabine's messages due, and her erasure committed just after a send task has taken them
    waiting = Notification.objects.filter(client=sabine.client, status=Notification.Status.PENDING, channel="email")
    ids = list(waiting.values_list("pk", flat=True))
    assert ids
    Notification.objects.filter(pk__in=ids).update(due_at=timezone.now())
    take = outbox.notifications_start_sending

    def taken_then_erased(**kwargs):
        taken = take(**kwargs)
        client_erase(client=sabine.client, user=manager)
        return taken

    monkeypatch.setattr(outbox, "notifications_start_sending", taken_then_erased)
    mail.outbox.clear()

    # When the task goes on with the messages it holds
    sent = outbox.notifications_send(notification_ids=ids)

    # Then none went out, the rows say so, and no link made meanwhile opens anything
    assert (sent, mail.outbox) == (0, [])
    assert set(Notification.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"cancelled"}
    for link in ClientLink.objects.filter(client=sabine.client):
        with pytest.raises(LinkInvalid):
            client_link_usable(link_id=link.pk, purpose=link.purpose)


def test_the_upgrade_marks_the_sessions_earlier_erasures_cancelled_in_either_language(sabine, petra, manager):
    import importlib

    from django.apps import apps

    upgrade = importlib.import_module("sessions.migrations.0019_appointment_cancelled_at_erasure")
    # Given Sabine erased before sessions cancelled by an erasure were marked, by a manager reading German,
    # and Petra (not erased) who cancelled her session ahead with the same words
    client_erase(client=sabine.client, user=manager)
    Appointment.objects.filter(pk=sabine.ahead.pk).update(
        cancelled_at_erasure=False, cancellation_reason="Die Daten der Kundin oder des Kunden wurden gelöscht."
    )
    appointment_transition(appointment=petra.ahead, to_status="cancelled", reason="The client's data was erased.")

    # When the upgrade runs
    upgrade.erasure_cancellations_mark(apps, None)

    # Then only the session the erasure cancelled is marked
    marked = set(Appointment.objects.filter(cancelled_at_erasure=True).values_list("pk", flat=True))
    assert marked == {sabine.ahead.pk}
