"""An appointment's life: booked → checked in → in progress → completed, or
cancelled / no-show before it starts. Each change applies only to the row
still in the status it was read in, so two desks cannot both move it.

The day's rules: a client is checked in from the location's
``check_in_opens_minutes`` before the start until the end; a no-show is
marked only once the start has passed; either is undone the same (local)
day with a reason, and both history rows stay. A cancellation inside the
client cut-off (``client_cancel_hours`` before the start) is marked
``cancelled_late`` for the reports."""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from clients.links import LinkInvalid
from clients.models import ClientLink
from clients.services import client_link_spend
from salon.errors import Conflict, InvalidInput
from salon.models import Room, Salon
from salon.roles import signed_in_or_none
from sessions.models import Appointment, AppointmentChange, Notification
from sessions.selectors import client_cancel_deadline
from sessions.services import outbox
from sessions.services.booking import CONFLICT_PGCODES, HISTORY_ROW, appointment_columns_update, appointment_locked
from sessions.services.placement import Window, therapist_lock
from sessions.signals import time_freed

Status = Appointment.Status
TRANSITIONS = {
    Status.BOOKED: {Status.CHECKED_IN, Status.CANCELLED, Status.NO_SHOW},
    Status.CHECKED_IN: {Status.IN_PROGRESS, Status.CANCELLED, Status.NO_SHOW},
    Status.IN_PROGRESS: {Status.COMPLETED},
}
# What can be taken back the same day, and the words for it.
UNDOABLE = {Status.CHECKED_IN: _("check-in"), Status.NO_SHOW: _("no-show")}


def _when(moment: datetime.datetime, *, salon: Salon, now: datetime.datetime) -> str:
    """A time as the desk reads it, in the location's zone: "at 09:00"
    today, "on Tue 12 May at 09:00" on any other day."""
    local = moment.astimezone(salon.zone)
    if local.date() == now.astimezone(salon.zone).date():
        return gettext("at %(time)s") % {"time": f"{local:%H:%M}"}
    day = date_format(local, pgettext("date format: short weekday and date", "D d M"))
    return gettext("on %(day)s at %(time)s") % {"day": day, "time": f"{local:%H:%M}"}


@dataclass(frozen=True)
class StatusRules:
    """What the desk may do with an appointment at ``now``, and from when."""

    check_in_opens: datetime.datetime
    check_in_closes: datetime.datetime
    check_in_open: bool
    check_in_not_yet: bool
    no_show_allowed: bool
    same_day: bool
    # The status an undo would go back to, when there is one to undo today.
    undo_to: str | None
    undo_words: str
    opens_words: str
    no_show_words: str


def check_in_window(appointment: Appointment) -> tuple[datetime.datetime, datetime.datetime]:
    opens = appointment.start - datetime.timedelta(minutes=appointment.room.salon.check_in_opens_minutes)
    return opens, appointment.end


def _status_before_no_show(appointment: Appointment) -> str:
    """A no-show goes back to what it was marked from (a client checked in
    and then gone counts as checked in again)."""
    change = (
        appointment.changes.filter(to_status=Status.NO_SHOW, kind=AppointmentChange.Kind.STATUS)
        .order_by("-at", "-pk")
        .first()
    )
    return change.from_status if change and change.from_status in {Status.BOOKED, Status.CHECKED_IN} else Status.BOOKED


def _same_day(appointment: Appointment, now: datetime.datetime) -> bool:
    zone = appointment.room.salon.zone
    return appointment.start.astimezone(zone).date() == now.astimezone(zone).date()


def appointment_status_rules(*, appointment: Appointment, now: datetime.datetime | None = None) -> StatusRules:
    """The time rules as the desk panel offers them; the services below
    enforce the same ones."""
    now = now or timezone.now()
    salon = appointment.room.salon
    opens, closes = check_in_window(appointment)
    same_day = _same_day(appointment, now)
    undo_to = None
    if same_day and appointment.status == Status.CHECKED_IN:
        undo_to = Status.BOOKED
    elif same_day and appointment.status == Status.NO_SHOW:
        undo_to = _status_before_no_show(appointment)
    return StatusRules(
        check_in_opens=opens,
        check_in_closes=closes,
        check_in_open=opens <= now <= closes,
        check_in_not_yet=now < opens,
        no_show_allowed=now >= appointment.start,
        same_day=same_day,
        undo_to=undo_to,
        undo_words=Status(undo_to).label.lower() if undo_to else "",
        opens_words=_when(opens, salon=salon, now=now),
        no_show_words=_when(appointment.start, salon=salon, now=now),
    )


