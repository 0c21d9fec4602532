"""Changes to when a location is open: its weekly opening hours, closures
(public holidays, a closed week) and special opening hours (time off is in
``time_off``). They live here, beside the bookings, because a change that
would leave a booked session stranded is refused, with those sessions named,
until they are moved or cancelled."""

import datetime
from itertools import pairwise

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext, pgettext

from salon.errors import Conflict, InvalidInput, validate
from salon.models import OpeningHours, Salon, SpecialDay, Weekday
from sessions.availability import local_instant
from sessions.models import Appointment

LONGEST_CLOSURE_DAYS = 366


Hours = list[tuple[datetime.time, datetime.time]]


def within_hours(session: Appointment, *, day: datetime.date, hours: Hours, zone) -> bool:
    """Whether the session, turnover included, lies inside one of ``hours``
    (wall-clock spans on ``day`` in ``zone``)."""
    return any(
        local_instant(day, opens, zone) <= session.start and session.busy_until <= local_instant(day, closes, zone)
        for opens, closes in hours
    )


def _bookings_outside(*, salon: Salon, day: datetime.date, hours: Hours):
    """The location's sessions that day that would not fit inside ``hours``."""
    zone = salon.zone
    since = local_instant(day, datetime.time(0), zone)
    until = local_instant(day + datetime.timedelta(days=1), datetime.time(0), zone)
    sessions = (
        Appointment.objects.filter(
            room__salon=salon, status__in=Appointment.HOLDS_TIME, start__lt=until, busy_until__gt=since
        )
        .select_related("client", "therapist")
        .order_by("start")
    )
    return [session for session in sessions if not within_hours(session, day=day, hours=hours, zone=zone)]


def refuse_if_booked(salon: Salon, sessions: list[Appointment], *, field: str) -> None:
    """409 ``bookings_in_the_way`` naming ``sessions`` (times in ``salon``'s zone), if there are any."""
    if not sessions:
        return
    day_format = pgettext("date format: short weekday and date", "D d M")
    named = []
    for session in sessions:
        local = session.start.astimezone(salon.zone)
        named.append(
            gettext("%(when)s %(client)s with %(therapist)s")
            % {
                "when": f"{date_format(local, day_format)} {local:%H:%M}",
                "client": session.client,
                "therapist": session.therapist,
            }
        )
    raise Conflict(
        ngettext(
            "%(count)s booked session is in the way; move or cancel it first: %(sessions)s.",
            "%(count)s booked sessions are in the way; move or cancel them first: %(sessions)s.",
            len(sessions),
        )
        % {"count": len(sessions), "sessions": "; ".join(named)},
        code="bookings_in_the_way",
        fields={field: named},
    )


def _replace_day(*, salon: Salon, day: datetime.date, rows: list[SpecialDay]) -> list[SpecialDay]:
    SpecialDay.objects.filter(salon=salon, day=day).delete()
    for row in rows:
        validate(row)
        row.save()
    return rows


@transaction.atomic
def closure_add(
    *, salon: Salon, first_day: datetime.date, last_day: datetime.date, reason: str = ""
) -> list[SpecialDay]:
    """Close the location from ``first_day`` to ``last_day`` (both included),
    for everyone: no slot is offered and nothing can be booked then."""
    if last_day < first_day:
        raise InvalidInput(
            gettext("The last day comes before the first."), fields={"last_day": [gettext("Before the first day.")]}
        )
    days = (last_day - first_day).days + 1
    if days > LONGEST_CLOSURE_DAYS:
        raise InvalidInput(
            gettext("A closure lasts a year at most (%(days)s days given).") % {"days": days},
            fields={"last_day": [gettext("More than a year.")]},
        )
    Salon.objects.select_for_update().filter(pk=salon.pk).first()  # one change to the calendar at a time
    dates = [first_day + datetime.timedelta(days=offset) for offset in range(days)]
    refuse_if_booked(
        salon,
        [session for day in dates for session in _bookings_outside(salon=salon, day=day, hours=[])],
        field="first_day",
    )
    closed = []
    for day in dates:
        closed += _replace_day(salon=salon, day=day, rows=[SpecialDay(salon=salon, day=day, reason=reason.strip())])
    return closed


@transaction.atomic
def special_hours_set(
    *, salon: Salon, day: datetime.date, hours: list[tuple[datetime.time, datetime.time]], reason: str = ""
) -> list[SpecialDay]:
    """Open the location on ``day`` at these hours only (several make a
    break), instead of its weekly hours."""
    if not hours:
        raise InvalidInput(
            gettext("Give at least one opening time, or close the day."), fields={"hours": [gettext("None given.")]}
        )
    ordered = sorted(hours)
    for (_, closes), (opens, _) in pairwise(ordered):
        if opens < closes:
            raise InvalidInput(
                gettext("Opening times on one day must not overlap."), fields={"hours": [gettext("They overlap.")]}
            )
    Salon.objects.select_for_update().filter(pk=salon.pk).first()
    refuse_if_booked(salon, _bookings_outside(salon=salon, day=day, hours=ordered), field="hours")
    rows = [
        SpecialDay(salon=salon, day=day, opens=opens, closes=closes, reason=reason.strip()) for opens, closes in ordered
    ]
    return _replace_day(salon=salon, day=day, rows=rows)


