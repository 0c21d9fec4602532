import datetime

import icalendar
import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from sessions.models import Appointment, Notification
from sessions.services.booking import appointment_book, appointment_reschedule
from sessions.services.lifecycle import appointment_transition
from sessions.services.outbox import notifications_claim_due, outside_quiet_hours
from sessions.tasks import notification_send, notifications_dispatch
from tests.factories import ClientFactory, screening_for
from tests.helpers import BERLIN, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def consenting(salon):
    person = ClientFactory(salon=salon, given_name="Sabine", consent_reminders=True, consent_feedback=True)
    screening_for(person)
    return person


def rows(appointment):
    return {(n.kind, n.status): n for n in Notification.objects.filter(appointment=appointment)}


def test_booking_writes_a_confirmation_and_reminders_24h_and_2h_before(salon, therapist, room, routine, consenting):
    now = at(datetime.date(2027, 1, 4), 9)
    start = at(datetime.date(2027, 1, 6), 10)

    appointment = appointment_book(client=consenting, routine=routine, start=start, now=now)

    reminders = sorted(
        Notification.objects.filter(appointment=appointment, kind="reminder").values_list("due_at", flat=True)
    )
    assert reminders == [start - datetime.timedelta(hours=24), start - datetime.timedelta(hours=2)]
    assert Notification.objects.get(appointment=appointment, kind="confirmation").due_at == now
    assert not Notification.objects.filter(appointment=appointment, kind="intake_request").exists()


def test_a_booking_inside_a_lead_time_gets_only_the_reminders_still_ahead(salon, therapist, room, routine, consenting):
    now = at(datetime.date(2027, 1, 6), 7)

    appointment = appointment_book(client=consenting, routine=routine, start=at(datetime.date(2027, 1, 6), 12), now=now)

    assert list(
        Notification.objects.filter(appointment=appointment, kind="reminder").values_list("key", flat=True)
    ) == [f"{appointment.pk}:reminder:2h"]


def test_no_reminders_or_feedback_without_consent(salon, therapist, room, routine, client_):
    now = at(datetime.date(2027, 1, 4), 9)
    appointment = appointment_book(client=client_, routine=routine, start=at(datetime.date(2027, 1, 6), 10), now=now)
    for status in ("checked_in", "in_progress", "completed"):
        appointment = appointment_transition(appointment=appointment, to_status=status, now=appointment.start)

    kinds = set(Notification.objects.filter(appointment=appointment).values_list("kind", flat=True))
    assert kinds == {"confirmation", "intake_request"}  # no screening yet: the client is asked for one


def test_an_intake_request_goes_out_on_booking_and_again_48h_before(salon, therapist, room, routine, client_):
    now = at(datetime.date(2027, 1, 4), 9)
    start = at(datetime.date(2027, 1, 10), 10)

    appointment = appointment_book(client=client_, routine=routine, start=start, now=now)

    dues = sorted(
        Notification.objects.filter(appointment=appointment, kind="intake_request").values_list("due_at", flat=True)
    )
    assert dues == [now, start - datetime.timedelta(hours=48)]


def test_reschedule_sends_a_notice_and_moves_pending_reminders(salon, therapist, room, routine, consenting):
    now = at(datetime.date(2027, 1, 4), 9)
    appointment = appointment_book(client=consenting, routine=routine, start=at(datetime.date(2027, 1, 6), 10), now=now)
    new_start = at(datetime.date(2027, 1, 7), 14)

    appointment_reschedule(appointment=appointment, start=new_start, now=now)

    pending = Notification.objects.filter(appointment=appointment, kind="reminder", status="pending")
    assert sorted(pending.values_list("due_at", flat=True)) == [
        new_start - datetime.timedelta(hours=24),
        new_start - datetime.timedelta(hours=2),
    ]
    assert Notification.objects.filter(appointment=appointment, kind="reminder", status="cancelled").count() == 2
    assert Notification.objects.filter(appointment=appointment, kind="reschedule").count() == 1


