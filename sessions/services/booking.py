"""Booking and rescheduling: check the start, build the plan, place the
therapist and room, write the appointment, its history and its messages, in
one transaction."""

import datetime
import functools

from django.db import DEFAULT_DB_ALIAS, IntegrityError, OperationalError, connection, connections, transaction
from django.db.models import Exists, OuterRef
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy, ngettext

from clients.models import Client
from clients.outcome import ScreeningOutcome
from clients.selectors import client_outcome
from clients.services import client_create
from routines.models import RoutineTemplate
from routines.selectors import MenuEntry, routine_offer, routine_offered, routine_spec, routine_steps_prefetch
from routines.specs import RoutineSpec
from salon.compiled import CompiledInsert, CompiledQuery, prepared_cursor
from salon.errors import Conflict, InvalidInput, validate
from salon.models import Room, Salon, Therapist
from salon.roles import signed_in_or_none
from sessions.availability import BookingTerms, booking_terms
from sessions.models import Appointment, AppointmentChange, SessionPlan
from sessions.services import outbox
from sessions.services.placement import Placement, appointment_place
from sessions.services.plans import (
    booking_plan_language,
    session_plan_for_booking,
    session_plan_or_problem,
    session_plan_save,
)
from sessions.signals import time_freed

# Constraint violations that mean "someone else got there first".
CONFLICT_PGCODES = {"23P01", "40P01"}  # exclusion_violation, deadlock_detected
BOOKED_RELATIONS = ["client", "therapist", "room", "routine", "plan", "booked_by"]
# What a move or a change of status reads with the appointment it locks: the
# client and the location for the messages, the routine and the location's
# rules for the checks, the therapist and the room for the answer.
LOCKED_RELATIONS = ("client", "therapist", "routine", "room__salon__business")
# Every move and change of status locks its appointment this way: compiled
# once (building the query with its joins took several times the CPU of sending it).
_LOCKED = CompiledQuery(
    lambda pk: (
        Appointment.objects.select_for_update(of=("self",))  # its row only, not the client's or the location's
        .select_related(*LOCKED_RELATIONS)
        .filter(pk=pk)
        .order_by()[:1]
    ),
    pk=-1,  # no appointment's id
)


# A booking's row and its history's first row, and each move's, written by SQL built once.
_NEW_APPOINTMENT = CompiledInsert(Appointment)
HISTORY_ROW = CompiledInsert(AppointmentChange)

MOVED_FIELDS = [Appointment._meta.get_field(name) for name in
                ("start", "end", "busy_until", "therapist", "room", "calendar_sequence", "updated_at")]  # fmt: skip


def _moved_save(appointment: Appointment) -> None:
    """``appointment.save(update_fields=MOVED_FIELDS)`` (Appointment has no
    save signals to send)."""
    appointment_columns_update(
        appointment, {field.attname: field.pre_save(appointment, False) for field in MOVED_FIELDS}
    )


_UPDATE_SQL: dict[tuple, str] = {}  # by database and columns


def appointment_columns_update(appointment: Appointment, values: dict) -> None:
    """``Appointment.objects.filter(pk=appointment.pk).update(**values)`` for
    plain values of its own columns, by SQL built once per database and
    columns: a change of status sends it every time, and building the UPDATE
    took more CPU than sending it."""
    connection = connections[appointment._state.db or DEFAULT_DB_ALIAS]  # where the row was read
    fields = [Appointment._meta.get_field(name) for name in values]
    sql = _UPDATE_SQL.get((connection.alias, *values))
    if sql is None:
        quote = connection.ops.quote_name
        columns = ", ".join(f"{quote(field.column)} = %s" for field in fields)
        table, key = quote(Appointment._meta.db_table), quote(Appointment._meta.pk.column)
        sql = _UPDATE_SQL[(connection.alias, *values)] = f"UPDATE {table} SET {columns} WHERE {key} = %s"  # noqa: S608
    prepared = [field.get_db_prep_save(value, connection) for field, value in zip(fields, values.values(), strict=True)]
    with prepared_cursor(connection.alias) as cursor:
        cursor.execute(sql, [*prepared, appointment.pk])