@transaction.atomic
def special_day_clear(*, salon: Salon, day: datetime.date) -> int:
    """Back to the weekly hours on ``day`` (refused while a session booked in
    the special hours would fall outside them). Returns how many rows went."""
    Salon.objects.select_for_update().filter(pk=salon.pk).first()
    weekly = OpeningHours.objects.filter(salon=salon, weekday=day.weekday()).values_list("opens", "closes")
    refuse_if_booked(salon, _bookings_outside(salon=salon, day=day, hours=list(weekly)), field="day")
    deleted, _ = SpecialDay.objects.filter(salon=salon, day=day).delete()
    return deleted


def _weekly_hours_checked(hours: list[tuple[int, datetime.time, datetime.time]]):
    """``hours`` sorted, each a weekday 0–6 with closing after opening, none overlapping on its day."""
    for weekday, opens, closes in hours:
        if not (isinstance(weekday, int) and 0 <= weekday <= 6):
            raise InvalidInput(
                gettext("A weekday is 0 (Monday) to 6 (Sunday)."), fields={"hours": [gettext("Unknown weekday.")]}
            )
        if closes <= opens:
            name = Weekday(weekday).label
            raise InvalidInput(
                gettext("Closing comes after opening (%(day)s %(opens)s–%(closes)s).")
                % {"day": name, "opens": f"{opens:%H:%M}", "closes": f"{closes:%H:%M}"},
                fields={"hours": [gettext("%(day)s: closes before it opens.") % {"day": name}]},
            )
    ordered = sorted(hours)
    for (day, opens, closes), (next_day, next_opens, next_closes) in pairwise(ordered):
        if day == next_day and next_opens < closes:
            name = Weekday(day).label
            spans = gettext("%(first)s and %(second)s") % {
                "first": f"{opens:%H:%M}–{closes:%H:%M}",
                "second": f"{next_opens:%H:%M}–{next_closes:%H:%M}",
            }
            raise InvalidInput(
                gettext("Opening times on one day must not overlap (%(day)s: %(spans)s).")
                % {"day": name, "spans": spans},
                fields={"hours": [gettext("%(day)s: %(spans)s overlap.") % {"day": name, "spans": spans}]},
            )
    return ordered


@transaction.atomic
def opening_hours_set(*, salon: Salon, hours: list[tuple[int, datetime.time, datetime.time]]) -> list[OpeningHours]:
    """The location's weekly opening hours: (weekday, opens, closes), several
    on a day for a break; a weekday with none is closed. Refused, with the
    sessions named, while a session still to come on a day that keeps the
    weekly hours (no closure or special hours then) would fall outside."""
    ordered = _weekly_hours_checked(hours)
    Salon.objects.select_for_update().filter(pk=salon.pk).first()
    zone = salon.zone
    now = timezone.now()
    today = now.astimezone(zone).date()
    special = set(SpecialDay.objects.filter(salon=salon, day__gte=today).values_list("day", flat=True))
    coming = (
        Appointment.objects.filter(room__salon=salon, status__in=Appointment.HOLDS_TIME, busy_until__gt=now)
        .select_related("client", "therapist")
        .order_by("start")
    )
    outside = []
    for session in coming:
        day = session.start.astimezone(zone).date()
        if day in special:
            continue
        spans = [(opens, closes) for weekday, opens, closes in ordered if weekday == day.weekday()]
        if not within_hours(session, day=day, hours=spans, zone=zone):
            outside.append(session)
    refuse_if_booked(salon, outside, field="hours")
    OpeningHours.objects.filter(salon=salon).delete()
    rows = [
        OpeningHours(salon=salon, weekday=weekday, opens=opens, closes=closes) for weekday, opens, closes in ordered
    ]
    for row in rows:
        validate(row)
    return OpeningHours.objects.bulk_create(rows)


def time_zone_change_check(*, salon: Salon) -> None:
    """Opening hours, rotas and closures are wall-clock times in the
    location's zone, and clients were told their session's local time: in
    another zone all of them would move under the sessions booked there. So
    the zone changes only while no session there is booked ahead or running
    (409 ``time_zone_in_use``, naming how many and the first)."""
    ahead = (
        Appointment.objects.filter(
            room__salon=salon,
            status__in=[*Appointment.NOT_STARTED, Appointment.Status.IN_PROGRESS],
            busy_until__gt=timezone.now(),
        )
        .select_related("client", "therapist")
        .order_by("start")
    )
    first = ahead.first()
    if first is None:
        return
    count = ahead.count()
    local = first.start.astimezone(salon.zone)
    when = f"{date_format(local, pgettext('date format: short weekday, date and year', 'D d M Y'))} {local:%H:%M}"
    raise Conflict(
        ngettext(
            "%(count)s session is booked ahead at %(location)s, the first on %(when)s (%(client)s with "
            "%(therapist)s). Opening hours and rotas are local times and would move under them in another zone: "
            "change the time zone when no session is booked ahead.",
            "%(count)s sessions are booked ahead at %(location)s, the first on %(when)s (%(client)s with "
            "%(therapist)s). Opening hours and rotas are local times and would move under them in another zone: "
            "change the time zone when no session is booked ahead.",
            count,
        )
        % {"count": count, "location": salon.name, "when": when, "client": first.client, "therapist": first.therapist},
        code="time_zone_in_use",
        fields={
            "time_zone": [
                ngettext(
                    "%(count)s session is booked ahead, the first on %(when)s.",
                    "%(count)s sessions are booked ahead, the first on %(when)s.",
                    count,
                )
                % {"count": count, "when": when}
            ]
        },
    )