def test_cancelling_cancels_pending_reminders_and_sends_a_notice(salon, therapist, room, routine, consenting):
    now = at(datetime.date(2027, 1, 4), 9)
    appointment = appointment_book(client=consenting, routine=routine, start=at(datetime.date(2027, 1, 6), 10), now=now)

    appointment_transition(appointment=appointment, to_status="cancelled", reason="Ill")

    statuses = set(
        Notification.objects.filter(appointment=appointment, kind="reminder").values_list("status", flat=True)
    )
    assert statuses == {"cancelled"}
    assert Notification.objects.get(appointment=appointment, kind="cancellation").status == "pending"


def test_completion_asks_for_feedback_after_the_salons_delay(salon, therapist, room, routine, consenting, tomorrow):
    appointment = appointment_book(client=consenting, routine=routine, start=at(tomorrow, 10))
    for status in ("checked_in", "in_progress", "completed"):
        appointment = appointment_transition(appointment=appointment, to_status=status, now=appointment.start)

    feedback = Notification.objects.get(appointment=appointment, kind="feedback_request")
    assert feedback.due_at - feedback.created_at == pytest.approx(
        datetime.timedelta(minutes=120), abs=datetime.timedelta(seconds=5)
    )


@pytest.mark.parametrize(
    ("due_local", "latest_local", "expected_local"),
    [
        ("2027-01-05 22:30", None, "2027-01-06 08:00"),  # waits for the morning
        ("2027-01-06 06:00", None, "2027-01-06 08:00"),
        ("2027-01-06 12:00", None, "2027-01-06 12:00"),  # not quiet
        ("2027-01-05 22:30", "2027-01-06 07:30", "2027-01-05 20:59"),  # the morning is too late: the evening before
    ],
)
def test_sms_never_in_quiet_hours(salon, due_local, latest_local, expected_local):
    def local(text):
        return datetime.datetime.fromisoformat(text).replace(tzinfo=BERLIN)

    moved = outside_quiet_hours(
        local(due_local), salon=salon, channel="sms", latest=local(latest_local) if latest_local else None
    )

    assert moved.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M") == expected_local
    assert outside_quiet_hours(local(due_local), salon=salon, channel="email", latest=None) == local(due_local)


def test_a_reminder_24_hours_before_a_session_just_after_the_autumn_change(salon, therapist, room, consenting):
    from salon.models import OpeningHours, WorkingHours
    from tests.factories import short_routine

    OpeningHours.objects.create(salon=salon, weekday=6, opens=datetime.time(0), closes=datetime.time(23, 59))
    WorkingHours.objects.create(
        therapist=therapist, salon=salon, weekday=6, starts=datetime.time(0), ends=datetime.time(6)
    )
    start = datetime.datetime(2027, 10, 31, 4, 0, tzinfo=BERLIN)  # CET, after the change at 03:00
    now = datetime.datetime(2027, 10, 20, tzinfo=BERLIN)

    appointment = appointment_book(
        client=consenting, routine=short_routine(minutes=30, turnover=0), start=start, now=now
    )

    day_before = Notification.objects.get(appointment=appointment, key__endswith="reminder:24h")
    assert start - day_before.due_at == datetime.timedelta(hours=24)  # real hours
    assert day_before.due_at.astimezone(BERLIN).strftime("%H:%M%z") == "05:00+0200"  # wall clock shows 25 hours


