"""Use cases of sessions: plans, booking, rescheduling and status changes.

Booking on PostgreSQL is guarded three times: the therapist (and room) rows
are locked before the checks, so concurrent bookings of one therapist queue
instead of deadlocking on the exclusion constraint; the checks give precise
errors; and the exclusion constraints refuse whatever slips through. On
SQLite, transactions are IMMEDIATE, so the check and the insert are never
interleaved with another writer.
"""

import datetime

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from clients.models import Client
from clients.outcome import ScreeningOutcome
from clients.rules import combine
from clients.selectors import client_outcome, screening_latest
from clients.services import client_create, intake_submit, screening_clear, screening_create
from routines.models import RoutineTemplate
from routines.selectors import routine_spec
from salon.errors import Conflict, InvalidInput
from salon.models import Room, Therapist
from sessions import outbox
from sessions.availability import Calendar, booking_lengths, fits, to_minutes
from sessions.models import Appointment, AppointmentChange, Feedback, PressureFeedback, SessionNote, SessionPlan
from sessions.plans import PlanNotPossible, build_plan

# Constraint violations that mean "someone else got there first".
CONFLICT_PGCODES = {"23P01", "40P01"}  # exclusion_violation, deadlock_detected
TRANSITIONS = {
    Appointment.Status.BOOKED: {
        Appointment.Status.CHECKED_IN,
        Appointment.Status.CANCELLED,
        Appointment.Status.NO_SHOW,
    },
    Appointment.Status.CHECKED_IN: {
        Appointment.Status.IN_PROGRESS,
        Appointment.Status.CANCELLED,
        Appointment.Status.NO_SHOW,
    },
    Appointment.Status.IN_PROGRESS: {Appointment.Status.COMPLETED},
}


@transaction.atomic
def session_plan_create(*, routine: RoutineTemplate, outcome: ScreeningOutcome, booked_minutes: int) -> SessionPlan:
    """Build a plan and keep it with copies of everything it was built from."""
    spec = routine_spec(routine)
    plan = build_plan(routine=spec, outcome=outcome, booked_minutes=booked_minutes)
    session_plan = SessionPlan(
        routine=routine,
        booked_minutes=booked_minutes,
        routine_snapshot=spec.to_dict(),
        outcome=outcome.to_dict(),
        plan=plan.to_dict(),
    )
    session_plan.full_clean()
    session_plan.save()
    return session_plan


def _local(moment: datetime.datetime, zone) -> str:
    return moment.astimezone(zone).strftime("%a %d %b %H:%M")


def _check_time(*, start: datetime.datetime, salon, now: datetime.datetime) -> None:
    if timezone.is_naive(start):
        raise InvalidInput("Give the start with its UTC offset.", code="invalid", fields={"start": ["No offset."]})
    if start < now:
        raise InvalidInput("That time has passed.", code="in_the_past", fields={"start": ["In the past."]})
    if start < now + datetime.timedelta(minutes=salon.min_notice_minutes):
        raise InvalidInput(
            f"Bookings need {salon.min_notice_minutes} minutes' notice.",
            code="too_short_notice",
            fields={"start": ["Too soon."]},
        )
    if start > now + datetime.timedelta(days=salon.booking_horizon_days):
        raise InvalidInput(
            f"Bookings open {salon.booking_horizon_days} days ahead.",
            code="too_far_ahead",
            fields={"start": ["Too far ahead."]},
        )
    local = start.astimezone(salon.zone)
    if local.second or local.microsecond or (local.hour * 60 + local.minute) % salon.slot_minutes:
        raise InvalidInput(
            f"Bookings start on the {salon.slot_minutes}-minute grid.",
            code="not_on_grid",
            fields={"start": [f"Use a time on the {salon.slot_minutes}-minute grid."]},
        )


