"""Session plans: the one way a plan is made and kept, for a booking, and
rebuilt after the client's screening changes.

A plan is a snapshot: the routine version, the screening outcome (with what
the last session taught) and the built plan are copied into the
``SessionPlan``, so later edits change no past plan.

A plan is written for the therapist who gives the session: its sentences and
its outcome's findings are built in their language (:func:`plan_language`),
which the stored plan records, so that a plan is compared with the
screening as it is now in the words it was written in.
"""

from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from clients.evaluation import combine
from clients.models import Client
from clients.outcome import ScreeningOutcome
from clients.selectors import client_outcome, screening_latest
from routines.content import text_in
from routines.models import RoutineTemplate
from routines.selectors import routine_spec, routine_steps_prefetch
from routines.specs import RoutineSpec
from salon.compiled import CompiledInsert, CompiledQuery
from salon.errors import InvalidInput, validate
from salon.languages import language_for_location, language_supported
from salon.models import Salon, Therapist
from sessions.availability import BookingTerms
from sessions.models import Appointment, SessionPlan
from sessions.plans import PlanNotPossible, RoutineWords, build_plan
from sessions.selectors import outcome_with_lessons

# Words for the front desk: that the routine cannot be itself, not why.
CORE_STEP_LOST = _(
    "For this client the routine would lose a step it cannot do without; choose another routine "
    "(a therapist can say which suits)."
)
REFRESHED = _("The screening as it is now")
# Plans stored before plans recorded their language were built in English.
LANGUAGE_OF_OLDER_PLANS = "en"


def plan_language(appointment: Appointment) -> str:
    """The language of a session's plan: its therapist's own, else the location's."""
    return booking_plan_language(salon=appointment.room.salon, therapist=appointment.therapist)


def booking_plan_language(*, salon: Salon, therapist: Therapist | None = None) -> str:
    """The language of the plan of a session at ``salon``: ``therapist``'s own,
    else the location's (also while no one is placed yet). Placement reads
    her user's language with her row (``language``): no query for it then."""
    own = None
    if therapist is not None:
        own = therapist.language if hasattr(therapist, "language") else therapist.user.language
    return language_supported(own) or language_for_location(salon)


def _built_in(session_plan: SessionPlan) -> str:
    return session_plan.plan.get("language") or LANGUAGE_OF_OLDER_PLANS


def _outcome_now(client: Client) -> ScreeningOutcome:
    """The client's screening as it is now, with what the last session taught, in the active language."""
    return outcome_with_lessons(client, client_outcome(client))


def _routine_words(routine: RoutineTemplate) -> RoutineWords:
    """The routine's words for the plan's sentences in the active language,
    from the steps read for its spec."""
    return RoutineWords(
        name=text_in(routine, "name"),
        oil=text_in(routine, "oil"),
        techniques={step.order: text_in(step.technique, "name") for step in routine.steps.all()},
    )


def session_plan_create(
    *, routine: RoutineTemplate, outcome: ScreeningOutcome, booked_minutes: int, change_note: str = ""
) -> SessionPlan:
    """Build a plan, in the active language (the outcome's words should be in
    it too), and keep it with copies of everything it was built from.
    Raises ``PlanNotPossible`` when the outcome forbids the routine."""
    # Built before the transaction: a refusal has written nothing, so callers that catch it
    # carry on in theirs, and no savepoint is needed around the one insert.
    built = _session_plan_built(
        routine=routine, outcome=outcome, booked_minutes=booked_minutes, change_note=change_note
    )
    return session_plan_save(plan=built)


def _session_plan_built(
    *,
    routine: RoutineTemplate,
    outcome: ScreeningOutcome,
    booked_minutes: int,
    change_note: str = "",
    spec: RoutineSpec | None = None,
) -> SessionPlan:
    """:func:`session_plan_create`'s plan, not yet saved (``spec``: the
    routine's, when the caller built it already)."""
    routine_steps_prefetch(routine)  # the steps read once, for the spec and the words
    spec = routine_spec(routine) if spec is None else spec
    plan = build_plan(routine=spec, outcome=outcome, booked_minutes=booked_minutes, words=_routine_words(routine))
    return SessionPlan(
        routine=routine,
        booked_minutes=booked_minutes,
        routine_snapshot=spec.to_dict(),
        outcome=outcome.to_dict(),
        plan={**plan.to_dict(), "language": language_supported(translation.get_language()) or ""},
        change_note=change_note,
    )


# Every booking writes its plan this way: the INSERT built once.
_NEW_PLAN = CompiledInsert(SessionPlan)


@transaction.atomic(savepoint=False)  # one insert: nothing to undo on its own
def session_plan_save(*, plan: SessionPlan) -> SessionPlan:
    """Keep a plan built for a booking (:func:`session_plan_for_booking`)."""
    # The routine was read by the caller: no query to see it exists. The snapshots are plain data
    # made from the plan's dataclasses (as_plain_data), never empty: checking that they encode would
    # encode them all once more before the insert does (nine tenths of the check's CPU).
    validate(plan, exclude=["routine", "routine_snapshot", "outcome", "plan"])
    _NEW_PLAN.save(plan)
    return plan


