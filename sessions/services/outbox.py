"""The notification outbox: which messages a booking's life produces and
when (written in the same transaction as the change), and sending them
exactly once.

Consent: reminders need ``consent_reminders`` and feedback requests
``consent_feedback``; confirmations, reschedule and cancellation notices and
intake requests are part of the booking itself and always go out.
"""

import contextlib
import datetime
import logging
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.constants import OnConflict
from django.utils import timezone
from django.utils.translation import gettext

from clients.outcome import ScreeningOutcome
from clients.selectors import client_outcome
from salon.compiled import CompiledInsert, prepared_cursor
from salon.errors import Conflict
from sessions import messages
from sessions.models import Appointment, Notification
from sessions.selectors import client_cancel_deadline

DEFAULT_LEAD_HOURS = [24, 2]
INTAKE_AGAIN_HOURS = 48
BATCH = 500
# Messages per send task: one claim, one load and one insert of links, one
# mail connection, and each shape of message rendered once, for all of them
# (``messages.EmailParts``). Those cost about 10 ms a chunk: 100 rather than
# 50 saves about 0.1 ms of CPU a message.
CHUNK = 100
MAX_TRIES = 5
FIRST_RETRY_AFTER = datetime.timedelta(seconds=30)
Kind = Notification.Kind
logger = logging.getLogger(__name__)


def lease() -> datetime.timedelta:
    """How long a claimed or sending row is left to its worker before it is
    handed out again (``NOTIFICATION_LEASE_SECONDS``; longer than any send)."""
    return datetime.timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS)


def channel_for(client) -> str | None:
    """The client's preferred channel, or the other one when that has no address."""
    wanted = client.preferred_channel
    if wanted == "sms" and client.phone:
        return Notification.Channel.SMS
    if client.email:
        return Notification.Channel.EMAIL
    return Notification.Channel.SMS if client.phone else None


def outside_quiet_hours(
    due: datetime.datetime, *, salon, channel: str, latest: datetime.datetime | None
) -> datetime.datetime:
    """SMS never in the salon's quiet hours: a message due then waits for the
    morning, unless the morning is too late (after ``latest``), in which case
    it goes out just before the quiet hours began."""
    if channel != Notification.Channel.SMS:
        return due
    zone = salon.zone
    local = due.astimezone(zone)
    start, end = salon.quiet_hours_start, salon.quiet_hours_end
    wall = local.time()
    quiet = (start <= wall or wall < end) if start > end else (start <= wall < end)
    if not quiet:
        return due
    morning_day = local.date() + datetime.timedelta(days=1) if wall >= start and start > end else local.date()
    morning = datetime.datetime.combine(morning_day, end, tzinfo=zone)
    if latest is None or morning <= latest:
        return morning.astimezone(datetime.UTC)
    evening_day = morning_day - datetime.timedelta(days=1) if start > end else morning_day
    evening = datetime.datetime.combine(evening_day, start, tzinfo=zone) - datetime.timedelta(minutes=1)
    return evening.astimezone(datetime.UTC)


def _lead_hours(salon) -> list[int]:
    return list(salon.reminder_lead_hours or DEFAULT_LEAD_HOURS)


def _write(
    appointment: Appointment, *, kind: str, key: str, due: datetime.datetime, latest=None, channel: str | None = None
) -> Notification | None:
    """The message, by ``channel`` or else the client's (None when there is no address)."""
    message = _message(appointment, kind=kind, key=key, due=due, latest=latest, channel=channel)
    if message is None:
        return None
    notification, _ = Notification.objects.get_or_create(
        key=key,
        defaults={"kind": kind, "appointment": appointment, "client": appointment.client,
                  "channel": message.channel, "due_at": message.due_at},
    )  # fmt: skip
    return notification


def _message(
    appointment: Appointment, *, kind: str, key: str, due: datetime.datetime, latest=None, channel: str | None = None
) -> Notification | None:
    """:func:`_write`'s message, not saved: for a new booking, whose keys no row can hold yet."""
    channel = channel or channel_for(appointment.client)
    if channel is None:
        return None
    due = outside_quiet_hours(due, salon=appointment.room.salon, channel=channel, latest=latest)
    return Notification(key=key, kind=kind, appointment=appointment, client=appointment.client, channel=channel,
                        due_at=due)  # fmt: skip