@pytest.mark.usefixtures("eager_celery")
class TestSending:
    def test_dispatch_sends_each_due_message_once_with_the_calendar_file(
        self, salon, therapist, room, routine, consenting, tomorrow
    ):
        appointment = appointment_book(client=consenting, routine=routine, start=at(tomorrow, 10))

        notifications_dispatch.apply()
        notifications_dispatch.apply()
        for notification in Notification.objects.all():
            notification_send.apply(args=[notification.pk])  # a rerun changes nothing

        confirmation = Notification.objects.get(appointment=appointment, kind="confirmation")
        assert confirmation.status == "sent"
        assert confirmation.attempts == 1
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == [consenting.email]
        assert message.extra_headers["Message-ID"].startswith(f"<{appointment.pk}.confirmation@")
        assert "Sabine" in message.body
        assert at(tomorrow, 10).strftime("%H:%M") in message.body
        calendar = icalendar.Calendar.from_ical(message.attachments[0][1])
        event = calendar.walk("VEVENT")[0]
        assert str(event["uid"]) == f"appointment-{appointment.pk}@127.0.0.1:8000"
        assert int(event["sequence"]) == 0

    def test_a_reschedule_notice_keeps_the_uid_and_raises_the_sequence(
        self, salon, therapist, room, routine, consenting, tomorrow
    ):
        appointment = appointment_book(client=consenting, routine=routine, start=at(tomorrow, 10))
        appointment_reschedule(appointment=appointment, start=at(tomorrow, 12))

        notifications_dispatch.apply()

        files = {
            m.subject.split(" · ")[0]: icalendar.Calendar.from_ical(m.attachments[0][1]).walk("VEVENT")[0]
            for m in mail.outbox
        }
        moved = files["Your massage has moved"]
        assert str(moved["uid"]) == f"appointment-{appointment.pk}@127.0.0.1:8000"
        assert int(moved["sequence"]) == 1
        assert moved.decoded("dtstart") == at(tomorrow, 12)

    def test_a_cancellation_carries_method_cancel(self, salon, therapist, room, routine, consenting, tomorrow):
        appointment = appointment_book(client=consenting, routine=routine, start=at(tomorrow, 10))
        appointment_transition(appointment=appointment, to_status="cancelled", reason="Ill")

        notifications_dispatch.apply()

        cancel = next(m for m in mail.outbox if m.subject.startswith("Your massage is cancelled"))
        assert icalendar.Calendar.from_ical(cancel.attachments[0][1])["method"] == "CANCEL"

    def test_a_failing_send_is_retried_with_backoff_then_marked_failed(
        self, salon, therapist, room, routine, consenting, tomorrow, monkeypatch
    ):

        appointment_book(client=consenting, routine=routine, start=at(tomorrow, 10))
        notification = Notification.objects.get(kind="confirmation")

        def broken(*args, **kwargs):
            raise ConnectionRefusedError("mail server down")

        monkeypatch.setattr("sessions.messages.send_email", broken)
        waits = []
        for _ in range(5):
            tried_at = timezone.now()
            notification_send.apply(args=[notification.pk])
            notification.refresh_from_db()
            if notification.status == "pending":
                waits.append(round((notification.due_at - tried_at).total_seconds()))
                notification_send.apply(args=[notification.pk])  # a duplicate task before the wait is over
                assert Notification.objects.get(pk=notification.pk).attempts == notification.attempts
                assert notification.pk not in notifications_claim_due()
                Notification.objects.filter(pk=notification.pk).update(due_at=timezone.now())  # the wait is over

        assert waits == [30, 60, 120, 240]
        assert notification.status == "failed"
        assert notification.attempts == 5
        assert "mail server down" in notification.last_error
        assert mail.outbox == []

    def test_a_recipient_refused_for_good_fails_at_once(
        self, salon, therapist, room, routine, consenting, tomorrow, monkeypatch
    ):
        import smtplib

        appointment_book(client=consenting, routine=routine, start=at(tomorrow, 10))
        notification = Notification.objects.get(kind="confirmation")

        def refused(*args, **kwargs):
            raise smtplib.SMTPRecipientsRefused({consenting.email: (550, b"No such user")})

        monkeypatch.setattr("sessions.messages.send_email", refused)
        notification_send.apply(args=[notification.pk])

        notification.refresh_from_db()
        assert (notification.status, notification.attempts) == ("failed", 1)
        assert "No such user" in notification.last_error

    def test_a_client_whose_address_was_removed_gets_a_clear_failure(
        self, salon, therapist, room, routine, consenting, tomorrow
    ):
        appointment_book(client=consenting, routine=routine, start=at(tomorrow, 10))
        consenting.__class__.objects.filter(pk=consenting.pk).update(email="", phone="+4930123456")
        notification = Notification.objects.get(kind="confirmation")

        notification_send.apply(args=[notification.pk])

        notification.refresh_from_db()
        assert notification.status == "failed"
        assert "no email address" in notification.last_error

    def test_a_resend_after_a_crash_carries_the_same_message_id(
        self, salon, therapist, room, routine, consenting, tomorrow
    ):
        """Given a worker that died after the mail server took the message but
        before the row was marked sent, when the lease runs out and the message
        goes out again, then the receiver can recognise it by its Message-ID."""

        from sessions.services.outbox import lease, notification_deliver, notification_start_sending

        appointment_book(client=consenting, routine=routine, start=at(tomorrow, 10))
        confirmation = Notification.objects.get(kind="confirmation")
        notification_deliver(notification=notification_start_sending(notification_id=confirmation.pk))  # then dies
        later = timezone.now() + lease() + datetime.timedelta(seconds=1)

        assert notifications_claim_due(now=later) == [confirmation.pk]
        notification_send.apply(args=[confirmation.pk])

        first, second = mail.outbox
        assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"]
        assert Notification.objects.get(pk=confirmation.pk).status == "sent"

    def test_a_row_left_sending_by_a_dead_worker_returns_after_the_lease(
        self, salon, therapist, room, routine, consenting, tomorrow
    ):

        appointment_book(client=consenting, routine=routine, start=at(tomorrow, 10))
        stuck = Notification.objects.get(kind="confirmation")
        Notification.objects.filter(pk=stuck.pk).update(
            status="sending", claimed_at=timezone.now() - datetime.timedelta(minutes=11)
        )

        assert stuck.pk in notifications_claim_due()
        stuck.refresh_from_db()
        assert stuck.status == "pending"

    def test_a_claimed_row_is_not_handed_out_twice_within_the_lease(
        self, salon, therapist, room, routine, consenting, tomorrow
    ):
        appointment_book(client=consenting, routine=routine, start=at(tomorrow, 10))

        first = notifications_claim_due()
        second = notifications_claim_due()

        assert first
        assert second == []
        assert Appointment.objects.count() == 1