def _check_screening_required(client: Client, salon: Salon) -> None:
    if not salon.screening_required:
        return
    latest = screening_latest(client)
    if latest is None or any(finding.rule == "screening_expired" for finding in client_outcome(client).findings):
        raise InvalidInput(
            gettext("This salon needs a current health screening before the first visit; send the client the form."),
            code="screening_required",
        )


# No savepoint: the refusals caught below are raised before anything is written.
@transaction.atomic(savepoint=False)
def session_plan_for_booking(
    *,
    client: Client,
    salon: Salon,
    routine: RoutineTemplate,
    booked_minutes: int,
    outcome: ScreeningOutcome | None = None,
    therapist: Therapist | None = None,
    spec: RoutineSpec | None = None,
) -> SessionPlan:
    """The plan of a new booking at ``salon``, from the client's screening
    (``outcome`` and the routine's ``spec``, when the caller has them already) and last visit, in
    ``therapist``'s language (:func:`booking_plan_language`), not yet saved:
    a booking builds it before placing the therapist, so that a refusal takes
    no lock, and saves it (:func:`session_plan_save`) once she is placed. The
    front desk learns only that a therapist must look, never why."""
    try:
        return _booking_plan(
            client=client,
            salon=salon,
            routine=routine,
            booked_minutes=booked_minutes,
            outcome=outcome,
            language=booking_plan_language(salon=salon, therapist=therapist),
            spec=spec,
        )
    except PlanNotPossible as refused:
        if refused.code == "booking_too_short":
            raise
        if refused.code == "core_step_lost":
            raise InvalidInput(CORE_STEP_LOST, code="core_step_lost") from None
        raise InvalidInput(
            gettext(
                "This routine cannot be booked for this client until a therapist has reviewed the health screening."
            ),
            code="contraindicated",
        ) from None


@transaction.atomic(savepoint=False)  # as session_plan_for_booking
def session_plan_or_problem(
    *,
    client: Client,
    salon: Salon,
    routine: RoutineTemplate,
    booked_minutes: int,
    reason: str | Promise,
    outcome: ScreeningOutcome | None = None,
    therapist: Therapist | None = None,
    spec: RoutineSpec | None = None,
) -> tuple[SessionPlan | None, str]:
    """The plan of a new booking the location takes whatever the screening
    says (an online booking, when its settings allow), as
    :func:`session_plan_for_booking` builds it: the plan, or, when the
    screening rules the routine out, no plan and the problem for the
    therapist ("``reason``: why", in the plan's language: give ``reason``
    lazily, e.g. ``format_lazy``), to be kept as the booking's ``plan_problem``.
    A booking too short for the routine is still refused: that is no
    screening's doing."""
    language = booking_plan_language(salon=salon, therapist=therapist)
    try:
        plan = _booking_plan(
            client=client,
            salon=salon,
            routine=routine,
            booked_minutes=booked_minutes,
            outcome=outcome,
            language=language,
            spec=spec,
        )
        return plan, ""
    except PlanNotPossible as refused:
        if refused.code == "booking_too_short":
            raise
        limit = Appointment._meta.get_field("plan_problem").max_length
        with translation.override(language):  # as the refusal's words (_booking_plan)
            return None, _fit(f"{reason}: {refused.detail}", length=limit)


def _booking_plan(
    *,
    client: Client,
    salon: Salon,
    routine: RoutineTemplate,
    booked_minutes: int,
    outcome: ScreeningOutcome | None,
    language: str,
    spec: RoutineSpec | None = None,
) -> SessionPlan:
    _check_screening_required(client, salon)
    if language_supported(translation.get_language()) != language:
        outcome = None  # the caller's words: read again in the plan's
    try:
        with translation.override(language):
            outcome = _with_lessons(client, client_outcome(client) if outcome is None else outcome)
            return _session_plan_built(routine=routine, outcome=outcome, booked_minutes=booked_minutes, spec=spec)
    except PlanNotPossible as refused:
        if refused.code == "booking_too_short":
            # Whoever books reads this refusal: built again in their language.
            spec = routine_spec(routine) if spec is None else spec
            build_plan(routine=spec, outcome=outcome, booked_minutes=booked_minutes)
        raise


def _with_lessons(client: Client, outcome: ScreeningOutcome) -> ScreeningOutcome:
    """:func:`outcome_with_lessons`, without its query for a client the
    booking read as having no completed session (``has_completed_session``,
    read with the client's row): a first visit has no lessons to add."""
    if getattr(client, "has_completed_session", True):
        return outcome_with_lessons(client, outcome)
    return combine([outcome, ScreeningOutcome()])  # as outcome_with_lessons without a last session


