"""Choosing the therapist and the room for a session, and locking them.

Booking on PostgreSQL is guarded three times: the therapist (and room) rows
are locked before the checks, so concurrent bookings of one therapist queue
instead of deadlocking on the exclusion constraint; the checks give precise
errors; and the exclusion constraints refuse whatever slips through. On
SQLite, transactions are IMMEDIATE, so the check and the insert are never
interleaved with another writer.
"""

import datetime
from dataclasses import dataclass, replace
from typing import NoReturn

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext

from routines.models import RoutineTemplate
from routines.specs import RoutineSpec
from salon.compiled import CompiledQuery
from salon.errors import Conflict, InvalidInput
from salon.models import Room, Salon, Therapist, TimeOff
from sessions.availability import BookingTerms, Calendar, fits, subtract, therapists_at, to_minutes
from sessions.models import Appointment, BookingHold


@dataclass(frozen=True)
class Window:
    """The time a booking takes: the session, then the turnover, as
    datetimes and as epoch minutes for the interval arithmetic."""

    start: datetime.datetime
    end: datetime.datetime
    busy_until: datetime.datetime
    day: datetime.date
    salon: Salon
    # The therapist's and room's rows this transaction locked before it read the calendar, if any.
    therapist_locked: int | None = None
    room_locked: int | None = None

    @property
    def begin(self) -> int:
        return to_minutes(self.start)

    @property
    def finish(self) -> int:
        return to_minutes(self.busy_until)

    def local(self, moment: datetime.datetime | None = None) -> str:
        local = (moment or self.start).astimezone(self.salon.zone)
        return f"{date_format(local, pgettext('date format: short weekday and date', 'D d M'))} {local:%H:%M}"


@dataclass(frozen=True)
class Placement:
    therapist: Therapist
    room: Room
    end: datetime.datetime
    busy_until: datetime.datetime


def appointment_place(
    *,
    salon: Salon,
    spec: RoutineSpec | RoutineTemplate,
    terms: BookingTerms,
    start: datetime.datetime,
    therapist: Therapist | None,
    room: Room | None,
    exclude: int | None = None,
) -> Placement:
    """Choose (or check) the therapist and room for a session on ``terms``
    from ``start``, lock both rows, and return them with the session's end
    and busy-until at ``salon`` (the location). ``exclude`` is the
    appointment being moved. Of the routine only its ``qualification`` and
    ``name`` are read: a move passes the routine's row, without its steps."""
    window = Window(
        start=start,
        end=start + datetime.timedelta(minutes=terms.session_minutes),
        busy_until=start + datetime.timedelta(minutes=terms.slot_minutes),
        day=start.astimezone(salon.zone).date(),
        salon=salon,
    )
    here = None  # the therapist asked for, read as locked, when she works here
    if therapist is not None:
        # Locked before reading her calendar: a rota, time off, room change or
        # booking (which lock her row too) is then either all seen here or waits.
        here = therapist_lock_here(therapist, salon)
        # Her row as locked (only her id counts: the API does not read it before).
        therapist = here[0] if here else _therapist_refused_here(therapist)
        window = replace(window, therapist_locked=therapist.pk)
        if room is not None:
            # The room too, after her as every booking takes them: its time
            # off and bookings in the calendar are then current as well.
            room = _room_locked(room.pk) or _room_unknown(window)
            window = replace(window, room_locked=room.pk)
    calendar = Calendar.load(
        salon=salon, first_day=window.day, last_day=window.day,
        therapist_id=therapist.pk if therapist else None, exclude_appointment=exclude,
        therapists=here,
    )  # fmt: skip
    if room is not None and window.room_locked is None:
        # The room as read with the calendar (only its id counts): in use here, or refused as not.
        room = next((candidate for candidate in calendar.rooms if candidate.pk == room.pk), None) or (
            Room.objects.filter(pk=room.pk).first() or _room_unknown(window)
        )
    chosen = therapist_choose(calendar=calendar, window=window, spec=spec, therapist=therapist, room=room)
    if therapist is None:
        here = therapist_lock_here(chosen, salon)
        window = replace(window, therapist_locked=chosen.pk)
        # Chosen from a calendar read before her row was locked: read hers
        # again, now that no change to her hours, time off or bookings can slip in.
        calendar = Calendar.load(
            salon=salon, first_day=window.day, last_day=window.day, therapist_id=chosen.pk,
            exclude_appointment=exclude, therapists=here,
        )  # fmt: skip
        if not calendar.therapists or not fits(calendar.therapist_on_duty(chosen, window.day), window.begin,
                                               window.finish):  # fmt: skip
            raise Conflict(
                gettext("%(therapist)s's hours changed a moment ago; pick the time again.")
                % {"therapist": chosen.display_name},
                code="therapist_busy",
            )
    # Her row is locked and the calendar read since: it holds every booking and hold in her way.
    therapist_lock(therapist=chosen, window=window, exclude=exclude, calendar=calendar)
    chosen_room = room_choose_and_lock(calendar=calendar, window=window, therapist=chosen, room=room, exclude=exclude)
    return Placement(therapist=chosen, room=chosen_room, end=window.end, busy_until=window.busy_until)