def due_reminders(appointment, count: int) -> list[Notification]:
    """``count`` reminders for one appointment, all due a minute ago."""

    due = timezone.now() - datetime.timedelta(minutes=1)
    return Notification.objects.bulk_create(
        Notification(key=f"{appointment.pk}:test:{n}", kind="reminder", appointment=appointment,
                     client=appointment.client, channel="email", due_at=due)
        for n in range(count)
    )  # fmt: skip


@pytest.mark.usefixtures("eager_celery")
class TestDispatchAtScale:
    def test_dispatch_drains_every_due_message_batch_after_batch(
        self, salon, therapist, room, routine, consenting, tomorrow, monkeypatch
    ):
        appointment = appointment_book(client=consenting, routine=routine, start=at(tomorrow, 10))
        due_reminders(appointment, 10)
        monkeypatch.setattr("sessions.services.outbox.BATCH", 4)

        handed_out = notifications_dispatch.apply().get()

        assert handed_out == 11  # the confirmation and ten reminders, in three batches
        due_by_now = Notification.objects.filter(due_at__lte=timezone.now())
        assert set(due_by_now.values_list("status", flat=True)) == {"sent"}
        assert len(mail.outbox) == 11

    @pytest.mark.parametrize("count", [10, 100])
    def test_claiming_takes_the_same_queries_for_ten_or_a_hundred(
        self, salon, therapist, room, routine, consenting, tomorrow, count, django_assert_num_queries
    ):
        appointment = appointment_book(client=consenting, routine=routine, start=at(tomorrow, 10))
        due_reminders(appointment, count)

        with django_assert_num_queries(5):  # savepoint, lease return, select due, mark claimed, release
            claimed = notifications_claim_due()

        assert len(claimed) == count + 1

    @pytest.mark.parametrize("kind", ["confirmation", "reminder", "intake_request", "feedback_request"])
    def test_sending_one_message_takes_a_fixed_number_of_queries(
        self, salon, therapist, room, routine, client_, tomorrow, kind, django_assert_max_num_queries
    ):
        appointment = appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))
        notification = Notification.objects.filter(appointment=appointment).first()
        Notification.objects.filter(pk=notification.pk).update(kind=kind)

        # 9: a confirmation or reminder by email writes its cancel and its reschedule link (each in a
        # savepoint); then the check that it is still to go (on PostgreSQL in a savepoint with the mark)
        with django_assert_max_num_queries(12 if connection.vendor == "postgresql" else 10):
            notification_send.apply(args=[notification.pk])

        assert Notification.objects.get(pk=notification.pk).status == "sent"

    @pytest.mark.parametrize("count", [10, 40])
    def test_a_chunk_costs_one_query_per_message_and_a_few_for_the_chunk(
        self, salon, therapist, room, routine, consenting, tomorrow, count, django_assert_max_num_queries
    ):
        from clients.models import ClientLink
        from sessions.tasks import notifications_send

        # Given reminders due now for a session a week ahead, each carrying a cancel and a reschedule link
        appointment = appointment_book(
            client=consenting, routine=routine, start=at(tomorrow + datetime.timedelta(days=7), 10)
        )
        reminders = due_reminders(appointment, count)

        # When one send task takes them all: the chunk costs the savepoint, the
        # locking read with what the messages say, the update to sending, the
        # release, one insert of all links (and on PostgreSQL setting and
        # resetting synchronous_commit); each message the check that it is
        # still to go and its update to sent (on PostgreSQL in a savepoint
        # of their own here, a transaction outside tests)
        per_message = 4 if connection.vendor == "postgresql" else 2
        with django_assert_max_num_queries(7 + per_message * count):
            sent = notifications_send.apply(args=[[reminder.pk for reminder in reminders]]).get()

        # Then every message went out once, with its links
        assert sent == count == len(mail.outbox)
        assert set(Notification.objects.filter(pk__in=[r.pk for r in reminders]).values_list("status", "attempts")) == {
            ("sent", 1)
        }
        assert ClientLink.objects.filter(purpose="cancel").count() == count
        assert ClientLink.objects.filter(purpose="reschedule").count() == count
        assert all("/cancel/" in message.body for message in mail.outbox)

    def test_a_refused_address_fails_its_own_message_and_the_chunk_goes_on_over_one_connection(
        self, salon, therapist, room, routine, consenting, tomorrow, settings, unused_tcp_port
    ):
        from sessions.tasks import notifications_send
        from tests.helpers import Inbox, serve_smtp

        class Refusing(Inbox):
            """Refuses one address for good, and notes each message's connection."""

            def __init__(self):
                super().__init__()
                self.connections = []

            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if address == "gone@example.com":
                    return "550 No such user"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                self.connections.append(session.peer)
                return await super().handle_DATA(server, session, envelope)

        inbox = Refusing()
        controller = serve_smtp(inbox, unused_tcp_port)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", unused_tcp_port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        # Given five due reminders, the middle one for a client whose address the server refuses
        gone = ClientFactory(salon=salon, email="gone@example.com", consent_reminders=True)
        screening_for(gone)
        good = appointment_book(client=consenting, routine=routine, start=at(tomorrow, 10))
        bad = appointment_book(client=gone, routine=routine, start=at(tomorrow, 12))
        due = timezone.now() - datetime.timedelta(minutes=1)
        reminders = Notification.objects.bulk_create(
            Notification(key=f"{appointment.pk}:chunk:{n}", kind="reminder", appointment=appointment,
                         client=appointment.client, channel="email", due_at=due)
            for n, appointment in enumerate([good, good, bad, good, good])
        )  # fmt: skip

        # When one send task takes them
        try:
            sent = notifications_send.apply(args=[[reminder.pk for reminder in reminders]]).get()
        finally:
            controller.stop()

        # Then the refused one failed for good, and the four others arrived over one connection
        statuses = dict(Notification.objects.filter(pk__in=[r.pk for r in reminders]).values_list("pk", "status"))
        assert [statuses[reminder.pk] for reminder in reminders] == ["sent", "sent", "failed", "sent", "sent"]
        assert "No such user" in Notification.objects.get(pk=reminders[2].pk).last_error
        assert sent == len(inbox.messages) == 4
        assert len(set(inbox.connections)) == 1