def _reminders(appointment: Appointment, now: datetime.datetime) -> list[Notification | None]:
    """Reminders still ahead of the session; none in the past."""
    if not appointment.client.consent_reminders:
        return []
    reminders = []
    for hours in _lead_hours(appointment.room.salon):
        due = appointment.start - datetime.timedelta(hours=hours)
        if due > now:
            reminders.append(_message(appointment, kind=Kind.REMINDER, key=f"{appointment.pk}:reminder:{hours}h",
                                      due=due, latest=appointment.start))  # fmt: skip
    return reminders


def _needs_intake(appointment: Appointment, outcome: ScreeningOutcome | None = None) -> bool:
    outcome = client_outcome(appointment.client) if outcome is None else outcome
    findings = {finding.rule for finding in outcome.findings}
    return bool(findings & {"no_screening", "screening_expired"})


# Every booking writes its messages this way: the INSERT built once per number of messages.
_NEW_MESSAGES = CompiledInsert(Notification)


def notifications_for_booking(
    *, appointment: Appointment, now: datetime.datetime | None = None, outcome: ScreeningOutcome | None = None
) -> None:
    """The messages of a new booking, in one insert (one statement: all or
    none, inside the booking's transaction); ``outcome`` is the client's
    screening outcome when the caller has read it already."""
    now = now or timezone.now()
    outgoing = [_message(appointment, kind=Kind.CONFIRMATION, key=f"{appointment.pk}:confirmation", due=now)]
    outgoing += _reminders(appointment, now)
    if _needs_intake(appointment, outcome):
        outgoing.append(_message(appointment, kind=Kind.INTAKE_REQUEST, key=f"{appointment.pk}:intake", due=now))
        again = appointment.start - datetime.timedelta(hours=INTAKE_AGAIN_HOURS)
        if again > now:
            outgoing.append(_message(appointment, kind=Kind.INTAKE_REQUEST, key=f"{appointment.pk}:intake:again",
                                     due=again, latest=appointment.start))  # fmt: skip
    _NEW_MESSAGES.save(*[message for message in outgoing if message is not None])


_MESSAGE_FIELDS = [field for field in Notification._meta.local_concrete_fields if not field.primary_key]
# The statements of _write_new and _pending_withdraw, by database and shape: built once.
_STATEMENTS: dict[tuple, str] = {}


def _write_new(outgoing: list[Notification | None]) -> None:
    """Messages (:func:`_message`) in one insert; one whose key is written
    already is that message, and is left as it is (as :func:`_write` leaves
    it), without the savepoint and the read of ``get_or_create``. As
    ``bulk_create(ignore_conflicts=True)`` writes them (no ids read back), by
    SQL built once per database and number of messages: every move and cancel
    writes some, and building the INSERT took more CPU than sending it."""
    rows = [message for message in outgoing if message is not None]
    if not rows:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    sql = _STATEMENTS.get((connection.alias, "insert", len(rows)))
    if sql is None:
        quote, ops = connection.ops.quote_name, connection.ops
        columns = ", ".join(quote(field.column) for field in _MESSAGE_FIELDS)
        row = f"({', '.join(['%s'] * len(_MESSAGE_FIELDS))})"
        sql = (
            f"{ops.insert_statement(on_conflict=OnConflict.IGNORE)} {quote(Notification._meta.db_table)} ({columns}) "
            f"VALUES {', '.join([row] * len(rows))} "
            f"{ops.on_conflict_suffix_sql(_MESSAGE_FIELDS, OnConflict.IGNORE, None, None)}"
        )
        _STATEMENTS[connection.alias, "insert", len(rows)] = sql
    for message in rows:
        message._prepare_related_fields_for_save(operation_name="bulk_create")
    values = [field.get_db_prep_save(field.pre_save(message, True), connection)
              for message in rows for field in _MESSAGE_FIELDS]  # fmt: skip
    with prepared_cursor() as cursor:
        cursor.execute(sql, values)