def qualified(therapist: Therapist, qualification: str) -> bool:
    return {
        "none": True,
        "therapeutic": therapist.qualified_therapeutic,
        "pregnancy": therapist.qualified_pregnancy,
    }[qualification]


def _overlaps(intervals, begin: int, finish: int) -> bool:
    return any(start < finish and begin < end for start, end in intervals)


def _rooms_free(calendar: Calendar, window: Window, therapist: Therapist, room: Room | None) -> list[Room]:
    """The rooms (``room``, or any) that ``therapist`` can work in and that
    are in use and free for the whole window, by the calendar read."""
    candidates = [room] if room is not None else calendar.rooms_for(therapist)
    allowed = {candidate.pk for candidate in calendar.rooms_for(therapist)}
    return [
        candidate
        for candidate in candidates
        if candidate.pk in allowed
        and fits(
            subtract(calendar.room_in_use(candidate, window.day), calendar.room_booked.get(candidate.pk, [])),
            window.begin,
            window.finish,
        )
    ]


def therapist_choose(
    *,
    calendar: Calendar,
    window: Window,
    spec: RoutineSpec | RoutineTemplate,
    therapist: Therapist | None,
    room: Room | None = None,
):
    """The therapist asked for, if they may and can take the slot; else the
    first qualified therapist on duty and free with a room they can work in
    (by the calendar read)."""
    if therapist is not None:
        if all(candidate.pk != therapist.pk for candidate in calendar.therapists):
            raise InvalidInput(
                gettext("%(therapist)s does not work at %(location)s.")
                % {"therapist": therapist.display_name, "location": window.salon.name},
                code="invalid",
                fields={"therapist": [gettext("Does not work at this location.")]},
            )
        if not qualified(therapist, spec.qualification):
            raise InvalidInput(
                gettext("%(therapist)s is not qualified for %(routine)s.")
                % {"therapist": therapist.display_name, "routine": spec.name},
                code="not_qualified",
                fields={"therapist": [gettext("Not qualified for this routine.")]},
            )
        if not fits(calendar.therapist_on_duty(therapist, window.day), window.begin, window.finish):
            raise InvalidInput(
                gettext("%(therapist)s is not working at %(when)s for the whole session and turnover.")
                % {"therapist": therapist.display_name, "when": window.local()},
                code="outside_working_hours",
                fields={"start": [gettext("Outside working hours.")]},
            )
        return therapist
    on_duty = [
        candidate
        for candidate in calendar.therapists
        if qualified(candidate, spec.qualification)
        and fits(calendar.therapist_on_duty(candidate, window.day), window.begin, window.finish)
    ]
    if not on_duty:
        raise InvalidInput(
            gettext("No qualified therapist works at %(when)s.") % {"when": window.local()},
            code="outside_working_hours",
            fields={"start": [gettext("Closed.")]},
        )
    free = [c for c in on_duty if not _overlaps(calendar.therapist_booked.get(c.pk, []), window.begin, window.finish)]
    if not free:
        raise Conflict(
            gettext("Every qualified therapist is busy at %(when)s.") % {"when": window.local()}, code="therapist_busy"
        )
    with_a_room = [candidate for candidate in free if _rooms_free(calendar, window, candidate, room)]
    if not with_a_room:
        raise Conflict(
            gettext("No room is free at %(when)s.") % {"when": window.local()},
            code="room_busy",
            fields={"room": [gettext("No room free.")]},
        )
    return with_a_room[0]


def _clashes(*, field: str, value: int, window: Window, exclude: int | None) -> QuerySet[Appointment]:
    """The bookings of this therapist or room that overlap the window; a
    therapist's booking at another location must also leave the travel time."""
    overlaps = Q(start__lt=window.busy_until, busy_until__gt=window.start)
    if field == "therapist_id":
        travel = datetime.timedelta(minutes=window.salon.business.travel_minutes)
        overlaps = Q(room__salon=window.salon, start__lt=window.busy_until, busy_until__gt=window.start) | (
            ~Q(room__salon=window.salon) & Q(start__lt=window.busy_until + travel, busy_until__gt=window.start - travel)
        )
    clashes = Appointment.objects.filter(overlaps, **{field: value}, status__in=Appointment.HOLDS_TIME)
    if exclude:
        clashes = clashes.exclude(pk=exclude)
    return clashes


