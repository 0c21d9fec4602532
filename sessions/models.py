"""Appointments and what happens in them. The Appointment arrives with the
booking issue; a SessionPlan exists already, as a snapshot."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from routines.models import BodyArea, RoutineTemplate
from salon.inputs import LimitedTextField


class SessionPlan(models.Model):
    """A plan as it was built: the routine version, the screening outcome and
    the steps, all copied. Later edits to the template change nothing here."""

    routine = models.ForeignKey(RoutineTemplate, on_delete=models.PROTECT, related_name="session_plans")
    booked_minutes = models.PositiveSmallIntegerField()
    routine_snapshot = models.JSONField(help_text=_("The routine version the plan was built from."))
    outcome = models.JSONField(help_text=_("The screening outcome the plan was built from."))
    plan = models.JSONField(help_text=_("Position, supports, oil, precautions and the steps as built."))
    built_at = models.DateTimeField(auto_now_add=True)
    change_note = models.CharField(max_length=300, blank=True, help_text=_("Why this plan replaced an earlier one."))

    class Meta:
        ordering = ["-built_at"]

    def __str__(self) -> str:
        return f"Plan {self.pk}: {self.plan.get('routine_name', '')}"


class Appointment(models.Model):
    """A booking: one client, therapist, room and routine version from start to
    end, then the room and therapist stay busy for the turnover until
    ``busy_until``. PostgreSQL refuses overlapping active bookings of a
    therapist or a room (exclusion constraints, see migration 0002)."""

    REASON_LENGTH = 300

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CHECKED_IN = "checked_in", _("Checked in")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("No-show")

    # Statuses whose appointment keeps its therapist and room busy (a
    # completed session did take the time); the exclusion constraints use
    # the same list.
    HOLDS_TIME = (Status.BOOKED, Status.CHECKED_IN, Status.IN_PROGRESS, Status.COMPLETED)
    # Statuses whose plan may still be rebuilt; a started plan is frozen.
    NOT_STARTED = (Status.BOOKED, Status.CHECKED_IN)
    FINISHED = (Status.COMPLETED, Status.CANCELLED, Status.NO_SHOW)

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="appointments")
    therapist = models.ForeignKey("salon.Therapist", on_delete=models.PROTECT, related_name="appointments")
    room = models.ForeignKey("salon.Room", on_delete=models.PROTECT, related_name="appointments")
    routine = models.ForeignKey(RoutineTemplate, on_delete=models.PROTECT, related_name="appointments")
    plan = models.OneToOneField(
        SessionPlan,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointment",
        help_text=_("Empty for a session booked online whose routine the screening rules out (see plan_problem)."),
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    busy_until = models.DateTimeField(help_text=_("End plus the routine's turnover."))
    price_minor = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("The price when it was booked, in minor units of ``currency`` (cents); empty when none was set."),
    )
    currency = models.CharField(max_length=3, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.BOOKED)
    booked_by = models.ForeignKey(
        "salon.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="bookings_made"
    )
    cancellation_reason = models.CharField(max_length=REASON_LENGTH, blank=True)

    class Origin(models.TextChoices):
        DESK = "desk", _("Front desk")
        ONLINE = "online", _("Online booking")
        WAITLIST = "waitlist", _("Waitlist offer")
        API = "api", _("API")

    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.DESK)
    course = models.ForeignKey(
        "Course", null=True, blank=True, on_delete=models.PROTECT, related_name="appointments",
        help_text=_("The course of sessions this one was booked in, if any."),
    )  # fmt: skip
    cancelled_late = models.BooleanField(
        default=False,
        help_text=_("Cancelled inside the salon's client cut-off (client_cancel_hours) before the start."),
    )
    cancelled_at_erasure = models.BooleanField(
        default=False,
        help_text=_("Cancelled because the client's data was erased: nobody's choice, so no report counts it."),
    )
    plan_problem = models.CharField(
        max_length=300, blank=True, help_text=_("Why the plan could not follow the latest screening.")
    )
    review_acknowledged_by = models.ForeignKey(
        "salon.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_acknowledged_at = models.DateTimeField(null=True, blank=True)
    calendar_sequence = models.PositiveIntegerField(
        default=0, help_text=_("iCalendar SEQUENCE: raised on each change.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="appointment_order"),
            models.CheckConstraint(
                condition=models.Q(busy_until__gte=models.F("end")), name="appointment_turnover_after_end"
            ),
        ]
        indexes = [
            models.Index(fields=["therapist", "start"], name="appointment_therapist_start"),
            models.Index(fields=["room", "start"], name="appointment_room_start"),
            models.Index(fields=["start", "busy_until"], name="appointment_span"),
            # A client's visits in order: the reports read each client's first two.
            models.Index(
                fields=["client", "start"], condition=models.Q(status="completed"), name="appointment_client_visits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} with {self.therapist} at {self.start:%Y-%m-%d %H:%M}"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def screening_review_needed(self) -> bool:
        """A session not yet started whose plan could not follow the client's
        screening (booked online without one, or a newer screening rules it
        out): a therapist must review it first. The desk may know that, not why."""
        return bool(self.plan_problem) and self.status in self.NOT_STARTED


class BookingHold(models.Model):
    """A time held for someone booking online until they confirm by the link
    emailed to them (or the hold expires): the therapist and room are busy
    for availability and for every other booking meanwhile. Confirming
    books an Appointment on the held therapist, room and start, for the
    client the address belongs to (found only then) or a new one."""

    class Status(models.TextChoices):
        HELD = "held", _("Held")
        CONFIRMED = "confirmed", _("Confirmed")
        EXPIRED = "expired", _("Expired")

    salon = models.ForeignKey("salon.Salon", on_delete=models.CASCADE, related_name="holds")
    therapist = models.ForeignKey("salon.Therapist", on_delete=models.CASCADE, related_name="holds")
    room = models.ForeignKey("salon.Room", on_delete=models.CASCADE, related_name="holds")
    routine = models.ForeignKey(RoutineTemplate, on_delete=models.PROTECT, related_name="holds")
    minutes = models.PositiveSmallIntegerField(null=True, blank=True, help_text=_("The length from the menu, if any."))
    start = models.DateTimeField()
    busy_until = models.DateTimeField()
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HELD)
    # Who asked: kept only until the hold ends, then cleared (the booking has them).
    given_name = models.CharField(max_length=80)
    family_name = models.CharField(max_length=80)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True)
    consent_reminders = models.BooleanField(default=False)
    consent_feedback = models.BooleanField(default=False)
    message = models.CharField(max_length=500, blank=True)
    # The language the page or the API call was read in: the link and the
    # client made from it speak it (sessions.messages.guest_language).
    language = models.CharField(max_length=8, blank=True)
    nonce = models.CharField(max_length=43, unique=True)
    appointment = models.OneToOneField(
        "Appointment", null=True, blank=True, on_delete=models.SET_NULL, related_name="hold"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(busy_until__gt=models.F("start")), name="hold_order"),
            models.CheckConstraint(
                condition=~models.Q(email="", phone=""),
                name="hold_has_an_address",
                violation_error_message=_("Give an email address or a phone number."),
            ),
        ]
        indexes = [
            models.Index(fields=["therapist", "start"], name="hold_therapist_start"),
            models.Index(fields=["room", "start"], name="hold_room_start"),
            models.Index(fields=["status", "expires_at"], name="hold_status_expiry"),
        ]

    def __str__(self) -> str:
        return f"Hold for {self.given_name} {self.family_name} at {self.start:%Y-%m-%d %H:%M}"


class AppointmentChange(models.Model):
    """The history of an appointment: every reschedule and status change."""

    class Kind(models.TextChoices):
        BOOKED = "booked", _("Booked")
        RESCHEDULED = "rescheduled", _("Rescheduled")
        STATUS = "status", _("Status changed")
        # A check-in or no-show taken back the same day; the row it undoes stays.
        STATUS_UNDONE = "status_undone", _("Status change undone")

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="changes")
    # One of Kind; kept a plain string in the table and the API, which have
    # always taken it as such.
    kind = models.CharField(max_length=20)
    from_start = models.DateTimeField(null=True, blank=True)
    to_start = models.DateTimeField(null=True, blank=True)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey("salon.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} of appointment {self.appointment_id}"


class SessionNote(models.Model):
    """What the therapist wrote at the end of a session."""

    appointment = models.OneToOneField(Appointment, on_delete=models.CASCADE, related_name="note")
    NOTE_LENGTH = 4000

    client_reported = LimitedTextField(max_length=NOTE_LENGTH, blank=True, help_text=_("What the client reported."))
    therapist_found = LimitedTextField(max_length=NOTE_LENGTH, blank=True, help_text=_("What the therapist found."))
    work_done = LimitedTextField(max_length=NOTE_LENGTH, blank=True, help_text=_("What was done."))
    advice = LimitedTextField(max_length=NOTE_LENGTH, blank=True, help_text=_("Advice for next time."))
    written_by = models.ForeignKey("salon.User", null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Notes on appointment {self.appointment_id}"


class PressureFeedback(models.Model):
    """What the client said about the pressure, during the session."""

    class Verdict(models.TextChoices):
        TOO_LIGHT = "too_light", _("Too light")
        RIGHT = "right", pgettext_lazy("pressure", "Right")
        TOO_STRONG = "too_strong", _("Too strong")

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="pressure_feedback")
    step = models.PositiveSmallIntegerField(null=True, blank=True, help_text=_("Plan step number."))
    area = models.CharField(max_length=16, blank=True)
    verdict = models.CharField(max_length=12, choices=Verdict.choices)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.verdict} at step {self.step}"


class Notification(models.Model):
    """The outbox: one row per message to a client. ``key`` makes the same
    message impossible to create twice; the status moves pending → sending →
    sent (or failed, or cancelled) by conditional updates only."""

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("Booking confirmation")
        REMINDER = "reminder", _("Reminder")
        INTAKE_REQUEST = "intake_request", _("Intake request")
        RESCHEDULE = "reschedule", _("Reschedule notice")
        CANCELLATION = "cancellation", _("Cancellation notice")
        FEEDBACK_REQUEST = "feedback_request", _("Feedback request")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")

    key = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="notifications")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="notifications")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True, help_text=_("When a worker took it (the lease starts)."))
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["status", "due_at"], name="notification_due")]

    def __str__(self) -> str:
        return f"{self.kind} for appointment {self.appointment_id} ({self.status})"


class Feedback(models.Model):
    """What the client said about a session, through the feedback link."""

    class Pressure(models.TextChoices):
        TOO_LIGHT = "too_light", _("Too light")
        RIGHT = "right", _("Just right")
        TOO_STRONG = "too_strong", _("Too strong")

    appointment = models.OneToOneField(Appointment, on_delete=models.CASCADE, related_name="feedback")
    overall = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    pain_before = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(10)])
    pain_after = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(10)])
    pressure = models.CharField(max_length=12, choices=Pressure.choices, blank=True)
    would_book_again = models.BooleanField(null=True, blank=True)
    comment = LimitedTextField(blank=True, max_length=2000)
    submitted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Feedback on appointment {self.appointment_id}: {self.overall}/5"


def validate_pain_areas(value) -> None:
    """Where it hurts today: body areas, each once."""
    if not isinstance(value, list) or any(area not in BodyArea.values for area in value):
        raise ValidationError(
            _("Use body areas from: %(areas)s.") % {"areas": ", ".join(BodyArea.values)}, code="invalid_area"
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("Name each body area once."), code="repeated_area")


class PainReport(models.Model):
    """The client's pain on the day of a session, before it, as the intake
    step (answers or "nothing has changed") asked: one level and where.
    Health data: read by those who may read screening answers. The pain
    after the session is the feedback's (``Feedback.pain_after``)."""

    appointment = models.OneToOneField(Appointment, on_delete=models.CASCADE, related_name="pain_report")
    pain_before = models.PositiveSmallIntegerField(validators=[MaxValueValidator(10)])
    areas = models.JSONField(default=list, blank=True, validators=[validate_pain_areas])
    reported_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Pain {self.pain_before}/10 before appointment {self.appointment_id}"