def _change_note(reason: str) -> str:
    """The reason with the time, within the field's length (a clearer's long name must not refuse the rebuild)."""
    now = timezone.now()
    day = date_format(now, pgettext("date format: day and short month", "d M"))
    stamp = f" ({day} {now:%H:%M} UTC)"
    room = SessionPlan._meta.get_field("change_note").max_length - len(stamp)
    return _fit(reason, length=room) + stamp


def _fit(text: str, *, length: int) -> str:
    """``text`` within ``length`` characters (several blocks together can be long)."""
    return text if len(text) <= length else text[: length - 1] + "…"


def _rebuild_one(appointment: Appointment, outcome: ScreeningOutcome, reason: str) -> bool:
    """A new plan for a session that has not started, from ``outcome``. When
    the routine is now forbidden, the old plan stays with the problem recorded
    and any acknowledgement withdrawn: it must not be started as it was.
    A session booked without a plan (online, see :func:`session_plan_or_problem`)
    gets its first one here, for the length it was booked for. The plan
    replaced is deleted: nothing else points to it, and it holds the
    client's health data (her erasure finds her plans by her sessions)."""
    replaced = appointment.plan_id
    if appointment.plan is not None:
        booked_minutes = appointment.plan.booked_minutes
    else:
        booked_minutes = BookingTerms.of_appointment(appointment).session_minutes
    try:
        appointment.plan = session_plan_create(
            routine=appointment.routine,
            outcome=outcome,
            booked_minutes=booked_minutes,
            change_note=_change_note(reason),
        )
    except PlanNotPossible as refused:
        limit = Appointment._meta.get_field("plan_problem").max_length
        appointment.plan_problem = _fit(f"{reason}: {refused.detail}", length=limit)
        appointment.review_acknowledged_by = appointment.review_acknowledged_at = None
        appointment.save(
            update_fields=["plan_problem", "review_acknowledged_by", "review_acknowledged_at", "updated_at"]
        )
        return False
    appointment.plan_problem = ""
    appointment.review_acknowledged_by = appointment.review_acknowledged_at = None
    appointment.save(update_fields=["plan", "plan_problem", "review_acknowledged_by", "review_acknowledged_at"])
    if replaced is not None:
        SessionPlan.objects.filter(pk=replaced).delete()
    return True


@transaction.atomic
def session_plans_rebuild(*, client: Client, reason: str | Promise) -> list[Appointment]:
    """After a new screening or a clearance: rebuild the plans of the client's
    sessions that have not started, each in its therapist's language (give
    ``reason`` lazily, e.g. ``gettext_lazy``, to have it in that language too).
    Started and completed plans stay frozen. A routine the screening now
    forbids keeps its old plan and says why."""
    upcoming = Appointment.objects.select_for_update(of=("self",)).filter(
        client=client, status__in=Appointment.NOT_STARTED
    )
    outcomes: dict[str, ScreeningOutcome] = {}  # read once per language
    rebuilt = []
    for appointment in upcoming.select_related("routine", "plan", "therapist__user", "room__salon"):
        language = plan_language(appointment)
        with translation.override(language):
            if language not in outcomes:
                outcomes[language] = _outcome_now(client)
            if _rebuild_one(appointment, outcomes[language], str(reason)):
                rebuilt.append(appointment)
    return rebuilt


# Every session's start locks and reads it this way: compiled once, only the id changes.
_REFRESHED = CompiledQuery(
    lambda pk: (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("client__business", "routine", "plan", "therapist__user", "room__salon")
        .filter(pk=pk)
        .order_by()[:1]
    ),
    pk=-1,  # no appointment's id
)


# No savepoint: its one caller, a session's start, starts it in the same transaction and
# lets any error end it (the refusals caught here are raised before anything is written).
@transaction.atomic(savepoint=False)
def session_plan_refresh(*, appointment: Appointment) -> Appointment:
    """Just before a session starts: the plan must follow the screening as it
    is now (a clearance may have lapsed, a fever be reported today). A plan
    built from anything else is rebuilt, or marked as not possible."""
    found = _REFRESHED.objects(pk=appointment.pk)
    if not found:
        raise Appointment.DoesNotExist(f"No appointment {appointment.pk}.")
    appointment = found[0]
    language = plan_language(appointment)
    # Compared in the words the plan was written in: another language is no change
    # (a rebuild would withdraw the therapist's acknowledgement).
    built_in = _built_in(appointment.plan) if appointment.plan else language
    with translation.override(built_in):
        outcome = _outcome_now(appointment.client)
    stored = ScreeningOutcome.from_dict(appointment.plan.outcome) if appointment.plan else None
    if stored is not None and "language" not in appointment.plan.plan:
        # Written before plans recorded their language, maybe on a German page and in
        # wording since changed: only a change in what the screening asks counts.
        changed = stored.rules_in_force() != outcome.rules_in_force()
    else:
        changed = stored != outcome
    if changed or appointment.plan_problem:
        with translation.override(language):
            if built_in != language:
                outcome = _outcome_now(appointment.client)
            _rebuild_one(appointment, outcome, str(REFRESHED))
    return appointment