def last_session_lessons(client: Client) -> ScreeningOutcome:
    """What the last completed session taught, as an outcome to combine with
    the screening's: pressure that was too strong is capped, pressure that was
    too light or right is noted, and the therapist's advice is repeated."""
    last = (
        Appointment.objects.filter(client=client, status=Appointment.Status.COMPLETED)
        .prefetch_related("pressure_feedback")
        .order_by("-start")
        .first()
    )
    if last is None:
        return ScreeningOutcome()
    verdicts = [feedback.verdict for feedback in last.pressure_feedback.all()]
    said = Feedback.objects.filter(appointment=last).first()
    if said and said.pressure:
        verdicts.append(said.pressure)
    when = last.start.strftime("%d %b")
    lines = []
    max_pressure = None
    if "too_strong" in verdicts:
        max_pressure = "medium"
        lines.append(f"Last time ({when}) the pressure felt too strong: medium at most this time.")
    elif "too_light" in verdicts:
        lines.append(f"Last time ({when}) the pressure felt too light: start a little firmer where allowed.")
    elif "right" in verdicts:
        lines.append(f"Last time ({when}) the pressure suited: start there.")
    note = SessionNote.objects.filter(appointment=last).first()
    advice = note.advice.strip() if note else ""
    if advice:
        lines.append(f"Advice from last time: {advice}")
    if said:
        comment = f": “{said.comment.strip()}”" if said.comment.strip() else ""
        lines.append(f"The client rated last time {said.overall}/5{comment}")
    return ScreeningOutcome(max_pressure=max_pressure, precautions=tuple(lines))


def _with_lessons(client: Client, outcome: ScreeningOutcome) -> ScreeningOutcome:
    return combine([outcome, last_session_lessons(client)])


def _plan_for(*, client: Client, spec, session_minutes: int):
    salon = client.salon
    if salon.screening_required:
        latest = screening_latest(client)
        outcome = client_outcome(client)
        if latest is None or any(finding.rule == "screening_expired" for finding in outcome.findings):
            raise InvalidInput(
                "This salon needs a current health screening before the first visit; send the client the form.",
                code="screening_required",
            )
    outcome = _with_lessons(client, client_outcome(client))
    try:
        return outcome, build_plan(routine=spec, outcome=outcome, booked_minutes=session_minutes)
    except PlanNotPossible as refused:
        if refused.code == "booking_too_short":
            raise
        # The front desk learns only that a therapist must look, never why.
        raise InvalidInput(
            "This routine cannot be booked for this client until a therapist has reviewed the health screening.",
            code="contraindicated",
        ) from None


def _qualified(therapist: Therapist, qualification: str) -> bool:
    return {
        "none": True,
        "therapeutic": therapist.qualified_therapeutic,
        "pregnancy": therapist.qualified_pregnancy,
    }[qualification]


def _clash(*, field: str, value: int, start, busy_until, exclude: int | None):
    clashes = Appointment.objects.filter(
        **{field: value}, status__in=Appointment.ACTIVE, start__lt=busy_until, busy_until__gt=start
    )
    if exclude:
        clashes = clashes.exclude(pk=exclude)
    return clashes.order_by("start").first()


def _overlaps(intervals, begin: int, finish: int) -> bool:
    return any(start < finish and begin < end for start, end in intervals)