def _time_rules_check(*, appointment: Appointment, to_status: str, now: datetime.datetime) -> None:
    salon = appointment.room.salon
    if to_status == Status.CHECKED_IN:
        opens, closes = check_in_window(appointment)
        if now < opens:
            raise Conflict(
                gettext(
                    "Check-in for %(client)s opens %(opens)s, %(minutes)s minutes before the appointment starts "
                    "%(starts)s."
                )
                % {
                    "client": appointment.client,
                    "opens": _when(opens, salon=salon, now=now),
                    "minutes": salon.check_in_opens_minutes,
                    "starts": _when(appointment.start, salon=salon, now=now),
                },
                code="check_in_too_early",
            )
        if now > closes:
            raise Conflict(
                gettext("%(client)s's appointment ended %(when)s; it can no longer be checked in.")
                % {"client": appointment.client, "when": _when(closes, salon=salon, now=now)},
                code="check_in_too_late",
            )
    elif to_status == Status.NO_SHOW and now < appointment.start:
        raise Conflict(
            gettext("%(client)s's appointment starts %(when)s; a no-show can be marked only once it has started.")
            % {"client": appointment.client, "when": _when(appointment.start, salon=salon, now=now)},
            code="no_show_too_early",
        )


def _reason_clean(reason: str, *, required: str = "") -> str:
    """The reason stripped, within the length the history keeps; ``required``
    is the message when it must be given."""
    reason = (reason or "").strip()
    if required and not reason:
        raise InvalidInput(required, code="invalid", fields={"reason": [gettext("Required.")]})
    if len(reason) > Appointment.REASON_LENGTH:
        message = gettext("Keep the reason under %(limit)s characters.") % {"limit": Appointment.REASON_LENGTH}
        raise InvalidInput(message, code="too_long", fields={"reason": [message]})
    return reason


def appointment_transition_check(
    *, appointment: Appointment, to_status: str, now: datetime.datetime | None = None
) -> None:
    """Whether the change would be allowed now, without making it: the desk
    asks this before it asks the receptionist to confirm."""
    current = appointment.status
    if to_status not in TRANSITIONS.get(current, set()):
        raise Conflict(
            gettext("A %(current)s appointment cannot become %(wanted)s.")
            % {"current": Status(current).label.lower(), "wanted": Status(to_status).label.lower()},
            code="invalid_transition",
        )
    _time_rules_check(appointment=appointment, to_status=to_status, now=now or timezone.now())


def _as_locked(appointment: Appointment, locked: Appointment) -> None:
    """``appointment`` as ``locked`` read it (as ``refresh_from_db`` would
    leave it, with fewer queries after): its columns, and the rows read with
    it (:data:`LOCKED_RELATIONS`) where the caller had none or another."""
    for field in Appointment._meta.concrete_fields:
        setattr(appointment, field.attname, getattr(locked, field.attname))  # a changed id drops its row
        if field.is_relation and not field.is_cached(appointment) and field.is_cached(locked):
            field.set_cached_value(appointment, field.get_cached_value(locked))
    appointment._prefetched_objects_cache = {}  # its history, say, grows with this change


def appointment_transition(
    *,
    appointment: Appointment,
    to_status: str,
    by=None,
    reason: str = "",
    now: datetime.datetime | None = None,
    locked: bool = False,
) -> Appointment:
    """Move an appointment to ``to_status`` if its life and the day's time
    rules allow it from the status it was read in; cancelling needs a
    reason, and one inside the client cut-off is marked ``cancelled_late``.

    ``locked``: the caller has locked the row in its own transaction and
    read it as it is now (a session's start, whose plan's refresh locked
    it), so it is changed in that transaction as read, without a savepoint
    (nothing is written before a refusal)."""
    if not locked:
        with transaction.atomic():
            return _transition(appointment=appointment, to_status=to_status, by=by, reason=reason, now=now)
    if connection.get_autocommit():  # as appointment_locked: outside a transaction no lock is held
        raise TransactionManagementError("appointment_transition(locked=True) needs the caller's transaction.")
    return _transition(appointment=appointment, to_status=to_status, by=by, reason=reason, now=now, locked=True)


