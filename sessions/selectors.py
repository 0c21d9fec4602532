"""Reads of sessions: availability, a therapist's day, what the last session taught, whose session it is."""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from clients.evaluation import combine
from clients.models import Client
from clients.outcome import ScreeningOutcome
from clients.rules import EVERYWHERE
from clients.selectors import client_outcome
from routines.models import RoutineTemplate
from routines.selectors import routine_spec, routine_timing
from salon.compiled import CompiledForIds, CompiledQuery, prefetched, prefetched_children
from salon.errors import Forbidden, InvalidInput
from salon.inputs import parse_id
from salon.languages import language_supported
from salon.locations import granted_location_ids, location_check
from salon.models import Salon, Therapist, User
from salon.roles import Role, has_role, sees_whole_salon
from salon.selectors import requested_day, therapist_for_user
from sessions.availability import Calendar, Slot, booking_terms, to_minutes
from sessions.availability_cache import remembered
from sessions.models import Appointment, AppointmentChange, PressureFeedback
from sessions.plans import PlanNotPossible, build_plan

MAX_DAYS = 62


def availability(
    *,
    salon: Salon,
    routine: RoutineTemplate,
    first_day: datetime.date,
    last_day: datetime.date,
    therapist_id: int | None = None,
    client: Client | None = None,
    minutes: int | None = None,
    now: datetime.datetime | None = None,
    online: bool = False,
    exclude_appointment: int | None = None,
) -> tuple[list[Slot], str]:
    """Bookable starts for the routine (for ``minutes``, one of its lengths on
    the location's menu; else its default length), and a reason when there
    are none because of the client's screening (worded for the front desk).
    ``online``: with the notice and horizon of online bookings;
    ``exclude_appointment``: as if that booking were not there (moving it)."""
    spec = None
    if client is not None:
        spec = routine_spec(routine)
        terms = booking_terms(spec, salon, minutes=minutes)
        try:
            build_plan(routine=spec, outcome=client_outcome(client), booked_minutes=terms.session_minutes)
        except PlanNotPossible as refused:
            if refused.code == "core_step_lost":
                return [], _(
                    "For this client the routine would lose a step it cannot do without; choose another routine."
                )
            if refused.code == "booking_too_short":
                return [], _("%(refusal)s Choose a longer length.") % {"refusal": refused.detail}
            return [], _("A therapist must review this client's health screening before this routine can be booked.")
    now = now or timezone.now()
    # Online bookings have their own notice and horizon (salon settings).
    notice = salon.online_notice_minutes if online else salon.min_notice_minutes
    horizon = salon.online_horizon_days if online else salon.booking_horizon_days
    earliest = to_minutes(now + datetime.timedelta(minutes=notice))
    latest_start = to_minutes(now + datetime.timedelta(days=horizon))

    def compute() -> list[Slot]:
        # The durations: read alone unless the whole spec was read for the client's plan.
        timing = spec or routine_timing(routine)
        terms = booking_terms(timing, salon, minutes=minutes)
        calendar = Calendar.load(
            salon=salon,
            first_day=first_day,
            last_day=last_day,
            qualification=timing.qualification,
            therapist_id=therapist_id,
            exclude_appointment=exclude_appointment,
        )
        return calendar.slots(
            first_day=first_day,
            last_day=last_day,
            slot_minutes=terms.slot_minutes,
            session_minutes=terms.session_minutes,
            earliest=earliest,
            latest_start=latest_start,
        )

    # Everything the slots depend on besides the stamp and the minute (sessions.availability_cache):
    # the routine version's steps and the menu's lengths count into the stamp.
    question = ("slots", routine.pk, minutes, first_day, last_day, therapist_id, exclude_appointment, earliest,
                latest_start)  # fmt: skip
    return remembered(salon=salon, question=question, now=now, compute=compute), ""


NOTED_VERDICTS = (
    PressureFeedback.Verdict.TOO_STRONG,
    PressureFeedback.Verdict.TOO_LIGHT,
    PressureFeedback.Verdict.RIGHT,
)