def _place(
    *,
    client: Client,
    spec,
    start: datetime.datetime,
    therapist: Therapist | None,
    room: Room | None,
    exclude: int | None = None,
) -> tuple[Therapist, Room, datetime.datetime, datetime.datetime]:
    """Choose (or check) the therapist and room for [start, start + slot),
    lock them, and return them with the session's end and busy-until."""
    salon = client.salon
    slot_minutes, session_minutes = booking_lengths(spec, salon)
    end = start + datetime.timedelta(minutes=session_minutes)
    busy_until = start + datetime.timedelta(minutes=slot_minutes)
    day = start.astimezone(salon.zone).date()
    begin, finish = to_minutes(start), to_minutes(busy_until)
    when = _local(start, salon.zone)
    calendar = Calendar.load(
        salon=salon, first_day=day, last_day=day, therapist_id=therapist.pk if therapist else None,
        exclude_appointment=exclude,
    )  # fmt: skip

    if therapist is not None:
        if therapist.salon_id != salon.pk or not therapist.active:
            raise InvalidInput("That therapist does not work here.", code="invalid", fields={"therapist": ["Unknown."]})
        if not _qualified(therapist, spec.qualification):
            raise InvalidInput(
                f"{therapist.display_name} is not qualified for {spec.name}.",
                code="not_qualified",
                fields={"therapist": ["Not qualified for this routine."]},
            )
        if not fits(calendar.therapist_on_duty(therapist, day), begin, finish):
            raise InvalidInput(
                f"{therapist.display_name} is not working at {when} for the whole session and turnover.",
                code="outside_working_hours",
                fields={"start": ["Outside working hours."]},
            )
        chosen = therapist
    else:
        on_duty = [
            candidate
            for candidate in calendar.therapists
            if _qualified(candidate, spec.qualification)
            and fits(calendar.therapist_on_duty(candidate, day), begin, finish)
        ]
        if not on_duty:
            raise InvalidInput(
                f"No qualified therapist works at {when}.", code="outside_working_hours", fields={"start": ["Closed."]}
            )
        free = [c for c in on_duty if not _overlaps(calendar.therapist_booked.get(c.pk, []), begin, finish)]
        if not free:
            raise Conflict(f"Every qualified therapist is busy at {when}.", code="therapist_busy")
        chosen = free[0]

    # Lock before checking: concurrent bookings of this therapist queue here
    # instead of deadlocking on the exclusion constraint.
    Therapist.objects.select_for_update().filter(pk=chosen.pk).first()
    clash = _clash(field="therapist_id", value=chosen.pk, start=start, busy_until=busy_until, exclude=exclude)
    if clash:
        raise Conflict(
            f"{chosen.display_name} is busy from {_local(clash.start, salon.zone)} "
            f"to {clash.busy_until.astimezone(salon.zone):%H:%M} (with turnover).",
            code="therapist_busy",
            fields={"start": ["Therapist busy."]},
        )

    if room is not None:
        if room.salon_id != salon.pk or not room.active:
            raise InvalidInput("That room is not in use.", code="invalid", fields={"room": ["Unknown."]})
        candidates = [room]
    else:
        candidates = [
            candidate
            for candidate in calendar.rooms
            if not _overlaps(calendar.room_booked.get(candidate.pk, []), begin, finish)
        ]
    for candidate in candidates:
        if not fits(calendar.room_in_use(candidate, day), begin, finish):
            continue
        Room.objects.select_for_update().filter(pk=candidate.pk).first()
        clash = _clash(field="room_id", value=candidate.pk, start=start, busy_until=busy_until, exclude=exclude)
        if clash is None:
            return chosen, candidate, end, busy_until
        if room is not None:
            raise Conflict(
                f"{candidate.name} is taken from {_local(clash.start, salon.zone)} "
                f"to {clash.busy_until.astimezone(salon.zone):%H:%M}.",
                code="room_busy",
                fields={"room": ["Room busy."]},
            )
    raise Conflict(f"No room is free at {when}.", code="room_busy", fields={"room": ["No room free."]})