def _transition(
    *, appointment: Appointment, to_status: str, by, reason: str, now: datetime.datetime | None, locked: bool = False
) -> Appointment:
    now = now or timezone.now()
    current = appointment.status
    appointment_transition_check(appointment=appointment, to_status=to_status, now=now)
    reason = _reason_clean(
        reason, required=gettext("Say why it is cancelled.") if to_status == Status.CANCELLED else ""
    )
    if not locked:
        locked_row = appointment_locked(appointment)
        if locked_row.status != current:
            raise Conflict(
                gettext("Someone changed this appointment a moment ago; reload it."), code="invalid_transition"
            )
        _as_locked(appointment, locked_row)
        # Checked again on the row as locked: a move may have come in since the caller read it.
        _time_rules_check(appointment=appointment, to_status=to_status, now=now)
    fields = {"status": to_status, "updated_at": timezone.now()}
    if to_status == Status.CANCELLED:
        fields["cancellation_reason"] = reason
        fields["calendar_sequence"] = appointment.calendar_sequence + 1  # the row is locked: no one else adds one
        fields["cancelled_late"] = now > client_cancel_deadline(appointment)
    appointment_columns_update(appointment, fields)
    for name, value in fields.items():  # the row as updated, without reading it back
        setattr(appointment, name, value)
    HISTORY_ROW.save(
        AppointmentChange(
            appointment=appointment,
            kind=AppointmentChange.Kind.STATUS,
            from_status=current,
            to_status=to_status,
            reason=reason,
            by=signed_in_or_none(by),
        )
    )
    if to_status in {Status.CANCELLED, Status.NO_SHOW}:
        outbox.notifications_for_cancellation(appointment=appointment)
        time_freed.send(
            sender=Appointment, salon=appointment.room.salon, start=appointment.start, end=appointment.busy_until
        )
    elif to_status == Status.COMPLETED:
        outbox.notifications_for_completion(appointment=appointment)
    return appointment


def _time_still_free(appointment: Appointment) -> None:
    """A no-show frees its therapist and room (it does not hold time), so
    someone may have been booked into the gap since; taking the no-show back
    must not double-book them. Locks the therapist and the room as booking
    does, so a booking made at this moment waits for the undo."""
    salon = appointment.room.salon
    window = Window(
        start=appointment.start,
        end=appointment.end,
        busy_until=appointment.busy_until,
        day=appointment.start.astimezone(salon.zone).date(),
        salon=salon,
    )
    taken = gettext("The no-show cannot be undone: the time was given to someone else meanwhile.")
    try:
        therapist_lock(therapist=appointment.therapist, window=window, exclude=appointment.pk)
    except Conflict as error:
        raise Conflict(
            " ".join((taken, error.detail)), code="slot_taken", fields={"start": [gettext("Taken meanwhile.")]}
        ) from None
    Room.objects.select_for_update().filter(pk=appointment.room_id).first()
    clash = (
        Appointment.objects.filter(
            room_id=appointment.room_id,
            status__in=Appointment.HOLDS_TIME,
            start__lt=appointment.busy_until,
            busy_until__gt=appointment.start,
        )
        .exclude(pk=appointment.pk)
        .first()
    )
    if clash:
        raise Conflict(
            " ".join(
                (
                    taken,
                    gettext("%(room)s is taken from %(start)s to %(end)s.")
                    % {
                        "room": appointment.room.name,
                        "start": f"{clash.start.astimezone(salon.zone):%H:%M}",
                        "end": f"{clash.busy_until.astimezone(salon.zone):%H:%M}",
                    },
                )
            ),
            code="slot_taken",
            fields={"room": [gettext("Taken meanwhile.")]},
        )