def test_the_confirmation_asks_to_speak_up_and_the_feedback_request_carries_the_routines_aftercare(
    salon, therapist, room, routine, consenting, tomorrow
):
    from sessions.messages import send_email

    routine.aftercare = "Drink water and keep warm."
    routine.save()
    appointment = appointment_book(client=consenting, routine=routine, start=at(tomorrow, 10))
    confirmation = Notification.objects.get(appointment=appointment, kind="confirmation")
    feedback = Notification(
        appointment=appointment, client=consenting, kind="feedback_request", channel="email", due_at=appointment.end
    )

    send_email(confirmation)
    send_email(feedback, link="http://127.0.0.1:8000/forms/feedback/x/")

    asked, thanked = mail.outbox
    assert "tell your therapist at once if any pain grows" in asked.body
    assert "Drink water and keep warm." not in asked.body
    assert "After your massage: Drink water and keep warm." in thanked.body
    assert "tell your therapist at once" not in thanked.body


# --- Moving and cancelling from an SMS --------------------------------------------------


@pytest.mark.parametrize("kind", ["confirmation", "reminder"])
def test_an_sms_carries_one_link_the_reschedule_pages_which_also_cancels(
    salon, therapist, room, routine, tomorrow, sms_outbox, settings, kind
):
    from clients.models import ClientLink
    from sessions.messages import SMS_MAX_SEGMENTS, sms_segments
    from sessions.services.outbox import notification_deliver, notification_start_sending

    # Given a client who hears by SMS, booked the day after tomorrow, and a site with a long address
    settings.SITE_URL = "https://termine.massagepraxis-am-stadtpark.example"
    texting = ClientFactory(salon=salon, email="", phone="+4915123456789", preferred_channel="sms",
                            consent_reminders=True)  # fmt: skip
    screening_for(texting)
    appointment = appointment_book(client=texting, routine=routine, start=at(tomorrow + datetime.timedelta(days=1), 10))
    message = Notification.objects.filter(appointment=appointment, kind=kind).order_by("due_at").first()
    Notification.objects.filter(pk=message.pk).update(due_at=timezone.now())

    # When it goes out
    notification_deliver(notification=notification_start_sending(notification_id=message.pk))

    # Then the SMS, within its parts, carries the link to move (or cancel) the appointment, whole
    (sms,) = sms_outbox
    assert sms["to"] == "+4915123456789"
    assert sms_segments(sms["text"]) <= SMS_MAX_SEGMENTS
    assert "Move or cancel until" in sms["text"]
    assert "/forms/cancel/" not in sms["text"]
    link = ClientLink.objects.get(client=texting)
    assert (link.purpose, link.reference, link.expires_at) == ("reschedule", appointment.pk, appointment.start)
    assert f"{settings.SITE_URL}/book/reschedule/" in sms["text"]
    assert mail.outbox == []