def _last_completed(client: int):
    """A client's last completed session with its feedback and notes, and
    which verdicts the therapist noted during it (``noted_<verdict>``)."""
    noted = {
        f"noted_{verdict}": Exists(PressureFeedback.objects.filter(appointment=OuterRef("pk"), verdict=verdict))
        for verdict in NOTED_VERDICTS
    }
    return (
        Appointment.objects.filter(client=client, status=Appointment.Status.COMPLETED)
        .select_related("feedback", "note", "room__salon")
        .annotate(**noted)
        .order_by("-start")[:1]
    )


# Every plan built and every session started reads it (its SQL, with three
# subqueries, cost more to build than to run): compiled once, only the client's id changes.
_LAST_COMPLETED = CompiledQuery(_last_completed, client=-1)  # no client's id


def last_session_lessons(client: Client) -> ScreeningOutcome:
    """What the last completed session taught, as an outcome to combine with
    the screening's: pressure that was too strong is capped, pressure that was
    too light or right is noted, and the therapist's advice is repeated."""
    Verdict = PressureFeedback.Verdict
    last = next(iter(_LAST_COMPLETED.objects(client=client.pk)), None)
    if last is None:
        return ScreeningOutcome()
    verdicts = [verdict for verdict in NOTED_VERDICTS if getattr(last, f"noted_{verdict}")]
    said = getattr(last, "feedback", None)  # None when the client gave none
    if said and said.pressure:
        verdicts.append(said.pressure)
    # The day at the location, as the session page's "Last time (5 Dec, Anna)" writes it.
    day = timezone.localtime(last.start, last.room.salon.zone)
    when = date_format(day, pgettext("date format: day and short month", "j M"))
    lines = []
    max_pressure = None
    reasons = {}
    if Verdict.TOO_STRONG in verdicts:
        max_pressure = "medium"
        lines.append(_("Last time (%(when)s) the pressure felt too strong: medium at most this time.") % {"when": when})
        reasons = {EVERYWHERE: _("it felt too strong last time (%(when)s)") % {"when": when}}
    elif Verdict.TOO_LIGHT in verdicts:
        lines.append(
            _("Last time (%(when)s) the pressure felt too light: start a little firmer where allowed.") % {"when": when}
        )
    elif Verdict.RIGHT in verdicts:
        lines.append(_("Last time (%(when)s) the pressure suited: start there.") % {"when": when})
    note = getattr(last, "note", None)
    advice = note.advice.strip() if note else ""
    if advice:
        lines.append(_("Advice from last time: %(advice)s") % {"advice": advice})
    if said:
        comment = f": “{said.comment.strip()}”" if said.comment.strip() else ""
        lines.append(
            _("The client rated last time %(overall)s/5%(comment)s") % {"overall": said.overall, "comment": comment}
        )
    return ScreeningOutcome(max_pressure=max_pressure, limit_reasons=reasons, precautions=tuple(lines))


def outcome_with_lessons(client: Client, outcome: ScreeningOutcome) -> ScreeningOutcome:
    """The screening's outcome together with what the last session taught."""
    return combine([outcome, last_session_lessons(client)])


def appointments_visible_to(user, appointments):
    """Of ``appointments``, those ``user`` may see: for the front desk and
    managers, all at the locations they are granted; a therapist's own for a
    therapist, wherever they were. Filtered in the query."""
    if sees_whole_salon(user):
        granted = granted_location_ids(user)
        return appointments if granted is None else appointments.filter(room__salon__in=granted)
    if has_role(user, Role.THERAPIST):
        return appointments.filter(therapist__user=user)
    return appointments.none()


def _own_session(user, appointment: Appointment) -> bool:
    return appointment.therapist.user_id == user.pk


def appointment_for(*, user, appointment: Appointment) -> Appointment:
    """The appointment, when ``user`` may see it: another therapist's, or one
    at a location the user is not granted, is 403."""
    if _own_session(user, appointment):
        return appointment
    if not sees_whole_salon(user):
        raise Forbidden(_("This is another therapist's session."))
    location_check(user=user, location=appointment.room.salon)
    return appointment