def _pending_withdraw(appointment: Appointment, *, kind: str | None = None) -> None:
    """The appointment's messages still pending (of ``kind`` only, if given)
    marked cancelled, as ``filter(...).update(status=CANCELLED)`` marks them,
    by SQL built once per database (building the UPDATE took more CPU than sending it)."""
    connection = connections[DEFAULT_DB_ALIAS]
    sql = _STATEMENTS.get((connection.alias, "withdraw", kind is None))
    if sql is None:
        quote = connection.ops.quote_name
        table, status, owner = quote(Notification._meta.db_table), quote("status"), quote("appointment_id")
        of_kind = "" if kind is None else f" AND {quote('kind')} = %s"
        sql = f"UPDATE {table} SET {status} = %s WHERE {owner} = %s AND {status} = %s{of_kind}"  # noqa: S608 (its own)
        _STATEMENTS[connection.alias, "withdraw", kind is None] = sql
    values = [Notification.Status.CANCELLED.value, appointment.pk, Notification.Status.PENDING.value]
    with prepared_cursor() as cursor:
        cursor.execute(sql, values if kind is None else [*values, str(kind)])


@transaction.atomic(savepoint=False)  # an update and an insert, in the caller's transaction
def notifications_for_reschedule(*, appointment: Appointment, now: datetime.datetime | None = None) -> None:
    """A notice of the new time, and the pending reminders moved with it."""
    now = now or timezone.now()
    _pending_withdraw(appointment, kind=Kind.REMINDER)
    sequence = appointment.calendar_sequence
    outgoing = [_message(appointment, kind=Kind.RESCHEDULE, key=f"{appointment.pk}:reschedule:{sequence}", due=now)]
    # Give the re-timed reminders fresh keys: the cancelled rows keep theirs.
    for hours in _lead_hours(appointment.room.salon) if appointment.client.consent_reminders else []:
        due = appointment.start - datetime.timedelta(hours=hours)
        if due > now:
            key = f"{appointment.pk}:reminder:{hours}h:{sequence}"
            outgoing.append(_message(appointment, kind=Kind.REMINDER, key=key, due=due, latest=appointment.start))
    _write_new(outgoing)


@transaction.atomic(savepoint=False)  # as notifications_for_reschedule
def notifications_for_cancellation(*, appointment: Appointment, now: datetime.datetime | None = None) -> None:
    _pending_withdraw(appointment)
    if appointment.status == Appointment.Status.CANCELLED:
        key = f"{appointment.pk}:cancellation"
        _write_new([_message(appointment, kind=Kind.CANCELLATION, key=key, due=now or timezone.now())])


@transaction.atomic
def notifications_for_completion(*, appointment: Appointment, now: datetime.datetime | None = None) -> None:
    if appointment.client.consent_feedback:
        delay = datetime.timedelta(minutes=appointment.room.salon.feedback_delay_minutes)
        _write(
            appointment,
            kind=Kind.FEEDBACK_REQUEST,
            key=f"{appointment.pk}:feedback",
            due=(now or timezone.now()) + delay,
        )


@transaction.atomic
def notifications_follow_consent(*, client, now: datetime.datetime | None = None) -> None:
    """After the client's consents changed (or another record's sessions
    became theirs): waiting reminders and feedback requests they no longer
    agree to are cancelled, and their coming sessions without a waiting
    reminder get the reminders they now agree to."""
    now = now or timezone.now()
    waiting = Notification.objects.filter(client=client, status=Notification.Status.PENDING)
    agreed = {Kind.REMINDER: client.consent_reminders, Kind.FEEDBACK_REQUEST: client.consent_feedback}
    refused = [kind for kind, yes in agreed.items() if not yes]
    if refused:
        waiting.filter(kind__in=refused).update(status=Notification.Status.CANCELLED)
    if not client.consent_reminders:
        return
    ahead = (
        Appointment.objects.filter(client=client, status=Appointment.Status.BOOKED, start__gt=now)
        .exclude(Exists(waiting.filter(kind=Kind.REMINDER, appointment=OuterRef("pk"))))
        .select_related("room__salon", "client")
    )
    for appointment in ahead:
        for hours in _lead_hours(appointment.room.salon):
            due = appointment.start - datetime.timedelta(hours=hours)
            if due > now:
                # Fresh keys: the rows cancelled when consent was withdrawn keep theirs.
                _write(appointment, kind=Kind.REMINDER, due=due, latest=appointment.start,
                       key=f"{appointment.pk}:reminder:{hours}h:consent:{now:%Y%m%d%H%M%S}")  # fmt: skip