@transaction.atomic
def appointment_status_undo(
    *, appointment: Appointment, by=None, reason: str = "", now: datetime.datetime | None = None
) -> Appointment:
    """Take back a check-in (to booked) or a no-show (to what it was marked
    from: booked, or checked in), only on the appointment's own day in the
    location's zone and only with a reason. The change that is undone keeps
    its history row; the undo adds one of its own (``status_undone``).

    Messages: a check-in sends none. A no-show sends none either, but it
    withdrew the messages still pending (``notifications_for_cancellation``);
    those were reminders and notices about the time before the start, which
    has passed by the time a no-show can be marked, so they stay withdrawn.
    Any message still pending that was queued after the no-show is withdrawn
    here, so the client is not told of a no-show that was taken back. One
    already sent cannot be unsent: the desk tells the client in person.

    A no-show holds no time, so the therapist or room may have been booked
    into the gap since: then 409 ``slot_taken``, and nothing changes."""
    now = now or timezone.now()
    current = appointment.status
    if current not in UNDOABLE:
        raise Conflict(
            gettext("There is no check-in or no-show to undo: the appointment is %(status)s.")
            % {"status": Status(current).label.lower()},
            code="nothing_to_undo",
        )
    what = UNDOABLE[current]
    reason = _reason_clean(reason, required=gettext("Say why the %(what)s is undone.") % {"what": what})
    if not _same_day(appointment, now):
        day = appointment.start.astimezone(appointment.room.salon.zone)
        raise Conflict(
            gettext("A %(what)s can be undone only on the day of the appointment (%(day)s).")
            % {"what": what, "day": date_format(day, pgettext("date format: short weekday and date", "D d M"))},
            code="undo_too_late",
        )
    to_status = Status.BOOKED if current == Status.CHECKED_IN else _status_before_no_show(appointment)
    if current == Status.NO_SHOW:
        _time_still_free(appointment)
    marked = (
        appointment.changes.filter(kind=AppointmentChange.Kind.STATUS, to_status=current).order_by("-at", "-pk").first()
    )
    try:
        # A savepoint: the exclusion constraints refuse an overlap that slipped
        # past the check, and the refusal must not poison the transaction.
        with transaction.atomic():
            changed = Appointment.objects.filter(pk=appointment.pk, status=current).update(
                status=to_status, updated_at=timezone.now()
            )
    except IntegrityError as error:
        if getattr(error.__cause__, "sqlstate", None) not in CONFLICT_PGCODES:
            raise
        raise Conflict(
            gettext("The no-show cannot be undone: the time was given to someone else meanwhile."), code="slot_taken"
        ) from None
    if not changed:
        raise Conflict(gettext("Someone changed this appointment a moment ago; reload it."), code="invalid_transition")
    AppointmentChange.objects.create(
        appointment=appointment,
        kind=AppointmentChange.Kind.STATUS_UNDONE,
        from_status=current,
        to_status=to_status,
        reason=reason,
        by=signed_in_or_none(by),
    )
    if current == Status.NO_SHOW and marked is not None:
        Notification.objects.filter(
            appointment=appointment, status=Notification.Status.PENDING, created_at__gte=marked.at
        ).update(status=Notification.Status.CANCELLED)
    appointment.refresh_from_db()
    return appointment


@transaction.atomic
def appointment_cancel_by_client(
    *, link: ClientLink, reason: str = "", now: datetime.datetime | None = None
) -> Appointment:
    """The client cancels through the link in a confirmation, reminder or
    reschedule notice: a booked appointment, until the salon's
    ``client_cancel_hours`` before it. The link is spent, and the usual
    cancellation notice (with ``METHOD:CANCEL``) goes out."""
    now = now or timezone.now()
    # Locked, as a reschedule locks it: a move into the cut-off cannot slip in between.
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("room__salon")
        .filter(pk=link.reference, client_id=link.client_id)
        .first()
    )
    if appointment is None:
        raise LinkInvalid()
    if appointment.status != Status.BOOKED:
        raise Conflict(
            gettext("This appointment is %(status)s and can no longer be cancelled online.")
            % {"status": appointment.get_status_display().lower()},
            code="invalid_transition",
        )
    if now > client_cancel_deadline(appointment):
        salon = appointment.room.salon
        raise Conflict(
            (
                gettext("Online cancelling ends %(hours)s hours before the appointment; please call us on %(phone)s.")
                if salon.phone
                else gettext("Online cancelling ends %(hours)s hours before the appointment; please call us.")
            )
            % {"hours": salon.client_cancel_hours, "phone": salon.phone},
            code="too_late_to_cancel",
        )
    client_link_spend(link)
    note = "Cancelled by the client online" + (f": {reason.strip()}" if reason.strip() else ".")
    return appointment_transition(
        appointment=appointment, to_status=Status.CANCELLED, reason=note[: Appointment.REASON_LENGTH], now=now
    )
