"""A therapist's rota at a location: the week's shifts from a date (and
optionally until one), set so that next month's rota can be written now
without changing this month's; split shifts; alternating weeks (week A /
week B) for part-timers. A rota that would leave a booked session outside
the therapist's hours is refused with those sessions named, and with the
first day it could start on instead (the day after the last of them)."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext

from salon.errors import Conflict, InvalidInput, validate
from salon.models import Salon, Therapist, WorkingHours, week_parity
from sessions.availability import local_instant
from sessions.models import Appointment
from sessions.rota_weeks import WEEKDAY_NAMES, WEEKS, parity_for
from sessions.services.closures import refuse_if_booked, within_hours
from sessions.signals import time_freed

# weekday (0 = Monday), starts, ends[, week: None for every week, "A" or "B"]
Shift = tuple[int, datetime.time, datetime.time] | tuple[int, datetime.time, datetime.time, str | None]


@dataclass(frozen=True)
class PlannedShift:
    weekday: int
    starts: datetime.time
    ends: datetime.time
    parity: int | None  # as stored: None every week, else the week parity (salon.models.week_parity)

    def applies_on(self, day: datetime.date) -> bool:
        return self.weekday == day.weekday() and (self.parity is None or self.parity == week_parity(day))

    def meets(self, other: "PlannedShift") -> bool:
        """Both are worked on some day and overlap then."""
        same_weeks = self.parity is None or other.parity is None or self.parity == other.parity
        return self.weekday == other.weekday and same_weeks and self.starts < other.ends and other.starts < self.ends


class RotaClash(Conflict):
    """409 ``bookings_in_the_way``: the rota would leave ``sessions`` outside
    the therapist's hours. ``earliest_start`` is the first day the rota could
    start on instead (the day after the last of them), or None when that is
    after the rota's last day."""

    def __init__(self, detail: str, *, fields: dict, sessions: list, earliest_start: datetime.date | None):
        super().__init__(detail, code="bookings_in_the_way", fields=fields)
        self.sessions = sessions
        self.earliest_start = earliest_start


def _planned(shifts: list[Shift], *, week_a: datetime.date) -> list[PlannedShift]:
    planned = []
    for shift in shifts:
        weekday, starts, ends, week = (*shift, None) if len(shift) == 3 else shift
        if not (isinstance(weekday, int) and 0 <= weekday <= 6):
            raise InvalidInput(
                gettext("A weekday is 0 (Monday) to 6 (Sunday)."), fields={"shifts": [gettext("Unknown weekday.")]}
            )
        if week not in (None, *WEEKS):
            raise InvalidInput(
                gettext('A shift is for every week (no week), week "A" or week "B".'),
                fields={"shifts": [gettext("Unknown week.")]},
            )
        name = WEEKDAY_NAMES[weekday]
        if ends <= starts:
            raise InvalidInput(
                gettext("A shift ends after it starts (%(day)s %(starts)s–%(ends)s).")
                % {"day": name, "starts": f"{starts:%H:%M}", "ends": f"{ends:%H:%M}"},
                fields={"shifts": [gettext("%(day)s: ends before it starts.") % {"day": name}]},
            )
        planned.append(PlannedShift(weekday, starts, ends, parity_for(week, week_a=week_a)))
    planned.sort(key=lambda shift: (shift.weekday, shift.starts, -1 if shift.parity is None else shift.parity))
    for index, shift in enumerate(planned):
        clash = next((other for other in planned[index + 1 :] if shift.meets(other)), None)
        if clash is not None:
            name = WEEKDAY_NAMES[shift.weekday]
            spans = gettext("%(first)s and %(second)s") % {
                "first": f"{shift.starts:%H:%M}–{shift.ends:%H:%M}",
                "second": f"{clash.starts:%H:%M}–{clash.ends:%H:%M}",
            }
            raise InvalidInput(
                gettext("Shifts on one day must not overlap (%(day)s: %(spans)s).") % {"day": name, "spans": spans},
                fields={"shifts": [gettext("%(day)s: %(spans)s overlap.") % {"day": name, "spans": spans}]},
            )
    return planned


def _sessions_outside(
    *, therapist: Therapist, salon: Salon, shifts: list[PlannedShift], since: datetime.date, until: datetime.date | None
) -> list[Appointment]:
    """The therapist's sessions at ``salon`` from ``since`` (to ``until``)
    that the new shifts would not cover, each day by its week (every-week
    shifts, and that week's A or B ones)."""
    zone = salon.zone
    sessions = Appointment.objects.filter(
        therapist=therapist,
        room__salon=salon,
        status__in=Appointment.HOLDS_TIME,
        start__gte=local_instant(since, datetime.time(0), zone),
    )
    if until is not None:
        sessions = sessions.filter(start__lt=local_instant(until + datetime.timedelta(days=1), datetime.time(0), zone))
    outside = []
    for session in sessions.select_related("client", "therapist").order_by("start"):
        day = session.start.astimezone(zone).date()
        hours = [(shift.starts, shift.ends) for shift in shifts if shift.applies_on(day)]
        if not within_hours(session, day=day, hours=hours, zone=zone):
            outside.append(session)
    return outside