@transaction.atomic
def notification_intake_link_send(*, client, channel: str, now: datetime.datetime | None = None) -> Notification:
    """The desk sends the link to the intake form (again) by ``channel``, due
    now, with the client's next session, which the message names (an SMS in
    the quiet hours waits for the morning, unless the session comes first).
    The link itself is made when the message goes out, as for the one sent
    with a booking."""
    now = now or timezone.now()
    appointment = (
        Appointment.objects.filter(client=client, status__in=Appointment.NOT_STARTED, start__gt=now)
        .select_related("room__salon", "client")
        .order_by("start", "pk")
        .first()
    )
    if appointment is None:
        raise Conflict(
            gettext(
                "%(client)s has no session booked ahead, and the intake link goes with one: book a session first "
                "(its confirmation asks for the answers)."
            )
            % {"client": client.full_name},
            code="no_session_ahead",
        )
    return _write(appointment, kind=Kind.INTAKE_REQUEST, due=now, latest=appointment.start, channel=channel,
                  key=f"{appointment.pk}:intake:sent:{now:%Y%m%d%H%M%S%f}")  # fmt: skip


@transaction.atomic
def notifications_claim_due(*, now: datetime.datetime | None = None, batch: int = BATCH) -> list[int]:
    """Take due messages for sending. A message a dead worker left in
    ``sending`` goes back to pending after the lease; a message already
    handed to the queue is not handed out again within the lease."""
    now = now or timezone.now()
    expired = now - lease()
    Notification.objects.filter(status=Notification.Status.SENDING, claimed_at__lt=expired).update(
        status=Notification.Status.PENDING
    )
    due = Notification.objects.filter(status=Notification.Status.PENDING, due_at__lte=now).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=expired)
    )
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True)
    ids = list(due.order_by("due_at", "pk").values_list("pk", flat=True)[:batch])
    Notification.objects.filter(pk__in=ids).update(claimed_at=now)
    return ids


