"""Time off: a therapist away, a room out of service.

Managers enter time off directly (approved at once). Therapists ask for it
from "my day"; a request takes no time from availability until a manager
approves it, and the therapist is told of the decision by email. Time off
that would leave a booked session stranded is refused, with the sessions
named, until the desk has moved or cancelled them: the same rule as closures
(``sessions.services.closures``).

Therapist and room rows are locked as booking locks them, so no booking slips
in between the check and the write.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext

from salon.errors import Conflict, Forbidden, InvalidInput, validate
from salon.languages import language_for_location, language_supported
from salon.models import Room, Therapist, TimeOff, User
from sessions.models import Appointment
from sessions.services.closures import refuse_if_booked

LONGEST_TIME_OFF_DAYS = 366
logger = logging.getLogger(__name__)


def _check_span(start: datetime.datetime, end: datetime.datetime) -> None:
    if end <= start:
        raise InvalidInput(
            gettext("The time off ends before it starts."), fields={"end": [gettext("Before the start.")]}
        )
    if end - start > datetime.timedelta(days=LONGEST_TIME_OFF_DAYS):
        raise InvalidInput(
            gettext("Time off lasts %(days)s days at most; enter a longer absence in parts.")
            % {"days": LONGEST_TIME_OFF_DAYS},
            fields={"end": [gettext("More than a year after the start.")]},
        )


def _lock(*, therapist: Therapist | None = None, room: Room | None = None) -> None:
    """Lock the therapist's (or the room's) row, as booking does, so that no
    booking of them commits between our check and our write."""
    if therapist is not None:
        Therapist.objects.select_for_update().filter(pk=therapist.pk).first()
    else:
        Room.objects.select_for_update().filter(pk=room.pk).first()


def sessions_booked_during(
    *, start: datetime.datetime, end: datetime.datetime, therapist: Therapist | None = None, room: Room | None = None
) -> list[Appointment]:
    """The sessions (turnover included) of ``therapist`` or in ``room`` that
    overlap ``[start, end)``, by start."""
    theirs = Q(therapist=therapist) if therapist is not None else Q(room=room)
    return list(
        Appointment.objects.filter(theirs, status__in=Appointment.HOLDS_TIME, start__lt=end, busy_until__gt=start)
        .select_related("client", "therapist", "room__salon")
        .order_by("start")
    )


def _refuse_over_bookings(*, start, end, therapist=None, room=None) -> None:
    sessions = sessions_booked_during(start=start, end=end, therapist=therapist, room=room)
    if sessions:
        refuse_if_booked(sessions[0].room.salon, sessions, field="start")


@transaction.atomic
def time_off_add(
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    therapist: Therapist | None = None,
    room: Room | None = None,
    reason: str = "",
    by: User | None = None,
) -> TimeOff:
    """A therapist away, or a room out of service, from ``start`` to ``end``,
    entered by a manager (``by``) and so approved at once. Refused, with the
    sessions named, while anything is booked for them then."""
    if (therapist is None) == (room is None):
        raise InvalidInput(
            gettext("Say whose time off it is: a therapist or a room."), fields={"therapist": [gettext("Choose one.")]}
        )
    _check_span(start, end)
    _lock(therapist=therapist, room=room)
    _refuse_over_bookings(start=start, end=end, therapist=therapist, room=room)
    away = TimeOff(
        therapist=therapist,
        room=room,
        start=start,
        end=end,
        reason=reason.strip(),
        status=TimeOff.Status.APPROVED,
        requested_by=by,
        decided_by=by,
        decided_at=timezone.now() if by is not None else None,
    )
    validate(away)
    away.save()
    return away


@transaction.atomic
def time_off_request(
    *, therapist: Therapist, start: datetime.datetime, end: datetime.datetime, reason: str, by: User
) -> TimeOff:
    """A therapist asks for time off. It waits for a manager (status
    requested) and takes no time from availability until approved. Refused
    when it overlaps the therapist's own approved or pending time off, or
    when it is already over."""
    if by.pk != therapist.user_id:
        raise Forbidden(gettext("Therapists ask for their own time off."), code="not_your_time_off")
    _check_span(start, end)
    if end <= timezone.now():
        raise InvalidInput(gettext("That time has already passed."), fields={"end": [gettext("In the past.")]})
    _lock(therapist=therapist)  # two requests at once are checked one after the other
    overlapping = (
        TimeOff.objects.filter(
            therapist=therapist,
            status__in=[TimeOff.Status.REQUESTED, TimeOff.Status.APPROVED],
            start__lt=end,
            end__gt=start,
        )
        .order_by("start")
        .first()
    )
    if overlapping is not None:
        approved = overlapping.status == TimeOff.Status.APPROVED
        already = (
            gettext("You already have time off then.")
            if approved
            else gettext("You have already asked for time off then.")
        )
        raise InvalidInput(
            gettext("You already have time off then; ask your manager to change it.")
            if approved
            else gettext("You have already asked for time off then; withdraw that request first."),
            code="time_off_overlaps",
            fields={"start": [already]},
        )
    away = TimeOff(
        therapist=therapist,
        start=start,
        end=end,
        reason=reason.strip(),
        status=TimeOff.Status.REQUESTED,
        requested_by=by,
    )
    validate(away)
    away.save()
    return away


def _pending(time_off: TimeOff) -> TimeOff:
    """The request re-read and locked, if it still waits for a decision;
    else 409 ``invalid_transition`` saying what became of it."""
    current = TimeOff.objects.select_for_update().filter(pk=time_off.pk).first()
    if current is None:
        raise Conflict(
            gettext("This request was withdrawn or removed; there is nothing to decide."), code="invalid_transition"
        )
    if current.status != TimeOff.Status.REQUESTED:
        raise Conflict(
            gettext("This request has already been %(status)s.") % {"status": current.get_status_display().lower()},
            code="invalid_transition",
        )
    return current


def _decide(*, time_off: TimeOff, status: str, by: User, note: str) -> TimeOff:
    time_off.status = status
    time_off.decided_by = by
    time_off.decided_at = timezone.now()
    time_off.decision_note = note.strip()
    validate(time_off)
    time_off.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _tell_the_therapist(time_off)
    return time_off


def _tell_the_therapist(time_off: TimeOff) -> None:
    # Imported here: the tasks module imports the services (it wraps them).
    from sessions.tasks import time_off_decision_notify

    time_off_decision_notify.delay_on_commit(time_off.pk)


@transaction.atomic
def time_off_approve(*, time_off: TimeOff, by: User, note: str = "") -> TimeOff:
    """Approve a request: from now on it takes the time from availability.
    Refused (409 ``bookings_in_the_way``, the sessions named) while sessions
    are booked then; the desk moves them first. The therapist is emailed."""
    if time_off.therapist_id is not None:  # lock as booking does, before anything else
        _lock(therapist=time_off.therapist)
    current = _pending(time_off)
    _refuse_over_bookings(start=current.start, end=current.end, therapist=current.therapist, room=current.room)
    return _decide(time_off=current, status=TimeOff.Status.APPROVED, by=by, note=note)


@transaction.atomic
def time_off_decline(*, time_off: TimeOff, by: User, note: str = "") -> TimeOff:
    """Decline a request, with a note for the therapist (emailed)."""
    if time_off.therapist_id is not None:
        _lock(therapist=time_off.therapist)
    return _decide(time_off=_pending(time_off), status=TimeOff.Status.DECLINED, by=by, note=note)


@transaction.atomic
def time_off_withdraw(*, time_off: TimeOff, by: User) -> None:
    """The therapist takes back a request that still waits; it is gone.
    Only theirs (403), only while pending (409 ``invalid_transition``)."""
    if time_off.therapist_id is None or time_off.therapist.user_id != by.pk:
        raise Forbidden(gettext("You can withdraw only your own requests."), code="not_your_time_off")
    _pending(time_off).delete()


@transaction.atomic
def time_off_remove(*, time_off: TimeOff) -> None:
    """A manager removes time off (entered, approved or still asked for): the
    time is available again."""
    TimeOff.objects.filter(pk=time_off.pk).delete()


# The decision email.


def time_off_zone(time_off: TimeOff):
    """The zone the time off is told in: the room's location; for a
    therapist, the first location they are assigned to (else the business's)."""
    if time_off.room_id is not None:
        return time_off.room.salon.zone
    therapist = time_off.therapist
    location = therapist.user.locations.order_by("pk").first()
    return location.zone if location is not None else therapist.business.zone


def span_words(start: datetime.datetime, end: datetime.datetime, zone) -> str:
    """``start``–``end`` as people say it, in ``zone``: whole days as days
    ("Mon 3 Mar 2025", "Mon 3 Mar to Wed 5 Mar 2025"), part of a day with its
    times ("Mon 3 Mar 2025, 13:00–17:00")."""
    first, last = start.astimezone(zone), end.astimezone(zone)
    with_year = pgettext("date format: short weekday, date and year", "D j M Y")
    if first.time() == datetime.time(0) and last.time() == datetime.time(0):
        last_day = last.date() - datetime.timedelta(days=1)
        if last_day == first.date():
            return gettext("%(day)s (the whole day)") % {"day": date_format(first, with_year)}
        # The year once, at the end, when both days are in it.
        from_format = (
            pgettext("date format: short weekday and date", "D j M") if first.year == last_day.year else with_year
        )
        return gettext("%(first)s to %(last)s (whole days)") % {
            "first": date_format(first, from_format),
            "last": date_format(last_day, with_year),
        }
    if first.date() == last.date():
        return f"{date_format(first, with_year)}, {first:%H:%M}–{last:%H:%M}"
    return gettext("%(start)s to %(end)s") % {
        "start": f"{date_format(first, with_year)} {first:%H:%M}",
        "end": f"{date_format(last, with_year)} {last:%H:%M}",
    }


def decision_email(time_off: TimeOff) -> EmailMessage | None:
    """The email telling the therapist the decision on their request, or
    None when there is nothing to tell (still pending) or nobody to tell."""
    if time_off.therapist_id is None or time_off.status == TimeOff.Status.REQUESTED:
        return None
    user = time_off.therapist.user
    if not user.email:
        return None
    # In the therapist's own language, else their location's (a task sends it, outside any request).
    language = language_supported(user.language) or language_for_location(user.locations.order_by("pk").first())
    with translation.override(language):
        subject, body = _decision_words(time_off)
    return EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email])