def parse_wall_clock(text) -> datetime.time | None:
    """``HH:MM`` as a time of day, or None when it is not one."""
    if not isinstance(text, str) or len(text) != 5 or text[2] != ":":
        return None
    try:
        return datetime.time(int(text[:2]), int(text[3:]))
    except ValueError:
        return None


def window_problems(windows, *, limit: int) -> list[str]:
    """What is wrong with a list of ``{"from": "HH:MM", "to": "HH:MM"}``
    times of day (each from before to), as messages; none when all is well."""
    if not isinstance(windows, list):
        return [gettext("Give a list of times of day.")]
    if len(windows) > limit:
        return [gettext("Give at most %(limit)s times of day.") % {"limit": limit}]
    problems = []
    for number, window in enumerate(windows, start=1):
        if not isinstance(window, dict) or set(window) != {"from", "to"}:
            problems.append(gettext("Time %(number)s: give “from” and “to” only.") % {"number": number})
            continue
        begins, ends = parse_wall_clock(window["from"]), parse_wall_clock(window["to"])
        if begins is None or ends is None:
            problems.append(gettext("Time %(number)s: use HH:MM.") % {"number": number})
        elif ends <= begins:
            problems.append(gettext("Time %(number)s: “to” must be after “from”.") % {"number": number})
    return problems


