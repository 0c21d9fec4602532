"""What the time-off pages (the therapist's under "my day", the manager's
under /manage/) take and read: the forms for whole days and for part of a
day, entered in the location's wall-clock time, and the lists they show,
each in a fixed number of queries."""

import datetime
from collections import defaultdict

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from salon.inputs import DateFormField
from salon.models import Room, Salon, Therapist, TimeOff
from sessions.availability import local_instant, therapists_at
from sessions.models import Appointment
from sessions.services.time_off import span_words

# How far back "my time off" and the manager's decisions look.
RECENT_DAYS = 30


class TimeOffForm(forms.Form):
    """A span of time off. ``span(zone)`` gives its start and end instants."""

    reason = forms.CharField(label=_("Reason (optional)"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)

    def span(self, zone) -> tuple[datetime.datetime, datetime.datetime]:
        raise NotImplementedError


class DaysOffForm(TimeOffForm):
    """Whole days: from the first day's midnight to the midnight after the last."""

    kind = "days"
    first_day = DateFormField(label=_("First day off"), widget=forms.DateInput(attrs={"type": "date"}))
    last_day = DateFormField(
        label=_("Last day off"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for a single day."),
    )
    field_order = ["first_day", "last_day", "reason"]

    def clean(self):
        data = super().clean()
        first, last = data.get("first_day"), data.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", gettext("The last day comes before the first."))
        return data

    def span(self, zone):
        first = self.cleaned_data["first_day"]
        last = self.cleaned_data.get("last_day") or first
        midnight = datetime.time(0)
        return local_instant(first, midnight, zone), local_instant(last + datetime.timedelta(days=1), midnight, zone)


class HoursOffForm(TimeOffForm):
    """Part of one day, from one wall-clock time to another."""

    kind = "hours"
    day = DateFormField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    starts = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    ends = forms.TimeField(label=_("Until"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    field_order = ["day", "starts", "ends", "reason"]

    def clean(self):
        data = super().clean()
        if data.get("starts") and data.get("ends") and data["ends"] <= data["starts"]:
            self.add_error("ends", gettext("Until comes after from."))
        return data

    def span(self, zone):
        day = self.cleaned_data["day"]
        return local_instant(day, self.cleaned_data["starts"], zone), local_instant(
            day, self.cleaned_data["ends"], zone
        )


def time_off_form(kind: str, data=None, *, whose: tuple[str, forms.Field] | None = None) -> TimeOffForm:
    """The form for ``kind`` ("days" or "hours"; anything else: days), with
    ``whose`` (a field's name and the field: the therapist or the room) first
    when given. Prefixed by its kind, so both fit on one page."""
    form_class = HoursOffForm if kind == HoursOffForm.kind else DaysOffForm
    form = form_class(data, prefix=form_class.kind)
    if whose is not None:
        name, field = whose
        form.fields = {name: field, **form.fields}
    return form


# The lists.


def _with_words(rows, zone) -> list[TimeOff]:
    """Each row with ``when``: its span in words, in ``zone``."""
    rows = list(rows)
    for row in rows:
        row.when = span_words(row.start, row.end, zone)
    return rows


def therapist_time_off(*, therapist: Therapist, zone) -> list[TimeOff]:
    """A therapist's time off that has not ended long ago, every status
    (what they asked for, and what managers entered for them), by start."""
    since = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    rows = TimeOff.objects.filter(therapist=therapist, end__gt=since).select_related("decided_by").order_by("start")
    return _with_words(rows, zone)


def _at(salon: Salon) -> QuerySet[TimeOff]:
    return TimeOff.objects.filter(therapist__in=therapists_at(salon)).select_related(
        "therapist", "requested_by", "decided_by"
    )


def requests_waiting(salon: Salon) -> list[TimeOff]:
    """Requests of the location's therapists that wait for a decision, with
    ``clashes``: the sessions booked then, which the desk must move before
    the request can be approved. Two queries."""
    rows = _with_words(_at(salon).filter(status=TimeOff.Status.REQUESTED).order_by("start", "pk"), salon.zone)
    booked = defaultdict(list)
    if rows:
        sessions = (
            Appointment.objects.filter(
                therapist__in={row.therapist_id for row in rows},
                status__in=Appointment.HOLDS_TIME,
                start__lt=max(row.end for row in rows),
                busy_until__gt=min(row.start for row in rows),
            )
            .select_related("client", "room__salon")
            .order_by("start")
        )
        for session in sessions:
            booked[session.therapist_id].append(session)
    for row in rows:
        row.clashes = [
            session
            for session in booked[row.therapist_id]
            if session.start < row.end and session.busy_until > row.start
        ]
    return rows


def time_off_ahead(salon: Salon) -> list[TimeOff]:
    """Approved time off of the location's therapists that has not ended."""
    rows = _at(salon).filter(status=TimeOff.Status.APPROVED, end__gt=timezone.now()).order_by("start", "pk")
    return _with_words(rows, salon.zone)


def decided_lately(salon: Salon) -> list[TimeOff]:
    """Requests declined in the last weeks, newest decision first, so a
    manager sees what was said."""
    since = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    rows = _at(salon).filter(status=TimeOff.Status.DECLINED, decided_at__gte=since).order_by("-decided_at", "-pk")
    return _with_words(rows, salon.zone)


def rooms_out_of_service(salon: Salon) -> list[TimeOff]:
    """The location's rooms' out-of-service periods that have not ended."""
    rows = (
        TimeOff.objects.filter(room__salon=salon, end__gt=timezone.now()).select_related("room").order_by("start", "pk")
    )
    return _with_words(rows, salon.zone)


def time_off_visible_at(salon: Salon) -> QuerySet[TimeOff]:
    """Time off of the location's rooms and therapists."""
    return TimeOff.objects.filter(Q(room__salon=salon) | Q(therapist__in=therapists_at(salon)))


def room_at(salon: Salon, room_id: int) -> Room | None:
    return Room.objects.filter(salon=salon, pk=room_id).select_related("salon").first()