def _conflicts_as_409(function):
    """Exclusion violations and deadlocks mean a concurrent booking won: 409."""

    def wrapped(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except (IntegrityError, OperationalError) as error:
            code = getattr(getattr(error, "__cause__", None), "sqlstate", None)
            if code not in CONFLICT_PGCODES:
                raise
            raise Conflict("Someone booked that time a moment ago; pick another.", code="therapist_busy") from None

    wrapped.__doc__ = function.__doc__
    wrapped.__name__ = function.__name__
    return wrapped


@_conflicts_as_409
@transaction.atomic
def appointment_book(
    *,
    client: Client,
    routine: RoutineTemplate,
    start: datetime.datetime,
    therapist: Therapist | None = None,
    room: Room | None = None,
    booked_by=None,
    now: datetime.datetime | None = None,
) -> Appointment:
    """Book a session, building its plan from the routine and the client's
    screening in the same transaction."""
    salon = client.salon
    if client.archived:
        raise Conflict("This client is archived; restore the client first.", code="client_archived")
    _check_time(start=start, salon=salon, now=now or timezone.now())
    start = start.astimezone(datetime.UTC)  # adding minutes to a zoned time would add wall-clock time
    spec = routine_spec(routine)
    _, session_minutes = booking_lengths(spec, salon)
    outcome, plan = _plan_for(client=client, spec=spec, session_minutes=session_minutes)
    therapist, room, end, busy_until = _place(client=client, spec=spec, start=start, therapist=therapist, room=room)
    session_plan = SessionPlan.objects.create(
        routine=routine,
        booked_minutes=session_minutes,
        routine_snapshot=spec.to_dict(),
        outcome=outcome.to_dict(),
        plan=plan.to_dict(),
    )
    appointment = Appointment(
        client=client,
        therapist=therapist,
        room=room,
        routine=routine,
        plan=session_plan,
        start=start,
        end=end,
        busy_until=busy_until,
        booked_by=booked_by if getattr(booked_by, "is_authenticated", False) else None,
    )
    appointment.full_clean(validate_constraints=False)
    appointment.save()
    AppointmentChange.objects.create(
        appointment=appointment, kind="booked", to_start=start, to_status=appointment.status, by=appointment.booked_by
    )
    outbox.notifications_for_booking(appointment=appointment, now=now)
    return appointment


@transaction.atomic
def appointment_book_new_client(*, salon, client_fields: dict, **booking) -> Appointment:
    """Add a client at the desk and book them at once; if the booking is
    refused, the new client is not kept either."""
    client = client_create(salon=salon, **client_fields)
    return appointment_book(client=client, **booking)


@_conflicts_as_409
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
    """Move a booked session; its therapist and room stay unless changed or no longer free."""
    appointment = Appointment.objects.select_for_update().select_related("client__salon").get(pk=appointment.pk)
    if appointment.status != Appointment.Status.BOOKED:
        raise Conflict(
            f"A {appointment.get_status_display().lower()} appointment cannot be moved.", code="invalid_transition"
        )
    client = appointment.client
    _check_time(start=start, salon=client.salon, now=now or timezone.now())
    start = start.astimezone(datetime.UTC)
    spec = routine_spec(appointment.routine)
    keep_therapist = therapist or appointment.therapist
    chosen, chosen_room, end, busy_until = _place(
        client=client, spec=spec, start=start, therapist=keep_therapist, room=room, exclude=appointment.pk
    )
    previous = appointment.start
    appointment.start, appointment.end, appointment.busy_until = start, end, busy_until
    appointment.therapist, appointment.room = chosen, chosen_room
    appointment.calendar_sequence += 1
    appointment.save(
        update_fields=["start", "end", "busy_until", "therapist", "room", "calendar_sequence", "updated_at"]
    )
    outbox.notifications_for_reschedule(appointment=appointment, now=now)
    AppointmentChange.objects.create(
        appointment=appointment,
        kind="rescheduled",
        from_start=previous,
        to_start=start,
        by=by if getattr(by, "is_authenticated", False) else None,
    )
    return appointment


@transaction.atomic
def appointment_transition(*, appointment: Appointment, to_status: str, by=None, reason: str = "") -> Appointment:
    """Move an appointment along its life: booked → checked in → in progress →
    completed, or to cancelled / no-show before it starts. The update only
    applies to the row still in the status it was read in."""
    current = appointment.status
    if to_status not in TRANSITIONS.get(current, set()):
        raise Conflict(
            f"A {Appointment.Status(current).label.lower()} appointment cannot become "
            f"{Appointment.Status(to_status).label.lower()}.",
            code="invalid_transition",
        )
    if to_status == Appointment.Status.CANCELLED and not reason.strip():
        raise InvalidInput("Say why it is cancelled.", code="invalid", fields={"reason": ["Required."]})
    fields = {"status": to_status, "updated_at": timezone.now()}
    if to_status == Appointment.Status.CANCELLED:
        fields["cancellation_reason"] = reason.strip()
        fields["calendar_sequence"] = F("calendar_sequence") + 1
    changed = Appointment.objects.filter(pk=appointment.pk, status=current).update(**fields)
    if not changed:
        raise Conflict("Someone changed this appointment a moment ago; reload it.", code="invalid_transition")
    AppointmentChange.objects.create(
        appointment=appointment,
        kind="status",
        from_status=current,
        to_status=to_status,
        reason=reason.strip(),
        by=by if getattr(by, "is_authenticated", False) else None,
    )
    appointment.refresh_from_db()
    if to_status in {Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW}:
        outbox.notifications_for_cancellation(appointment=appointment)
    elif to_status == Appointment.Status.COMPLETED:
        outbox.notifications_for_completion(appointment=appointment)
    return appointment


@transaction.atomic
def appointment_cancel_by_client(*, link, reason: str = "", now: datetime.datetime | None = None) -> Appointment:
    """The client cancels through the link in a confirmation, reminder or
    reschedule notice: a booked appointment, until the salon's
    ``client_cancel_hours`` before it. The link is spent, and the usual
    cancellation notice (with ``METHOD:CANCEL``) goes out."""
    from clients.links import LinkRefused
    from clients.services import client_link_spend
    from sessions.selectors import client_cancel_deadline

    now = now or timezone.now()
    # Locked, as a reschedule locks it: a move into the cut-off cannot slip in between.
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("client__salon")
        .filter(pk=link.reference, client_id=link.client_id)
        .first()
    )
    if appointment is None:
        raise LinkRefused("This link is not valid.", code="link_invalid")
    if appointment.status != Appointment.Status.BOOKED:
        raise Conflict(
            f"This appointment is {appointment.get_status_display().lower()} and can no longer be cancelled online.",
            code="invalid_transition",
        )
    if now > client_cancel_deadline(appointment):
        salon = appointment.client.salon
        raise Conflict(
            f"Online cancelling ends {salon.client_cancel_hours} hours before the appointment; "
            f"please call us{' on ' + salon.phone if salon.phone else ''}.",
            code="too_late_to_cancel",
        )
    client_link_spend(link)
    note = "Cancelled by the client online" + (f": {reason.strip()}" if reason.strip() else ".")
    return appointment_transition(
        appointment=appointment, to_status=Appointment.Status.CANCELLED, reason=note[: Appointment.REASON_LENGTH]
    )