class WaitlistEntry(models.Model):
    """Someone waiting for a time that is not free yet: a service (and
    length), a date range, times of day, a therapist or anyone. When such a
    time frees up they are offered it (:class:`WaitlistOffer`); the first to
    accept an offer of it gets it. The address is looked up only when an
    offer is accepted, as for online bookings."""

    MAX_WINDOWS = 6

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        BOOKED = "booked", _("Booked")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")

    salon = models.ForeignKey("salon.Salon", on_delete=models.CASCADE, related_name="waitlist")
    routine = models.ForeignKey(RoutineTemplate, on_delete=models.PROTECT, related_name="waitlist")
    minutes = models.PositiveSmallIntegerField(null=True, blank=True, help_text=_("The length from the menu, if any."))
    therapist = models.ForeignKey(
        "salon.Therapist", null=True, blank=True, on_delete=models.CASCADE, related_name="waitlist",
        help_text=_("Empty: anyone."),
    )  # fmt: skip
    first_day = models.DateField()
    last_day = models.DateField()
    windows = models.JSONField(
        default=list, blank=True, help_text=_('Times of day, e.g. [{"from": "09:00", "to": "12:00"}]; empty: all day.')
    )
    given_name = models.CharField(max_length=80)
    family_name = models.CharField(max_length=80)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True)
    consent_reminders = models.BooleanField(default=False)
    consent_feedback = models.BooleanField(default=False)
    # The language the waitlist page was read in (empty when staff added them).
    language = models.CharField(max_length=8, blank=True)
    client = models.ForeignKey(
        "clients.Client", null=True, blank=True, on_delete=models.SET_NULL, related_name="waitlist"
    )
    added_by = models.ForeignKey("salon.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    nonce = models.CharField(max_length=43, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(last_day__gte=models.F("first_day")), name="waitlist_days"),
            models.CheckConstraint(
                condition=~models.Q(email="", phone=""),
                name="waitlist_has_an_address",
                violation_error_message=_("Give an email address or a phone number."),
            ),
        ]
        indexes = [models.Index(fields=["salon", "status", "first_day"], name="waitlist_waiting")]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name} waiting for {self.routine.name}"

    def clean(self):
        problems = window_problems(self.windows, limit=self.MAX_WINDOWS)
        if problems:
            raise ValidationError({"windows": problems})
        if self.therapist_id and self.therapist.business_id != self.salon.business_id:
            raise ValidationError({"therapist": [gettext("Not one of this business's therapists.")]})