def appointment_locked(appointment: Appointment) -> Appointment:
    """The appointment's row as it is now, locked for update (a move, a
    cancel or another change of it waits for this transaction), with
    :data:`LOCKED_RELATIONS`, in one query."""
    if connection.get_autocommit():  # as select_for_update refuses: a lock outside a transaction holds nothing
        raise TransactionManagementError("appointment_locked locks its row: call it in a transaction.")
    found = _LOCKED.objects(pk=appointment.pk)
    if not found:
        raise Appointment.DoesNotExist(f"No appointment {appointment.pk}.")
    return found[0]


def start_check(*, start: datetime.datetime, salon: Salon, now: datetime.datetime) -> None:
    """A start the salon's booking rules allow: with an offset, not past,
    with enough notice, within the horizon, on the grid."""
    booking_window_check(
        start=start,
        salon=salon,
        now=now,
        notice_minutes=salon.min_notice_minutes,
        horizon_days=salon.booking_horizon_days,
    )


def booking_window_check(
    *, start: datetime.datetime, salon: Salon, now: datetime.datetime, notice_minutes: int, horizon_days: int
) -> None:
    """:func:`start_check` with the notice and horizon given (online
    bookings have their own)."""
    if timezone.is_naive(start):
        raise InvalidInput(
            gettext("Give the start with its UTC offset."), code="invalid", fields={"start": [gettext("No offset.")]}
        )
    if start < now:
        raise InvalidInput(
            gettext("That time has passed."), code="in_the_past", fields={"start": [gettext("In the past.")]}
        )
    if start < now + datetime.timedelta(minutes=notice_minutes):
        raise InvalidInput(
            ngettext(
                "Bookings need %(minutes)s minute's notice.",
                "Bookings need %(minutes)s minutes' notice.",
                notice_minutes,
            )
            % {"minutes": notice_minutes},
            code="too_short_notice",
            fields={"start": [gettext("Too soon.")]},
        )
    if start > now + datetime.timedelta(days=horizon_days):
        raise InvalidInput(
            ngettext("Bookings open %(days)s day ahead.", "Bookings open %(days)s days ahead.", horizon_days)
            % {"days": horizon_days},
            code="too_far_ahead",
            fields={"start": [gettext("Too far ahead.")]},
        )
    local = start.astimezone(salon.zone)
    if local.second or local.microsecond or (local.hour * 60 + local.minute) % salon.slot_minutes:
        raise InvalidInput(
            gettext("Bookings start on the %(minutes)s-minute grid.") % {"minutes": salon.slot_minutes},
            code="not_on_grid",
            fields={"start": [gettext("Use a time on the %(minutes)s-minute grid.") % {"minutes": salon.slot_minutes}]},
        )