@transaction.atomic
def notifications_start_sending(*, notification_ids: list[int]) -> list[Notification]:
    """pending → sending, in one locking read and one update, for those of
    ``notification_ids`` still pending and due, loaded with what their
    messages say (the client, the salon, the routine's name and the time; not
    the therapist or the room). A row that is sent, being sent by another
    worker, cancelled or waiting for its retry is left out and alone, so
    reruns and duplicate deliveries are harmless."""
    now = timezone.now()
    taking = Notification.objects.filter(
        pk__in=notification_ids, status=Notification.Status.PENDING, due_at__lte=now
    ).select_related("appointment__client", "appointment__room__salon", "appointment__routine")
    if connection.features.has_select_for_update_skip_locked:
        # Only the outbox rows: a booking holding its salon or client must not hide them.
        taking = taking.select_for_update(skip_locked=True, of=("self",))
    taken = list(taking.order_by("pk"))
    Notification.objects.filter(pk__in=[notification.pk for notification in taken]).update(
        status=Notification.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    for notification in taken:
        notification.status, notification.claimed_at = Notification.Status.SENDING, now
        notification.attempts += 1
    return taken


def notification_start_sending(*, notification_id: int) -> Notification | None:
    """One row, as ``notifications_start_sending`` takes them; None when it is not to be sent."""
    taken = notifications_start_sending(notification_ids=[notification_id])
    return taken[0] if taken else None


def _this_try(notification: Notification):
    """The row as this try left it: still sending, under this try's claim
    (a row whose lease ran out belongs to whoever took it next)."""
    return Notification.objects.filter(
        pk=notification.pk, status=Notification.Status.SENDING, claimed_at=notification.claimed_at
    )


def notification_sent(*, notification: Notification) -> None:
    """``_this_try(notification).update(status=SENT, sent_at=now, last_error="")``
    in plain SQL: it runs once for every message sent, and building it
    through the ORM costs more CPU than the rest of the mark (0.5 ms against
    0.2)."""
    table = connection.ops.quote_name(Notification._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, sent_at = %s, last_error = '' "  # noqa: S608 (the model's own table)
            "WHERE id = %s AND status = %s AND claimed_at = %s",
            [Notification.Status.SENT.value, adapt(timezone.now()), notification.pk, Notification.Status.SENDING.value,
             adapt(notification.claimed_at)],
        )  # fmt: skip


def notification_failed(*, notification: Notification, error: str, permanent: bool = False) -> str:
    """After a failed try: back to pending, due again after an exponential
    backoff (30 s, 1, 2, 4 minutes), or failed after the last try or an error
    that no retry can mend. Returns the new status.

    The retry goes through the outbox rather than a Celery countdown, so no
    task waits in the broker and a worker that dies meanwhile loses nothing.
    """
    final = permanent or notification.attempts >= MAX_TRIES
    now = timezone.now()
    changes = {"last_error": error[:2000], "claimed_at": None}
    if final:
        changes["status"] = Notification.Status.FAILED
    else:
        changes["status"] = Notification.Status.PENDING
        changes["due_at"] = now + FIRST_RETRY_AFTER * 2 ** (notification.attempts - 1)
    _this_try(notification).update(**changes)
    logger.warning(
        "Notification %s (%s) failed on try %s, now %s: %s",
        notification.pk, notification.key, notification.attempts, changes["status"], error,
    )  # fmt: skip
    return changes["status"]


def _failed_with(notification: Notification, error: Exception) -> None:
    notification_failed(
        notification=notification,
        error=f"{type(error).__name__}: {error}",
        permanent=messages.is_permanent_failure(error),
    )


def _links(notification: Notification) -> tuple[list, str, str]:
    """The client links the message carries, not yet saved, with the URLs of
    its main link and (email only) its reschedule link: the intake or
    feedback form, or cancelling and moving while the client still may (an
    SMS has one link for both, the reschedule page's)."""
    from clients.models import ClientLink
    from clients.services import client_link_build

    appointment = notification.appointment
    client = appointment.client  # already loaded with the row
    made = []

    def build(purpose: str, **options) -> str:
        link, url = client_link_build(client=client, purpose=purpose, **options)
        made.append(link)
        return url

    link = reschedule_link = ""
    if notification.kind == Kind.INTAKE_REQUEST:
        link = build(ClientLink.Purpose.INTAKE)
    elif notification.kind == Kind.FEEDBACK_REQUEST:
        link = build(ClientLink.Purpose.FEEDBACK, reference=appointment.pk)
    elif (
        notification.kind in messages.CANCEL_LINK_KINDS
        and not client.archived
        and timezone.now() < client_cancel_deadline(appointment)
    ):
        # Valid until the appointment starts, not just the cut-off: opened
        # late (or after a move) it still says why it is too late, and whom
        # to call. The service enforces the cut-off in force at that moment.
        # An SMS has room for one link within its parts: the reschedule
        # page's, which offers cancelling too (online.views.reschedule_form).
        sms = notification.channel == Notification.Channel.SMS
        purpose = ClientLink.Purpose.RESCHEDULE if sms else ClientLink.Purpose.CANCEL
        link = build(purpose, reference=appointment.pk, expires_at=appointment.start)
        if notification.channel == Notification.Channel.EMAIL:
            # Moving it from the link (/book/reschedule/) ends at the same cut-off.
            reschedule_link = build(ClientLink.Purpose.RESCHEDULE, reference=appointment.pk,
                                    expires_at=appointment.start)  # fmt: skip
    return made, link, reschedule_link


def notification_deliver(*, notification: Notification) -> None:
    """Send one message by its channel, with fresh client links where it
    carries them (``_links``); the row is left for the caller to mark."""
    from clients.services import client_links_save

    made, link, reschedule_link = _links(notification)
    client_links_save(links=made)
    with messages.Outgoing() as outgoing:
        outgoing.send(notification, link=link, reschedule_link=reschedule_link)


def _hand_back(notifications: list[Notification]) -> None:
    """Rows taken together but not tried go back to pending at once, the try uncounted."""
    Notification.objects.filter(
        pk__in=[notification.pk for notification in notifications],
        status=Notification.Status.SENDING,
        claimed_at=notifications[0].claimed_at,
    ).update(status=Notification.Status.PENDING, claimed_at=None, attempts=F("attempts") - 1)


@contextlib.contextmanager
def _marks_not_waiting_for_disk():
    """On PostgreSQL, the commits of the rows' marks (sent, failed) do not
    wait for the disk (``synchronous_commit``), which costs a flush each
    (about 1.7 ms here). A database server that crashes can lose the last
    fraction of a second of them: those rows are back in ``sending`` and go
    out again after the lease, with the same Message-ID, as after a worker
    that died at that moment. Taking the rows and writing their links still
    waits: a message never carries a link the database could forget."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def notifications_send(*, notification_ids: list[int]) -> int:
    """Send a chunk of messages, each once, and return how many went out.

    The rows are taken together (one locking read, one update to
    ``sending``), their links written with one insert, and the messages sent
    over one mail connection (``messages.Outgoing``); each row is then marked
    sent by its own conditional update as soon as the server has taken its
    message, and a failure fails (or retries) that message alone. Just
    before its message goes, each row is checked (and on PostgreSQL locked)
    to be still this try's: one cancelled since it was taken (the client
    erased) is not sent.

    Exactly once, and where it is only at least once: a row marked sent is
    never sent again. A worker that dies mid-chunk leaves its unsent rows in
    ``sending``; after the lease the next dispatch hands them out again, and
    they go out then, once. Only a message the server took in the moment
    before its row was marked sent goes out a second time after the lease,
    with the same Message-ID, so the receiver can drop it
    (``messages.message_id``). Marking the chunk sent in one update at its
    end would save a query per message but widen that window to the whole
    chunk, so each row is marked on its own (``_marks_not_waiting_for_disk``
    and the plain SQL of ``notification_sent`` make that cheap;
    the former says what a crash of the database server costs).

    A chunk that is still sending after half the lease hands its untried
    rows back rather than risk sending a row the next dispatch has taken.
    """
    from clients.services import client_links_save

    taken = notifications_start_sending(notification_ids=notification_ids)
    if not taken:
        return 0
    started = time.monotonic()
    ready, made = [], []
    for notification in taken:
        try:
            links, link, reschedule_link = _links(notification)
        except Exception as error:  # an archived client's form links
            _failed_with(notification, error)
            continue
        made += links
        ready.append((notification, link, reschedule_link))
    client_links_save(links=made)
    sent = 0
    with messages.Outgoing() as outgoing, _marks_not_waiting_for_disk():
        for index, (notification, link, reschedule_link) in enumerate(ready):
            if time.monotonic() - started > lease().total_seconds() / 2:
                _hand_back([untried for untried, _, _ in ready[index:]])
                break
            with _held_while_it_goes():
                if not _still_this_try(notification):
                    continue  # cancelled since it was taken (the client erased, a consent withdrawn): not sent
                try:
                    outgoing.send(notification, link=link, reschedule_link=reschedule_link)
                except Exception as error:  # any failure of the mail server or the gateway
                    _failed_with(notification, error)
                    continue
                notification_sent(notification=notification)
                sent += 1
    return sent


def _held_while_it_goes():
    """On PostgreSQL, a transaction around each message's check, send and
    mark, in which :func:`_still_this_try` locks its row: a cancel that comes
    meanwhile (a client's erasure) waits for the mark and then finds the row
    sent, so the row never says cancelled of a message that went. On SQLite
    (whose transactions take the one writer's lock at once) no transaction:
    every writer would wait for the mail server; the check alone narrows the
    window to one message."""
    return transaction.atomic() if connection.vendor == "postgresql" else contextlib.nullcontext()


def _still_this_try(notification: Notification) -> bool:
    """Whether the row is still in ``sending`` for this try (``_this_try``),
    locked on PostgreSQL (:func:`_held_while_it_goes`). Plain SQL, as
    :func:`notification_sent`: it runs for every message."""
    table = connection.ops.quote_name(Notification._meta.db_table)
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {table} WHERE id = %s AND status = %s AND claimed_at = %s{lock}",  # noqa: S608 (the model's own table)
            [notification.pk, Notification.Status.SENDING.value,
             connection.ops.adapt_datetimefield_value(notification.claimed_at)],
        )  # fmt: skip
        return cursor.fetchone() is not None


@transaction.atomic
def notification_retry(*, notification: Notification) -> bool:
    """A manager sends a failed message again: back to pending, due now."""
    return bool(
        Notification.objects.filter(pk=notification.pk, status=Notification.Status.FAILED).update(
            status=Notification.Status.PENDING, due_at=timezone.now(), claimed_at=None, attempts=0
        )
    )