# The desk's changes to an appointment (move, cancel, check in) read it this way, with
# what deciding who may change it and the answer read: compiled once, only the id changes.
_SHOWN = CompiledQuery(
    lambda pk: (
        Appointment.objects.select_related("client", "therapist", "room__salon", "routine").filter(pk=pk).order_by()[:1]
    ),
    pk=-1,  # no appointment's id
)
_HISTORY = CompiledQuery(lambda pk: AppointmentChange.objects.select_related("by").filter(appointment_id=pk), pk=-1)


def appointment_shown(*, pk: int) -> Appointment | None:
    """The appointment with its client, therapist, room with its location and
    routine, in one query (None when there is none)."""
    found = _SHOWN.objects(pk=pk)
    return found[0] if found else None


def appointment_history_read(appointment: Appointment) -> Appointment:
    """``appointment`` with its history (``changes``, each with who made it)
    read in one query and kept as ``prefetch_related`` keeps it."""
    prefetched(appointment, "changes", _HISTORY.objects(pk=appointment.pk))
    return appointment


# The API's list reads the histories of a page of appointments this way: one query,
# compiled once per size of page (the prefetch built its query again on every call).
_HISTORIES = CompiledForIds(lambda ids: AppointmentChange.objects.select_related("by").filter(appointment_id__in=ids))


def appointments_history_read(appointments: list[Appointment]) -> list[Appointment]:
    """Each of ``appointments`` with its history, as :func:`appointment_history_read`
    keeps it, in one query for them all (none for none)."""
    history = _HISTORIES.objects([appointment.pk for appointment in appointments])
    prefetched_children(appointments, "changes", history, parent_field="appointment")
    return appointments


def session_of(*, user, appointment: Appointment) -> Appointment:
    """The appointment, when it is the user's own session (managers: any at
    their locations)."""
    if _own_session(user, appointment):
        return appointment
    if not has_role(user, Role.MANAGER):
        raise Forbidden(_("This is another therapist's session."))
    location_check(user=user, location=appointment.room.salon)
    return appointment


def day_therapist(*, user, wanted: str | None) -> Therapist:
    """Whose day to show: ``wanted`` (a therapist id, for managers), else the
    user's own; a manager who is no therapist sees the first active one."""
    own = therapist_for_user(user)
    wanted_id = parse_id(wanted, field="therapist")
    if wanted_id is not None and (own is None or wanted_id != own.pk):
        if not has_role(user, Role.MANAGER):
            raise Forbidden(_("Therapists see their own day."))
        chosen = Therapist.objects.select_related("business").filter(pk=wanted_id).first()
        if chosen is None:
            raise InvalidInput(_("No such therapist."), fields={"therapist": [_("No such therapist.")]})
        return chosen
    if own is not None:
        return own
    first = Therapist.objects.select_related("business").filter(active=True).order_by("display_name").first()
    if first is None or not has_role(user, Role.MANAGER):
        raise Forbidden(_("Only therapists have a day here."))
    return first


def therapist_day_seen_by(*, user, therapist, location: Salon, date: str | None) -> tuple[datetime.date, list[dict]]:
    """The day (``?date=``, else today, in ``location``'s zone) of
    ``therapist`` as ``user`` may see it: their own day wherever they
    worked; a manager looking at another's day sees only the locations the
    manager is granted."""
    day = requested_day(date, salon=location)
    at = None if therapist.user_id == user.pk else granted_location_ids(user)
    return day, therapist_day(therapist=therapist, day=day, zone=location.zone, at=at)


def _day_sessions(therapist: int, since: datetime.datetime, until: datetime.datetime, at=None):
    appointments = Appointment.objects.filter(therapist_id=therapist, start__gte=since, start__lt=until)
    if at is not None:
        appointments = appointments.filter(room__salon__in=at)
    return (
        appointments.exclude(status=Appointment.Status.CANCELLED)
        .select_related("client__business", "room__salon", "routine", "plan")
        .defer(*DAY_UNREAD)
        .order_by("start")
    )


# No time of any session: a marker for the compiled queries below.
_NO_TIME = datetime.datetime(1901, 1, 1, tzinfo=datetime.UTC)
# Every day page reads it: compiled once (building it cost more than running it). Times as
# markers on PostgreSQL only (SQLite's are text); a manager's look at a part of the day takes the ORM's way.
_DAY_SESSIONS = CompiledQuery(_day_sessions, therapist=-1, since=_NO_TIME, until=_NO_TIME + datetime.timedelta(days=1))