NOT_STARTED = (Appointment.Status.BOOKED, Appointment.Status.CHECKED_IN)


@transaction.atomic
def session_plans_rebuild(*, client: Client, reason: str) -> list[Appointment]:
    """After a new screening or a clearance: rebuild the plans of the client's
    sessions that have not started. Started and completed plans stay frozen.
    A routine the screening now forbids keeps its old plan and says why."""
    outcome = _with_lessons(client, client_outcome(client))
    rebuilt = []
    upcoming = Appointment.objects.select_for_update(of=("self",)).filter(client=client, status__in=NOT_STARTED)
    for appointment in upcoming.select_related("routine", "plan"):
        spec = routine_spec(appointment.routine)
        try:
            plan = build_plan(routine=spec, outcome=outcome, booked_minutes=appointment.plan.booked_minutes)
        except PlanNotPossible as refused:
            appointment.plan_problem = f"{reason}: {refused.detail}"
            appointment.save(update_fields=["plan_problem", "updated_at"])
            continue
        appointment.plan = SessionPlan.objects.create(
            routine=appointment.routine,
            booked_minutes=appointment.plan.booked_minutes,
            routine_snapshot=spec.to_dict(),
            outcome=outcome.to_dict(),
            plan=plan.to_dict(),
            change_note=f"{reason} ({timezone.now():%d %b %H:%M} UTC)",
        )
        appointment.plan_problem = ""
        appointment.review_acknowledged_by = appointment.review_acknowledged_at = None
        appointment.save(update_fields=["plan", "plan_problem", "review_acknowledged_by", "review_acknowledged_at"])
        rebuilt.append(appointment)
    return rebuilt


@transaction.atomic
def session_review_acknowledge(*, appointment: Appointment, by) -> Appointment:
    """The therapist has read the findings that need review for this session."""
    Appointment.objects.filter(pk=appointment.pk).update(
        review_acknowledged_by=by, review_acknowledged_at=timezone.now()
    )
    appointment.refresh_from_db()
    return appointment


@transaction.atomic
def session_start(*, appointment: Appointment, by) -> Appointment:
    """Start a checked-in session. Findings that need review must have been
    acknowledged for this plan; from here on the plan is frozen."""
    outcome = ScreeningOutcome.from_dict(appointment.plan.outcome) if appointment.plan else ScreeningOutcome()
    if (outcome.needs_review or appointment.plan_problem) and appointment.review_acknowledged_at is None:
        raise Conflict("Read and acknowledge the findings that need review before starting.", code="review_required")
    return appointment_transition(appointment=appointment, to_status=Appointment.Status.IN_PROGRESS, by=by)