def test_an_email_keeps_a_cancel_link_and_a_reschedule_link(salon, therapist, room, routine, tomorrow, consenting):
    from clients.models import ClientLink
    from sessions.services.outbox import notification_deliver, notification_start_sending

    start = at(tomorrow + datetime.timedelta(days=1), 10)
    appointment = appointment_book(client=consenting, routine=routine, start=start)
    reminder = Notification.objects.filter(appointment=appointment, kind="reminder").order_by("due_at").first()
    Notification.objects.filter(pk=reminder.pk).update(due_at=timezone.now())

    notification_deliver(notification=notification_start_sending(notification_id=reminder.pk))

    body = mail.outbox[0].body
    assert "/forms/cancel/" in body
    assert "/book/reschedule/" in body
    assert set(ClientLink.objects.values_list("purpose", flat=True)) == {"cancel", "reschedule"}


# --- A run of emails: each template rendered once per shape -----------------------------


def same_shape_messages(salon, routine, tomorrow, *, kind: str, language: str) -> list[tuple[Notification, str, str]]:
    """Two messages of one kind and language, to two clients (one whose name
    HTML must escape) on different days, each with its own links."""
    messages = []
    for n, name in enumerate(["Sabine", "Ann & <Bo>"]):
        person = ClientFactory(salon=salon, given_name=name, language=language, consent_reminders=True)
        screening_for(person)
        appointment = appointment_book(
            client=person, routine=routine, start=at(tomorrow + datetime.timedelta(days=n), 10 + n)
        )
        message = Notification(key=f"{appointment.pk}:shape", kind=kind, appointment=appointment, client=person,
                               channel="email", due_at=timezone.now())  # fmt: skip
        messages.append(
            (message, f"https://salon.example/forms/cancel/{n}?a=1&b=2/", f"https://salon.example/book/{n}/")
        )
    return messages


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize(
    "kind", ["confirmation", "reminder", "reschedule", "cancellation", "intake_request", "feedback_request"]
)
def test_a_run_of_emails_reads_as_each_email_rendered_on_its_own(
    salon, therapist, room, routine, tomorrow, kind, language
):
    from sessions.messages import Outgoing, send_email

    # Given two messages of the same shape
    messages = same_shape_messages(salon, routine, tomorrow, kind=kind, language=language)

    # When they go out as one run, and again each on its own
    with Outgoing() as outgoing:
        for message, link, reschedule_link in messages:
            outgoing.send(message, link=link, reschedule_link=reschedule_link)
    for message, link, reschedule_link in messages:
        send_email(message, link=link, reschedule_link=reschedule_link)

    # Then each reads the same both ways, text and HTML, with its own name, time and links
    run, alone = mail.outbox[:2], mail.outbox[2:]
    assert [(email.body, email.alternatives) for email in run] == [(email.body, email.alternatives) for email in alone]
    assert "Ann & <Bo>" in run[1].body
    assert "Ann &amp; &lt;Bo&gt;" in run[1].alternatives[0].content
    assert "/forms/cancel/1?a=1&amp;b=2/" in run[1].alternatives[0].content or kind == "cancellation"