class WaitlistOffer(models.Model):
    """A freed time offered to one waiting entry, open until ``expires_at``
    or until someone takes the time. Offers hold nothing: the booking
    service decides who gets it, and the others' offers are then gone."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        TAKEN = "taken", _("Taken")
        GONE = "gone", _("Gone")
        EXPIRED = "expired", _("Expired")

    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="offers")
    therapist = models.ForeignKey("salon.Therapist", on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey("salon.Room", on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()
    busy_until = models.DateTimeField()
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    nonce = models.CharField(max_length=43, unique=True)
    appointment = models.OneToOneField(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="waitlist_offer"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "start"], name="waitlist_offer_once_per_start"),
            models.CheckConstraint(condition=models.Q(busy_until__gt=models.F("start")), name="waitlist_offer_order"),
        ]
        indexes = [models.Index(fields=["status", "start"], name="waitlist_offer_open")]

    def __str__(self) -> str:
        return f"Offer of {self.start:%Y-%m-%d %H:%M} to entry {self.entry_id}"


class AvailabilityStamp(models.Model):
    """How often anything free times are computed from has changed, per
    business: bookings, holds, time off, rotas, opening hours, rooms,
    therapists and their locations, the menu, the routines and the locations'
    settings. Database triggers (migration ``treatments.0012``) count every
    change in the transaction that makes it, so an answer remembered under
    a count is never served after a change it does not show
    (``sessions.availability_cache``). A plain integer, not a foreign key: the
    triggers must not fail while a business is being deleted."""

    business_id = models.BigIntegerField(primary_key=True)
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"Availability of business {self.business_id}: version {self.version}"


class Course(models.Model):
    """Sessions of one routine booked together for a client, ``planned``
    of them every ``interval_days`` days, with the same therapist and time
    where they were free. Each session is an Appointment of its own:
    cancelling or moving one leaves the rest."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="courses")
    routine = models.ForeignKey(RoutineTemplate, on_delete=models.PROTECT, related_name="courses")
    salon = models.ForeignKey(
        "salon.Salon", on_delete=models.PROTECT, related_name="courses", verbose_name=_("location")
    )
    planned = models.PositiveSmallIntegerField(validators=[MinValueValidator(2), MaxValueValidator(20)])
    interval_days = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(90)])
    booked_by = models.ForeignKey("salon.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.planned} sessions of {self.routine} every {self.interval_days} days for {self.client}"