def _clash(*, field: str, value: int, window: Window, exclude: int | None) -> Appointment | None:
    """The first of :func:`_clashes`."""
    return (
        _clashes(field=field, value=value, window=window, exclude=exclude)
        .select_related("room__salon")
        .order_by("start")
        .first()
    )


def _holds(*, field: str, value: int, window: Window) -> QuerySet[BookingHold]:
    """The times held for someone confirming an online booking that overlap
    the window (the caller holds the therapist's or room's row lock, which
    every hold takes too). A hold at another location leaves the travel time."""
    travel = datetime.timedelta(minutes=window.salon.business.travel_minutes if field == "therapist_id" else 0)
    return BookingHold.objects.filter(
        Q(salon=window.salon, start__lt=window.busy_until, busy_until__gt=window.start)
        | (~Q(salon=window.salon) & Q(start__lt=window.busy_until + travel, busy_until__gt=window.start - travel)),
        **{field: value},
        status=BookingHold.Status.HELD,
        expires_at__gt=timezone.now(),
    )


def _held(*, field: str, value: int, window: Window) -> BookingHold | None:
    """The first of :func:`_holds`."""
    return _holds(field=field, value=value, window=window).order_by("start").first()


def _free(*, field: str, value: int, window: Window, exclude: int | None) -> bool:
    """Neither booked nor held for the window, in one query: the usual case,
    after which :func:`_clash` and :func:`_held` (which name what is in the
    way) need not run."""
    clashes = _clashes(field=field, value=value, window=window, exclude=exclude)
    holds = _holds(field=field, value=value, window=window)
    return not clashes.values("pk").union(holds.values("pk")).exists()


def _therapist_refused_here(therapist: Therapist) -> Therapist:
    """Her row, for the refusal that follows (she does not work here, or no
    longer); no row at all is refused here."""
    row = Therapist.objects.filter(pk=therapist.pk).first()
    if row is None:
        raise InvalidInput(gettext("No such therapist."), fields={"therapist": [gettext("Unknown.")]})
    return row


# Every booking that names its room locks it this way: a booking's locks are its
# most frequent queries, and building this one with the ORM each time (or reading
# it as a raw query) cost more than sending it. Compiled once; only the id changes.
_ROOM_LOCK = CompiledQuery(lambda pk: Room.objects.select_for_update().filter(pk=pk).order_by()[:1], pk=-1)


def _room_locked(room_id: int) -> Room | None:
    """The room's row, locked for update (None: no such room). (SQLite's
    transactions are IMMEDIATE: no lock needed, and none is taken.)"""
    return next(iter(_ROOM_LOCK.objects(pk=room_id)), None)


def _room_unknown(window: Window) -> NoReturn:
    raise InvalidInput(
        gettext("That room is not in use at %(location)s.") % {"location": window.salon.name},
        code="invalid",
        fields={"room": [gettext("Unknown.")]},
    )


# Every booking locks its therapist this way: compiled once (building and
# compiling the query took four times the CPU of sending it); only the ids change.
_LOCK_HERE = CompiledQuery(
    lambda therapist, salon, business: (
        Therapist.objects.select_for_update(of=("self",))  # her row only: not her user's
        .filter(pk=therapist)
        .annotate(
            works_here=Exists(therapists_at(Salon(pk=salon, business_id=business)).filter(pk=OuterRef("pk"))),
            language=F("user__language"),
        )
        .order_by()[:1]
    ),
    therapist=-1,  # no therapist's, location's or business's id
    salon=-2,
    business=-3,
)


def therapist_lock_here(therapist: Therapist, salon: Salon) -> list[Therapist]:
    """Lock her row (bookings of her, and changes to her hours, time off and
    rooms, take it too, so they happen one at a time), and read it with
    whether she works at ``salon`` (:func:`therapists_at`) and her user's
    ``language`` (her session's plan is written in it) in the same query:
    ``[her]`` when she does, else ``[]``, as the calendar's therapists."""
    if connection.get_autocommit():  # as select_for_update refuses: a lock outside a transaction holds nothing
        raise TransactionManagementError("therapist_lock_here locks her row: call it in a transaction.")
    row = next(iter(_LOCK_HERE.objects(therapist=therapist.pk, salon=salon.pk, business=salon.business_id)), None)
    # Her own columns as locked (a change she waited for is seen); the location grants as the query began.
    return [row] if row is not None and row.works_here and row.active else []