@transaction.atomic
def session_pressure_record(*, appointment: Appointment, verdict: str, step: int | None = None, area: str = ""):
    """What the client says about the pressure, while the session runs."""
    if appointment.status != Appointment.Status.IN_PROGRESS:
        raise Conflict("Pressure feedback is recorded while the session runs.", code="invalid_transition")
    steps = {entry["order"]: entry for entry in appointment.plan.plan["steps"]}
    if step is not None and step not in steps:
        raise InvalidInput("The plan has no such step.", code="invalid", fields={"step": ["Unknown step."]})
    if area and step is not None and area not in steps[step]["areas"]:
        raise InvalidInput("That step does not work this area.", code="invalid", fields={"area": ["Not in step."]})
    feedback = PressureFeedback(appointment=appointment, verdict=verdict, step=step, area=area)
    feedback.full_clean()
    feedback.save()
    return feedback


NOTE_FIELDS = ["client_reported", "therapist_found", "work_done", "advice"]


@transaction.atomic
def session_notes_save(*, appointment: Appointment, by, **fields) -> SessionNote:
    unknown = set(fields) - set(NOTE_FIELDS)
    if unknown:
        raise InvalidInput("Unknown note fields.", code="invalid", fields={name: ["Unknown."] for name in unknown})
    note, _ = SessionNote.objects.get_or_create(appointment=appointment, defaults={"written_by": by})
    for name, value in fields.items():
        setattr(note, name, value.strip())
    note.written_by = by
    note.full_clean()
    note.save()
    return note


@transaction.atomic
def session_complete(*, appointment: Appointment, by, **notes) -> Appointment:
    """Finish a running session with its structured notes."""
    if not any(value.strip() for value in notes.values()):
        raise InvalidInput("Write at least one note before completing.", code="invalid", fields={"advice": ["Empty."]})
    session_notes_save(appointment=appointment, by=by, **notes)
    return appointment_transition(appointment=appointment, to_status=Appointment.Status.COMPLETED, by=by)


# A changed screening changes the plans of sessions that have not started.
# These compose the clients' services with the rebuild, in one transaction;
# pages and the API call them instead of the plain clients' services.


@transaction.atomic
def screening_create_and_replan(*, client: Client, answers: dict, entered_via: str, entered_by=None):
    screening = screening_create(client=client, answers=answers, entered_via=entered_via, entered_by=entered_by)
    session_plans_rebuild(client=client, reason="New health screening")
    return screening


@transaction.atomic
def screening_clear_and_replan(*, screening, rule: str, cleared_by, note: str):
    clearance = screening_clear(screening=screening, rule=rule, cleared_by=cleared_by, note=note)
    session_plans_rebuild(client=screening.client, reason=f"Cleared by {cleared_by.get_full_name() or cleared_by}")
    return clearance


@transaction.atomic
def intake_submit_and_replan(*, link, answers: dict):
    screening = intake_submit(link=link, answers=answers)
    session_plans_rebuild(client=link.client, reason="The client sent new health answers")
    return screening


FEEDBACK_FIELDS = ["overall", "pain_before", "pain_after", "pressure", "would_book_again", "comment"]


@transaction.atomic
def feedback_submit(*, link, answers: dict):
    """The client's feedback through their link: stored with the appointment,
    the link spent, in one transaction."""
    from clients.services import client_link_spend

    appointment = Appointment.objects.get(pk=link.reference, client_id=link.client_id)
    client_link_spend(link)
    return feedback_record(appointment=appointment, **answers)


@transaction.atomic
def feedback_record(*, appointment: Appointment, **answers):
    if appointment.status != Appointment.Status.COMPLETED:
        raise Conflict("Feedback is for completed sessions.", code="invalid_transition")
    unknown = set(answers) - set(FEEDBACK_FIELDS)
    if unknown:
        raise InvalidInput("Unknown feedback fields.", code="invalid", fields={name: ["Unknown."] for name in unknown})
    if Feedback.objects.filter(appointment=appointment).exists():
        raise Conflict("Feedback for this session is in already.", code="feedback_exists")
    feedback = Feedback(appointment=appointment, **answers)
    feedback.full_clean()
    feedback.save()
    return feedback