def test_a_run_renders_each_template_once_for_its_shape_and_once_whole(
    salon, therapist, room, routine, tomorrow, monkeypatch
):
    from sessions import messages as outgoing_messages

    rendered = []
    render = outgoing_messages.render
    monkeypatch.setattr(
        outgoing_messages, "render", lambda template, context: rendered.append(template) or render(template, context)
    )
    # Given five reminders of one shape
    messages = same_shape_messages(salon, routine, tomorrow, kind="reminder", language="en") * 3

    # When they go out as one run
    with outgoing_messages.Outgoing() as outgoing:
        for message, link, reschedule_link in messages[:5]:
            outgoing.send(message, link=link, reschedule_link=reschedule_link)

    # Then each template was rendered twice (with stand-ins, and whole for the
    # first message, to check them), not five times
    assert sorted(rendered) == ["sessions/email/message.html"] * 2 + ["sessions/email/message.txt"] * 2
    assert len(mail.outbox) == 5


def test_a_template_the_stand_ins_do_not_fit_is_rendered_whole_for_each_message(
    salon, therapist, room, routine, tomorrow, monkeypatch
):
    from sessions import messages as outgoing_messages

    # Given a text part that shows the client's email address too, which no stand-in holds
    render = outgoing_messages.render

    def render_with_address(template, context):
        return render(template, context) + f"\n{context['client'].email}"

    monkeypatch.setattr(outgoing_messages, "render", render_with_address)
    messages = same_shape_messages(salon, routine, tomorrow, kind="reminder", language="en")

    # When they go out as one run
    with outgoing_messages.Outgoing() as outgoing:
        for message, link, reschedule_link in messages:
            outgoing.send(message, link=link, reschedule_link=reschedule_link)

    # Then each shows its own client's address
    assert [email.body.rsplit("\n", 1)[1] for email in mail.outbox] == [
        message.appointment.client.email for message, _, _ in messages
    ]