def _refuse_clash(salon: Salon, sessions: list[Appointment], *, valid_to: datetime.date | None) -> None:
    """RotaClash naming ``sessions`` and the first day after the last of them."""
    if not sessions:
        return
    last_day = max(session.start.astimezone(salon.zone).date() for session in sessions)
    earliest = last_day + datetime.timedelta(days=1)
    if valid_to is not None and earliest > valid_to:
        earliest = None
    try:
        refuse_if_booked(salon, sessions, field="shifts")
    except Conflict as clash:
        fields = dict(clash.fields)
        detail = clash.detail
        if earliest is not None:
            day = date_format(earliest, pgettext("date format: short weekday, date and year", "D d M Y"))
            detail = f"{detail} " + gettext("Or start the rota on %(day)s, after the last of them.") % {"day": day}
            # The date first, so that programs can read it: YYYY-MM-DD.
            fields["valid_from"] = [
                gettext("%(date)s: the first day after the sessions in the way.") % {"date": earliest.isoformat()}
            ]
        raise RotaClash(detail, fields=fields, sessions=sessions, earliest_start=earliest) from None


@transaction.atomic
def rota_set(
    *,
    therapist: Therapist,
    salon: Salon,
    valid_from: datetime.date,
    shifts: list[Shift],
    valid_to: datetime.date | None = None,
    week_a: datetime.date | None = None,
) -> list[WorkingHours]:
    """The therapist's shifts at ``salon`` from ``valid_from`` (to
    ``valid_to``, after which the rota before resumes). No shifts at all
    means not working there in that time.

    A shift may be for every week, or only for week "A" or week "B" of an
    alternating rota. Week A is the week (Monday to Sunday) containing
    ``week_a``, by default ``valid_from``: a rota moved to a later start
    (after the sessions in the way) keeps its weeks by passing the first
    ``valid_from`` as ``week_a``."""
    if valid_to is not None and valid_to < valid_from:
        raise InvalidInput(
            gettext("The rota ends before it starts."), fields={"valid_to": [gettext("Before the first day.")]}
        )
    planned = _planned(shifts, week_a=week_a or valid_from)
    Therapist.objects.select_for_update().filter(pk=therapist.pk).first()  # as booking locks them
    _refuse_clash(
        salon,
        _sessions_outside(therapist=therapist, salon=salon, shifts=planned, since=valid_from, until=valid_to),
        valid_to=valid_to,
    )
    rows = WorkingHours.objects.filter(therapist=therapist, salon=salon)
    day_before = valid_from - datetime.timedelta(days=1)
    for row in rows.exclude(valid_from__gte=valid_from).exclude(valid_to__lt=valid_from):
        # A shift running into the new rota stops the day before it, and comes
        # back after it, in the same weeks (parity counts from one fixed Monday).
        if valid_to is not None and (row.valid_to is None or row.valid_to > valid_to):
            WorkingHours.objects.create(
                therapist=therapist, salon=salon, weekday=row.weekday, starts=row.starts, ends=row.ends,
                valid_from=valid_to + datetime.timedelta(days=1), valid_to=row.valid_to,
                week_parity=row.week_parity,
            )  # fmt: skip
        row.valid_to = day_before
        row.save(update_fields=["valid_to"])
    superseded = rows.filter(valid_from__gte=valid_from)
    if valid_to is not None:
        superseded = superseded.filter(valid_from__lte=valid_to)
        # A rota planned from inside this one, and running past it, starts after it instead.
        superseded.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=valid_to)).update(
            valid_from=valid_to + datetime.timedelta(days=1)
        )
    superseded.delete()
    made = []
    for shift in planned:
        row = WorkingHours(
            therapist=therapist, salon=salon, weekday=shift.weekday, starts=shift.starts, ends=shift.ends,
            valid_from=valid_from, valid_to=valid_to, week_parity=shift.parity,
        )  # fmt: skip
        validate(row)
        row.save()
        made.append(row)
    if made:
        # New hours may be time someone on the waitlist is waiting for.
        last = valid_to or valid_from + datetime.timedelta(days=salon.online_horizon_days)
        time_freed.send(
            sender=WorkingHours,
            salon=salon,
            start=local_instant(valid_from, datetime.time(0), salon.zone),
            end=local_instant(last + datetime.timedelta(days=1), datetime.time(0), salon.zone),
        )
    return made