def conflicts_as_409(function):
    """Exclusion violations and deadlocks mean a concurrent booking won: 409."""

    @functools.wraps(function)
    def wrapped(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except (IntegrityError, OperationalError) as error:
            code = getattr(getattr(error, "__cause__", None), "sqlstate", None)
            if code not in CONFLICT_PGCODES:
                raise
            raise Conflict(
                gettext("Someone booked that time a moment ago; pick another."), code="therapist_busy"
            ) from None

    return wrapped


def booking_location(*, client: Client, salon: Salon | None, room: Room | None) -> Salon:
    """Where a booking takes place: the location given, else the room's, else
    the business's only location. A chain must say which."""
    if salon is None and room is not None:
        salon = room.salon
    if salon is None:
        locations = list(Salon.objects.select_related("business").filter(business_id=client.business_id)[:2])
        if len(locations) != 1:
            raise InvalidInput(gettext("Say at which location."), fields={"location": [gettext("Choose a location.")]})
        salon = locations[0]
    if salon.business_id != client.business_id:
        raise InvalidInput(
            gettext("That location is not part of this business."), fields={"location": [gettext("Unknown location.")]}
        )
    return salon


def routine_offered_check(*, routine: RoutineTemplate, salon: Salon, offered: bool | None = None) -> None:
    """Refuse a routine the location does not offer (``offered``, when the caller has read it)."""
    if not (routine_offered(routine=routine, salon=salon) if offered is None else offered):
        raise InvalidInput(
            gettext("%(location)s does not offer %(routine)s.") % {"location": salon.name, "routine": routine.name},
            code="routine_not_offered",
            fields={"routine": [gettext("Not offered at this location.")]},
        )


# Every booking reads its client this way (see _client_locked): compiled once, only the id changes.
# The lock takes the client's row only: the subquery in the select list is not locked.
_CLIENT_SHARED = CompiledQuery(
    lambda pk: (
        Client.objects.filter(pk=pk)
        .annotate(
            has_completed_session=Exists(
                Appointment.objects.filter(client=OuterRef("pk"), status=Appointment.Status.COMPLETED)
            )
        )
        .order_by()[:1]
    ),
    for_share=True,
    pk=-1,  # no client's id
)


def _client_locked(client: Client) -> Client:
    """The client's row as it is now, read under a shared lock on PostgreSQL:
    bookings of one client do not wait for each other, but a merge of the
    client into another (which locks both rows for update) either finishes
    first, and the booking is refused, or waits for the booking. (SQLite's
    transactions are IMMEDIATE: nothing interleaves.) Only ``client``'s id
    counts: the API does not read the row before this. Read with it:
    whether the client has a completed session (``has_completed_session``),
    so that the plan of a first visit asks for no last session's lessons."""
    row = next(iter(_CLIENT_SHARED.objects(pk=client.pk)), None)
    if row is None:
        raise InvalidInput(gettext("No such client."), fields={"client": [gettext("Unknown.")]})
    if row.archived:
        raise Conflict(gettext("This client is archived; restore the client first."), code="client_archived")
    # Its business as the caller read it, if it did (the screening rules are read from it).
    if Client.business.is_cached(client):
        row.business = client.business
    return row


@conflicts_as_409
@transaction.atomic
def appointment_book(
    *,
    client: Client,
    routine: RoutineTemplate,
    start: datetime.datetime,
    salon: Salon | None = None,
    therapist: Therapist | None = None,
    room: Room | None = None,
    minutes: int | None = None,
    booked_by=None,
    now: datetime.datetime | None = None,
    origin: str = Appointment.Origin.DESK,
    notice_minutes: int | None = None,
    without_plan_if_screening_forbids: bool = False,
) -> Appointment:
    """Book a session at ``salon`` (see :func:`booking_location`), building
    its plan from the routine and the client's screening in the same
    transaction. ``minutes`` is one of the lengths on the location's menu
    (else the default length); the price of that length is kept with the
    booking, so a later price change leaves it alone.

    A routine the screening rules out is refused, unless
    ``without_plan_if_screening_forbids`` (online bookings, when the location
    lets such clients book): then it is booked without a plan and with the
    problem in ``plan_problem``, which flags it for the desk and keeps the
    session from starting until a therapist has reviewed the screening.

    ``client``, ``therapist`` and ``room`` are read once, as they are locked:
    only their ids count (the API passes rows it has not read, and the location)."""
    client = _client_locked(client)
    salon = booking_location(client=client, salon=salon, room=room)
    if not Client.business.is_cached(client) and Salon.business.is_cached(salon):
        client.business = salon.business  # the same business (booking_location checked)
    offered, entry = routine_offer(salon=salon, slug=routine.slug)
    routine_offered_check(routine=routine, salon=salon, offered=offered)
    booking_window_check(
        start=start,
        salon=salon,
        now=now or timezone.now(),
        notice_minutes=salon.min_notice_minutes if notice_minutes is None else notice_minutes,
        horizon_days=salon.booking_horizon_days,
    )
    start = start.astimezone(datetime.UTC)  # adding minutes to a zoned time would add wall-clock time
    # The steps once, for the terms here and for the plan built below.
    routine_steps_prefetch(routine)
    spec = routine_spec(routine)
    # An empty entry stands for none on the menu: booking_terms would read it again for None.
    terms = booking_terms(spec, salon, minutes=minutes, entry=entry or MenuEntry(slug=routine.slug))
    outcome = client_outcome(client)  # read once, for the plan and for the messages
    without_plan_reason = None
    if without_plan_if_screening_forbids:
        without_plan_reason = format_lazy(
            gettext_lazy("{origin} taken without a plan"), origin=Appointment.Origin(origin).label
        )
    plan_for = functools.partial(
        _booking_plan,
        client=client,
        salon=salon,
        routine=routine,
        spec=spec,
        booked_minutes=terms.session_minutes,
        outcome=outcome,
        without_plan_reason=without_plan_reason,
    )
    # Built before the therapist is placed, so that a refusal takes no lock: in the
    # location's language, and again in hers if she reads another (the same verdict).
    plan, plan_problem = plan_for(therapist=None)
    placement = appointment_place(salon=salon, spec=spec, terms=terms, start=start, therapist=therapist, room=room)
    if booking_plan_language(salon=salon, therapist=placement.therapist) != booking_plan_language(salon=salon):
        plan, plan_problem = plan_for(therapist=placement.therapist)
    if plan is not None:
        session_plan_save(plan=plan)
    placement.room.salon = salon  # the room is at this location (placement checked); the messages read it
    appointment = Appointment(
        client=client,
        therapist=placement.therapist,
        room=placement.room,
        routine=routine,
        plan=plan,
        plan_problem=plan_problem,
        start=start,
        end=placement.end,
        busy_until=placement.busy_until,
        price_minor=terms.price_minor,
        currency=terms.currency,
        booked_by=signed_in_or_none(booked_by),
        origin=origin,
    )
    # Every related row was just read (client, routine), locked (therapist, room) or written (plan):
    # checking again that each exists would only add queries.
    validate(appointment, validate_constraints=False, exclude=BOOKED_RELATIONS)
    _NEW_APPOINTMENT.save(appointment)
    booked = AppointmentChange(
        appointment=appointment,
        kind=AppointmentChange.Kind.BOOKED,
        to_start=start,
        to_status=appointment.status,
        by=appointment.booked_by,
    )
    HISTORY_ROW.save(booked)
    # Its whole history so far, kept as a prefetch would: whoever shows the booking reads it from here.
    history = appointment.changes.all()
    history._result_cache, history._prefetch_done = [booked], True
    appointment._prefetched_objects_cache = {"changes": history}
    outbox.notifications_for_booking(appointment=appointment, now=now, outcome=outcome)
    return appointment


def _booking_plan(
    *,
    client: Client,
    salon: Salon,
    routine: RoutineTemplate,
    spec: RoutineSpec,
    booked_minutes: int,
    outcome: ScreeningOutcome,
    therapist: Therapist | None,
    without_plan_reason: Promise | None,
) -> tuple[SessionPlan | None, str]:
    """A new booking's plan for ``therapist`` (not yet saved) and its problem:
    refused when the screening rules the routine out, unless
    ``without_plan_reason`` says why it is taken without a plan
    (:func:`session_plan_or_problem`)."""
    plan = {"client": client, "salon": salon, "routine": routine, "spec": spec, "booked_minutes": booked_minutes}
    if without_plan_reason is not None:
        return session_plan_or_problem(**plan, outcome=outcome, therapist=therapist, reason=without_plan_reason)
    return session_plan_for_booking(**plan, outcome=outcome, therapist=therapist), ""


@transaction.atomic
def appointment_book_new_client(*, salon: Salon, client_fields: dict, **booking) -> Appointment:
    """Add a client at the desk and book them at once, at the desk's
    location; if the booking is refused, the new client is not kept either.
    ``client_fields`` may hold the consents asked at the desk
    (``consent_reminders``, ``consent_feedback``) and ``preferred_channel``;
    the consents go into the history as given to ``booked_by``."""
    client = client_create(salon=salon, by=booking.get("booked_by"), **client_fields)
    return appointment_book(client=client, salon=salon, **booking)


@transaction.atomic
def appointment_reschedule_check(
    *,
    appointment: Appointment,
    start: datetime.datetime,
    therapist: Therapist | None = None,
    room: Room | None = None,
    now: datetime.datetime | None = None,
) -> Placement:
    """Where a move would put a booking, or the refusal it would meet, with
    nothing changed: what the desk shows before asking to confirm a drop.
    The move itself checks again (someone may book the time meanwhile)."""
    if appointment.status != Appointment.Status.BOOKED:
        raise Conflict(
            gettext("A %(status)s appointment cannot be moved.") % {"status": appointment.get_status_display().lower()},
            code="invalid_transition",
        )
    salon = Salon.objects.select_related("business").get(pk=appointment.room.salon_id)
    start_check(start=start, salon=salon, now=now or timezone.now())
    return appointment_place(
        salon=salon,
        spec=appointment.routine,  # its qualification and name are all placement reads: no steps
        terms=BookingTerms.of_appointment(appointment),
        start=start.astimezone(datetime.UTC),
        therapist=therapist or appointment.therapist,
        room=room,
        exclude=appointment.pk,
    )


@conflicts_as_409
@transaction.atomic
def appointment_reschedule(
    *,
    appointment: Appointment,
    start: datetime.datetime,
    therapist: Therapist | None = None,
    room: Room | None = None,
    by=None,
    now: datetime.datetime | None = None,
) -> Appointment:
    """Move a booked session; its therapist and room stay unless changed or
    no longer free, and its length and price stay as booked. Returns it as
    moved, with :data:`LOCKED_RELATIONS` (``therapist`` and ``room`` as
    placed); only ``appointment``'s id counts."""
    appointment = appointment_locked(appointment)
    if appointment.status != Appointment.Status.BOOKED:
        raise Conflict(
            gettext("A %(status)s appointment cannot be moved.") % {"status": appointment.get_status_display().lower()},
            code="invalid_transition",
        )
    # A session stays at its location; moving it to another branch is a new booking.
    salon = appointment.room.salon
    start_check(start=start, salon=salon, now=now or timezone.now())
    start = start.astimezone(datetime.UTC)
    placement = appointment_place(
        salon=salon,
        spec=appointment.routine,  # its qualification and name are all placement reads: no steps
        terms=BookingTerms.of_appointment(appointment),
        start=start,
        therapist=therapist or appointment.therapist,
        room=room,
        exclude=appointment.pk,
    )
    previous, previous_until = appointment.start, appointment.busy_until
    appointment.start, appointment.end, appointment.busy_until = start, placement.end, placement.busy_until
    placement.room.salon = salon  # the room is at this location (placement checked); the messages read it
    appointment.therapist, appointment.room = placement.therapist, placement.room
    appointment.calendar_sequence += 1
    _moved_save(appointment)
    outbox.notifications_for_reschedule(appointment=appointment, now=now)
    HISTORY_ROW.save(
        AppointmentChange(
            appointment=appointment,
            kind=AppointmentChange.Kind.RESCHEDULED,
            from_start=previous,
            to_start=start,
            by=signed_in_or_none(by),
        )
    )
    time_freed.send(sender=Appointment, salon=salon, start=previous, end=previous_until)
    return appointment