def therapist_day(*, therapist, day: datetime.date, zone: ZoneInfo, at: frozenset[int] | None = None) -> list[dict]:
    """A therapist's sessions of one day (in ``zone``) at every location, or
    only at the locations ``at``, with everything the day page shows, in a
    fixed number of queries whatever the number of sessions."""
    since = datetime.datetime.combine(day, datetime.time(0), tzinfo=zone)
    until = since + datetime.timedelta(days=1)
    if at is None and connection.vendor == "postgresql":
        appointments = _DAY_SESSIONS.objects(therapist=therapist.pk, since=since, until=until)
    else:
        appointments = list(_day_sessions(therapist.pk, since, until, at))
    return _session_entries(appointments, before=since)


# What the day leaves unread of each session's routine (its name and its
# translations are shown) and plan (the routine as it was is kept for the
# record): not loaded, nor decoded. Reading one would cost a query per session.
DAY_UNREAD = (
    *(
        f"routine__{field.name}"
        for field in RoutineTemplate._meta.concrete_fields
        if field.name not in {"id", "name", "translations"}
    ),
    "plan__routine_snapshot",
)


def session_entry(appointment: Appointment) -> dict:
    """One session with everything the session page shows beside the table:
    the same facts as its entry on "my day"."""
    return _session_entries([appointment], before=appointment.start)[0]


PAIN_VISITS_SHOWN = 6


def _last_visits_query(clients: list[int], before: datetime.datetime):
    latest = (
        Appointment.objects.filter(client=OuterRef("pk"), status=Appointment.Status.COMPLETED, start__lt=before)
        .order_by("-start", "-pk")
        .values("pk")[:1]
    )
    latest_ids = Client.objects.filter(pk__in=clients).values(last=Subquery(latest))
    # What the day shows of the visit: when, with whom, its notes and (read apart) its pressure feedback.
    return (
        Appointment.objects.filter(pk__in=latest_ids)
        .select_related("note", "therapist")
        .only("start", "client_id", "therapist__display_name", "note__client_reported", "note__therapist_found",
              "note__work_done", "note__advice")
    )  # fmt: skip


_LAST_VISITS = CompiledForIds(_last_visits_query, before=_NO_TIME)
_PRESSURE_FEEDBACK = CompiledForIds(lambda visits: PressureFeedback.objects.filter(appointment_id__in=visits))


def pressure_feedback_of(appointment: Appointment) -> list[PressureFeedback]:
    """What the client has said of the pressure in this session so far, in
    order (one query, compiled once: the session page reads it every time)."""
    return _PRESSURE_FEEDBACK.objects([appointment.pk])


def _last_visits(clients: list[Client], *, before: datetime.datetime) -> list[Appointment]:
    """Each client's latest completed visit before ``before``, with its notes
    and pressure feedback: one row per client in one query (and one for the
    feedback), however long the clients' histories."""
    ids = sorted(client.pk for client in clients)
    if connection.vendor == "postgresql":  # SQLite's times cannot be markers
        visits = _LAST_VISITS.objects(ids, before=before)
    else:
        visits = list(_last_visits_query(ids, before))
    feedback = _PRESSURE_FEEDBACK.objects([visit.pk for visit in visits])
    prefetched_children(visits, "pressure_feedback", feedback, parent_field="appointment")
    return visits