def _decision_words(time_off: TimeOff) -> tuple[str, str]:
    when = span_words(time_off.start, time_off.end, time_off_zone(time_off))
    decider = time_off.decided_by
    manager = (decider.get_full_name() or decider.username) if decider is not None else gettext("A manager")
    if time_off.status == TimeOff.Status.APPROVED:
        subject = gettext("Your time off is approved")
        outcome = gettext("%(manager)s has approved your time off: %(when)s.\n\nThe desk will not book you then.")
    else:
        subject = gettext("Your time off was not approved")
        outcome = gettext(
            "%(manager)s has declined your request for time off: %(when)s.\n\n"
            "You are still on the rota then. Talk to your manager if you need to."
        )
    lines = [
        gettext("Hello %(name)s,") % {"name": time_off.therapist.display_name},
        "",
        outcome % {"manager": manager, "when": when},
    ]
    if time_off.decision_note:
        lines += ["", gettext("Note from %(manager)s: %(note)s") % {"manager": manager, "note": time_off.decision_note}]
    if time_off.reason:
        lines += ["", gettext("Your reason: %(reason)s") % {"reason": time_off.reason}]
    lines += ["", gettext("You can see all your requests under My day → Time off.")]
    return subject, "\n".join(lines)


def time_off_decision_send(*, time_off_id: int) -> bool:
    """Email the therapist the decision on request ``time_off_id`` as it
    stands now (re-read: removed meanwhile, nothing is sent). True if sent."""
    time_off = (
        TimeOff.objects.select_related("therapist__user", "therapist__business", "decided_by")
        .filter(pk=time_off_id)
        .first()
    )
    email = decision_email(time_off) if time_off is not None else None
    if email is None:
        return False
    email.send()
    logger.info("time off decision sent", extra={"time_off": time_off_id, "status": time_off.status})
    return True
