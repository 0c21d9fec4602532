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

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from routines.specs import RoutineSpec
from salon.errors import Conflict, InvalidInput
from salon.models import Room, Salon, Therapist, TimeOff
from sessions.availability import BookingTerms, Calendar, fits, subtract, to_minutes
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
    # The therapist whose row this transaction has locked already, if any.
    therapist_locked: int | None = None

    @property
    def begin(self) -> int:
        return to_minutes(self.start)

    @property
    def finish(self) -> int:
        return to_minutes(self.busy_until)

    def local(self, moment: datetime.datetime | None = None) -> str:
        return (moment or self.start).astimezone(self.salon.zone).strftime("%a %d %b %H:%M")


@dataclass(frozen=True)
class Placement:
    therapist: Therapist
    room: Room
    end: datetime.datetime
    busy_until: datetime.datetime


def appointment_place(
    *,
    salon: Salon,
    spec: RoutineSpec,
    terms: BookingTerms,
    start: datetime.datetime,
    therapist: Therapist | None,
    room: Room | None,
    exclude: int | None = None,
) -> Placement:
    """Choose (or check) the therapist and room for a session on ``terms``
    from ``start``, lock both rows, and return them with the session's end
    and busy-until at ``salon`` (the location). ``exclude`` is the
    appointment being moved."""
    window = Window(
        start=start,
        end=start + datetime.timedelta(minutes=terms.session_minutes),
        busy_until=start + datetime.timedelta(minutes=terms.slot_minutes),
        day=start.astimezone(salon.zone).date(),
        salon=salon,
    )
    if therapist is not None:
        # Locked before reading her calendar: a rota, time off or room change
        # (which lock her row too) is then either all seen here or waits.
        Therapist.objects.select_for_update().filter(pk=therapist.pk).first()
        window = replace(window, therapist_locked=therapist.pk)
    calendar = Calendar.load(
        salon=salon, first_day=window.day, last_day=window.day,
        therapist_id=therapist.pk if therapist else None, exclude_appointment=exclude,
    )  # fmt: skip
    chosen = therapist_choose(calendar=calendar, window=window, spec=spec, therapist=therapist, room=room)
    therapist_lock(therapist=chosen, window=window, exclude=exclude)
    if therapist is None:
        # Chosen from a calendar read before her row was locked: read hers
        # again, now that no change to her hours or time off can slip in.
        calendar = Calendar.load(
            salon=salon, first_day=window.day, last_day=window.day, therapist_id=chosen.pk,
            exclude_appointment=exclude,
        )  # fmt: skip
        if not calendar.therapists or not fits(calendar.therapist_on_duty(chosen, window.day), window.begin,
                                               window.finish):  # fmt: skip
            raise Conflict(
                f"{chosen.display_name}'s hours changed a moment ago; pick the time again.", code="therapist_busy"
            )
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
    *, calendar: Calendar, window: Window, spec: RoutineSpec, therapist: Therapist | None, room: Room | None = None
):
    """The therapist asked for, if they may and can take the slot; else the
    first qualified therapist on duty and free with a room they can work in
    (by the calendar read)."""
    if therapist is not None:
        if all(candidate.pk != therapist.pk for candidate in calendar.therapists):
            raise InvalidInput(
                f"{therapist.display_name} does not work at {window.salon.name}.",
                code="invalid",
                fields={"therapist": ["Does not work at this location."]},
            )
        if not qualified(therapist, spec.qualification):
            raise InvalidInput(
                f"{therapist.display_name} is not qualified for {spec.name}.",
                code="not_qualified",
                fields={"therapist": ["Not qualified for this routine."]},
            )
        if not fits(calendar.therapist_on_duty(therapist, window.day), window.begin, window.finish):
            raise InvalidInput(
                f"{therapist.display_name} is not working at {window.local()} for the whole session and turnover.",
                code="outside_working_hours",
                fields={"start": ["Outside working hours."]},
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
            f"No qualified therapist works at {window.local()}.",
            code="outside_working_hours",
            fields={"start": ["Closed."]},
        )
    free = [c for c in on_duty if not _overlaps(calendar.therapist_booked.get(c.pk, []), window.begin, window.finish)]
    if not free:
        raise Conflict(f"Every qualified therapist is busy at {window.local()}.", code="therapist_busy")
    with_a_room = [candidate for candidate in free if _rooms_free(calendar, window, candidate, room)]
    if not with_a_room:
        raise Conflict(
            f"No room is free at {window.local()}.",
            code="room_busy",
            fields={"room": ["No room free."]},
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


def therapist_lock(*, therapist: Therapist, window: Window, exclude: int | None) -> None:
    """Lock before checking: concurrent bookings of this therapist queue here
    instead of deadlocking on the exclusion constraint."""
    if window.therapist_locked != therapist.pk:
        Therapist.objects.select_for_update().filter(pk=therapist.pk).first()
    if _free(field="therapist_id", value=therapist.pk, window=window, exclude=exclude):
        return
    clash = _clash(field="therapist_id", value=therapist.pk, window=window, exclude=exclude)
    if clash and clash.room.salon_id != window.salon.pk:
        raise Conflict(
            f"{therapist.display_name} has a session at {clash.room.salon.name} from {window.local(clash.start)} "
            f"to {clash.busy_until.astimezone(window.salon.zone):%H:%M}, and needs "
            f"{window.salon.business.travel_minutes} minutes to travel between locations.",
            code="therapist_busy",
            fields={"start": ["Therapist busy at another location."]},
        )
    if clash:
        raise Conflict(
            f"{therapist.display_name} is busy from {window.local(clash.start)} "
            f"to {clash.busy_until.astimezone(window.salon.zone):%H:%M} (with turnover).",
            code="therapist_busy",
            fields={"start": ["Therapist busy."]},
        )
    held = _held(field="therapist_id", value=therapist.pk, window=window)
    if held:
        raise Conflict(
            f"{therapist.display_name} is held for an online booking from {window.local(held.start)} "
            f"to {held.busy_until.astimezone(window.salon.zone):%H:%M} until the client confirms.",
            code="therapist_busy",
            fields={"start": ["Therapist held for an online booking."]},
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
                f"That room is not in use at {window.salon.name}.", code="invalid", fields={"room": ["Unknown."]}
            )
        if all(candidate.pk != room.pk for candidate in calendar.rooms_for(therapist)):
            raise InvalidInput(
                f"{therapist.display_name} does not work in {room.name}.",
                code="room_not_allowed",
                fields={"room": [f"Not one of {therapist.display_name}'s rooms."]},
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
                f"{candidate.name} is taken from {window.local(clash.start)} "
                f"to {clash.busy_until.astimezone(window.salon.zone):%H:%M}.",
                code="room_busy",
                fields={"room": ["Room busy."]},
            )
    raise Conflict(f"No room is free at {window.local()}.", code="room_busy", fields={"room": ["No room free."]})