def _session_entries(appointments: list[Appointment], *, before: datetime.datetime) -> list[dict]:
    from clients.bodychart import chart_views, point_labels
    from clients.painchart import pain_trend
    from clients.selectors import client_outcomes, latest_screenings, outcome_flags, pain_histories

    clients = list({appointment.client_id: appointment.client for appointment in appointments}.values())
    screenings = latest_screenings(clients)
    pains = pain_histories(clients, until=max((appointment.start for appointment in appointments), default=None))
    outcomes = client_outcomes(clients, screenings=screenings)
    last_visit = {visit.client_id: visit for visit in _last_visits(clients, before=before)}
    entries = []
    previous_end = None
    for appointment in appointments:
        screening = screenings.get(appointment.client_id)
        # A session booked without a plan (online, see session_plan_or_problem)
        # shows the findings of the screening as it is now.
        plan_outcome = appointment.plan.outcome if appointment.plan else outcomes[appointment.client_id].to_dict()
        needs_review = bool(appointment.plan_problem) or any(
            finding["severity"] == "review" for finding in plan_outcome.get("findings", [])
        )
        pain_map = screening.pain_map if screening else []
        pain_visits = [visit for visit in pains[appointment.client_id] if visit.start <= appointment.start]
        entries.append(
            {
                "appointment": appointment,
                "plan": appointment.plan.plan if appointment.plan else None,
                "plan_change": appointment.plan.change_note if appointment.plan else "",
                "flags": outcome_flags(outcomes[appointment.client_id]),
                "findings": plan_outcome.get("findings", []),
                "needs_review": needs_review and appointment.review_acknowledged_at is None,
                "allergies": screening.allergies if screening else "",
                "chart": chart_views(pain_map),
                "pain_points": point_labels(pain_map),
                "last_visit": last_visit.get(appointment.client_id),
                # The latest visits, up to this one, and how the pain before them went.
                "pain_visits": pain_visits[-PAIN_VISITS_SHOWN:],
                "pain_trend": pain_trend(pain_visits),
                "gap_minutes": int((appointment.start - previous_end).total_seconds() // 60) if previous_end else None,
                "turnover_minutes": int((appointment.busy_until - appointment.end).total_seconds() // 60),
            }
        )
        previous_end = appointment.busy_until
    return entries


# Words for the desk and the staff API: that a therapist must look first, never why.
SCREENING_REVIEW_FLAG = {"code": "screening_review", "label": "Screening needs review before this session"}


def booking_flags(appointment: Appointment) -> list[dict]:
    """The flags of one booking (beside its client's screening flags), read
    from the row alone: no query."""
    return [SCREENING_REVIEW_FLAG] if appointment.screening_review_needed else []


def client_cancel_deadline(appointment: Appointment) -> datetime.datetime:
    """Until when the client may cancel through the link in their messages."""
    return appointment.start - datetime.timedelta(hours=appointment.room.salon.client_cancel_hours)


CALENDAR_FEED_PAST_DAYS = 7
CALENDAR_FEED_DAYS_AHEAD = 90
CALENDAR_FEED_STATUSES = (
    Appointment.Status.BOOKED,
    Appointment.Status.CHECKED_IN,
    Appointment.Status.IN_PROGRESS,
    Appointment.Status.COMPLETED,
)


def calendar_feed_language(therapist) -> str:
    """The language the therapist's feed is written in: their own choice,
    else the first of their locations, else their business's first one (a
    calendar app's Accept-Language says nothing of who reads it). One query."""
    by_name = Salon.objects.order_by("name", "pk").values("language")
    own, location = (
        User.objects.filter(pk=therapist.user_id)
        .annotate(
            location_language=Coalesce(
                Subquery(by_name.filter(staff=OuterRef("pk"))[:1]),
                Subquery(by_name.filter(business=therapist.business_id)[:1]),
            )
        )
        .values_list("language", "location_language")
        .get()
    )
    return language_supported(own) or language_supported(location) or settings.LANGUAGE_CODE


def therapist_calendar_feed(*, therapist, now: datetime.datetime | None = None):
    """The therapist's sessions for their phone's calendar: the coming
    90 days, and the last week so a look back still finds them. Cancelled
    and missed sessions are left out, so they disappear on the next refresh."""
    zone = therapist.business.zone
    today = (now or timezone.now()).astimezone(zone).date()
    since = datetime.datetime.combine(
        today - datetime.timedelta(days=CALENDAR_FEED_PAST_DAYS), datetime.time(), tzinfo=zone
    )
    until = since + datetime.timedelta(days=CALENDAR_FEED_PAST_DAYS + CALENDAR_FEED_DAYS_AHEAD + 1)
    return (
        Appointment.objects.filter(
            therapist=therapist, status__in=CALENDAR_FEED_STATUSES, start__gte=since, start__lt=until
        )
        .select_related("client", "room__salon")
        .order_by("start", "pk")
    )
