"""Which dates of a course of sessions fit, read before anything is booked.

A course is a number of sessions of one routine at an interval of days, at
the same local time and with the same therapist where possible. Each date is
read from one availability answer over the whole course, so showing six
weekly dates costs what one availability question costs. A date that does
not fit offers alternatives: the same time with another therapist, or other
times that day with the course's therapist."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from clients.models import Client
from routines.models import RoutineTemplate
from salon.errors import InvalidInput
from salon.models import Salon
from sessions.availability import FreeStart, Slot, from_minutes, local_instant, to_minutes
from sessions.selectors import availability

MAX_SESSIONS = 20
MAX_INTERVAL_DAYS = 90
ALTERNATIVES_SHOWN = 3


@dataclass
class CourseDate:
    """One date of the course: the wanted start, whether the course's
    therapist is free then, and what else is free that day if not."""

    number: int
    wanted: datetime.datetime
    fits: bool
    alternatives: list[FreeStart] = field(default_factory=list)


@dataclass
class CoursePlan:
    therapist: int | None
    dates: list[CourseDate]
    reason: str = ""

    @property
    def fitting(self) -> int:
        return sum(1 for date in self.dates if date.fits)


def course_shape_check(*, sessions: int, interval_days: int) -> None:
    problems = {}
    if not 2 <= sessions <= MAX_SESSIONS:
        problems["sessions"] = [_("Between 2 and %(most)s sessions.") % {"most": MAX_SESSIONS}]
    if not 1 <= interval_days <= MAX_INTERVAL_DAYS:
        problems["interval_days"] = [_("Between 1 and %(most)s days apart.") % {"most": MAX_INTERVAL_DAYS}]
    if problems:
        raise InvalidInput(
            _("A course is 2 to %(sessions)s sessions, 1 to %(days)s days apart.")
            % {"sessions": MAX_SESSIONS, "days": MAX_INTERVAL_DAYS},
            code="course_shape",
            fields=problems,
        )


def course_starts(
    *, salon: Salon, first: datetime.datetime, sessions: int, interval_days: int
) -> list[datetime.datetime]:
    """The wanted starts: the first one's local time on every date, so a
    course across the change to summer time keeps its wall-clock time."""
    zone = salon.zone
    local = first.astimezone(zone)
    return [
        local_instant(local.date() + datetime.timedelta(days=interval_days * number), local.time(), zone).astimezone(
            zone
        )
        for number in range(sessions)
    ]


def course_plan(
    *,
    salon: Salon,
    client: Client,
    routine: RoutineTemplate,
    first: datetime.datetime,
    sessions: int,
    interval_days: int,
    minutes: int | None = None,
    therapist_id: int | None = None,
    now: datetime.datetime | None = None,
) -> CoursePlan:
    """Every date of the course with whether it fits. Without a therapist
    named, the course's therapist is whoever is free at most of the dates
    (of several as free, the one added first)."""
    course_shape_check(sessions=sessions, interval_days=interval_days)
    wanted = course_starts(salon=salon, first=first, sessions=sessions, interval_days=interval_days)
    slots, reason = availability(
        salon=salon,
        routine=routine,
        first_day=wanted[0].date(),
        last_day=wanted[-1].date(),
        client=client,
        minutes=minutes,
        now=now,
    )
    if reason:
        return CoursePlan(therapist=therapist_id, dates=[], reason=reason)
    free_at: dict[int, list[Slot]] = defaultdict(list)
    by_day: dict[datetime.date, list[Slot]] = defaultdict(list)
    zone = salon.zone
    for slot in slots:
        free_at[slot.start].append(slot)
        by_day[from_minutes(slot.start).astimezone(zone).date()].append(slot)
    if therapist_id is None:
        counts = Counter(slot.therapist for start in wanted for slot in free_at.get(to_minutes(start), []))
        therapist_id = min(counts, key=lambda pk: (-counts[pk], pk)) if counts else None
    dates = []
    for number, start in enumerate(wanted, start=1):
        minute = to_minutes(start)
        here = free_at.get(minute, [])
        if any(slot.therapist == therapist_id for slot in here):
            dates.append(CourseDate(number=number, wanted=start, fits=True))
            continue
        others = [FreeStart(start, slot.therapist) for slot in here]
        same_therapist = sorted(
            (slot for slot in by_day.get(start.date(), []) if slot.therapist == therapist_id),
            key=lambda slot: abs(slot.start - minute),
        )
        others += [FreeStart(from_minutes(slot.start).astimezone(zone), slot.therapist) for slot in same_therapist]
        dates.append(CourseDate(number=number, wanted=start, fits=False, alternatives=others[:ALTERNATIVES_SHOWN]))
    return CoursePlan(therapist=therapist_id, dates=dates)