def therapist_lock(
    *, therapist: Therapist, window: Window, exclude: int | None, calendar: Calendar | None = None
) -> None:
    """Lock before checking: concurrent bookings of this therapist queue here
    instead of deadlocking on the exclusion constraint. A ``calendar`` of the
    window's day read after her row was locked already holds her bookings
    and holds (here, and elsewhere with the travel time): the check then
    reads again only to name what is in the way."""
    if window.therapist_locked != therapist.pk:
        Therapist.objects.select_for_update().filter(pk=therapist.pk).first()
    if calendar is not None and window.therapist_locked == therapist.pk:
        if not _overlaps(calendar.therapist_booked.get(therapist.pk, []), window.begin, window.finish):
            return
    elif _free(field="therapist_id", value=therapist.pk, window=window, exclude=exclude):
        return
    clash = _clash(field="therapist_id", value=therapist.pk, window=window, exclude=exclude)
    if clash and clash.room.salon_id != window.salon.pk:
        raise Conflict(
            gettext(
                "%(therapist)s has a session at %(location)s from %(start)s to %(end)s, and needs %(minutes)s "
                "minutes to travel between locations."
            )
            % {
                "therapist": therapist.display_name,
                "location": clash.room.salon.name,
                "start": window.local(clash.start),
                "end": f"{clash.busy_until.astimezone(window.salon.zone):%H:%M}",
                "minutes": window.salon.business.travel_minutes,
            },
            code="therapist_busy",
            fields={"start": [gettext("Therapist busy at another location.")]},
        )
    if clash:
        raise Conflict(
            gettext("%(therapist)s is busy from %(start)s to %(end)s (with turnover).")
            % {
                "therapist": therapist.display_name,
                "start": window.local(clash.start),
                "end": f"{clash.busy_until.astimezone(window.salon.zone):%H:%M}",
            },
            code="therapist_busy",
            fields={"start": [gettext("Therapist busy.")]},
        )
    held = _held(field="therapist_id", value=therapist.pk, window=window)
    if held:
        raise Conflict(
            gettext("%(therapist)s is held for an online booking from %(start)s to %(end)s until the client confirms.")
            % {
                "therapist": therapist.display_name,
                "start": window.local(held.start),
                "end": f"{held.busy_until.astimezone(window.salon.zone):%H:%M}",
            },
            code="therapist_busy",
            fields={"start": [gettext("Therapist held for an online booking.")]},
        )


def _room_away(room_id, window: Window) -> Exists:
    return Exists(
        TimeOff.objects.filter(
            room=room_id, status=TimeOff.Status.APPROVED, start__lt=window.busy_until, end__gt=window.start
        )
    )


def room_choose_and_lock(
    *, calendar: Calendar, window: Window, therapist: Therapist, room: Room | None, exclude: int | None
) -> Room:
    """The room asked for, or the first free one in use that day that the
    therapist works in, locked."""
    if room is not None:
        if room.salon_id != window.salon.pk or not room.active:
            raise InvalidInput(
                gettext("That room is not in use at %(location)s.") % {"location": window.salon.name},
                code="invalid",
                fields={"room": [gettext("Unknown.")]},
            )
        if all(candidate.pk != room.pk for candidate in calendar.rooms_for(therapist)):
            raise InvalidInput(
                gettext("%(therapist)s does not work in %(room)s.")
                % {"therapist": therapist.display_name, "room": room.name},
                code="room_not_allowed",
                fields={"room": [gettext("Not one of %(therapist)s's rooms.") % {"therapist": therapist.display_name}]},
            )
        candidates = [room]
    else:
        candidates = [
            candidate
            for candidate in calendar.rooms_for(therapist)
            if not _overlaps(calendar.room_booked.get(candidate.pk, []), window.begin, window.finish)
        ]
    for candidate in candidates:
        if not fits(calendar.room_in_use(candidate, window.day), window.begin, window.finish):
            continue
        if window.room_locked == candidate.pk:
            # Locked before the calendar was read: its time off and bookings there are current.
            if not _overlaps(calendar.room_booked.get(candidate.pk, []), window.begin, window.finish):
                return candidate
        else:
            # Locked, then read again: taken out of use or out of service since
            # the calendar was read (those changes lock the room's row too).
            in_use = (
                Room.objects.select_for_update()
                .filter(pk=candidate.pk, active=True)
                .annotate(away=_room_away(OuterRef("pk"), window))
                .first()
            )
            if in_use is None or in_use.away:
                continue
            if _free(field="room_id", value=candidate.pk, window=window, exclude=exclude):
                return candidate
        clash = _clash(field="room_id", value=candidate.pk, window=window, exclude=exclude)
        clash = clash or _held(field="room_id", value=candidate.pk, window=window)
        if clash is None:
            return candidate
        if room is not None:
            raise Conflict(
                gettext("%(room)s is taken from %(start)s to %(end)s.")
                % {
                    "room": candidate.name,
                    "start": window.local(clash.start),
                    "end": f"{clash.busy_until.astimezone(window.salon.zone):%H:%M}",
                },
                code="room_busy",
                fields={"room": [gettext("Room busy.")]},
            )
    raise Conflict(
        gettext("No room is free at %(when)s.") % {"when": window.local()},
        code="room_busy",
        fields={"room": [gettext("No room free.")]},
    )
