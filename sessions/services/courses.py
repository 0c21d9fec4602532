"""Booking a course of sessions: every chosen date in one transaction, one
confirmation listing them all."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from clients.models import Client
from routines.models import RoutineTemplate
from salon.errors import InvalidInput, validate
from salon.models import Salon, Therapist
from salon.roles import signed_in_or_none
from sessions.courses import course_shape_check
from sessions.models import Appointment, Course, Notification
from sessions.services.booking import appointment_book


@transaction.atomic
def course_book(
    *,
    salon: Salon,
    client: Client,
    routine: RoutineTemplate,
    dates: list[tuple[datetime.datetime, Therapist | None]],
    planned: int,
    interval_days: int,
    minutes: int | None = None,
    booked_by=None,
    now: datetime.datetime | None = None,
) -> Course:
    """Book the dates chosen from :func:`sessions.courses.course_plan` (each
    a start and a therapist, or None for whoever is free), all or none: a
    date taken meanwhile refuses the whole course with its 409, naming the
    date, and nothing is kept.

    The client gets one confirmation, the first session's, which lists every
    date and carries them all in its calendar file; each session still has
    its own reminders, and its own cancel link."""
    course_shape_check(sessions=planned, interval_days=interval_days)
    if not dates:
        raise InvalidInput(
            gettext("Choose at least one date of the course."),
            code="course_empty",
            fields={"dates": [gettext("Empty.")]},
        )
    if len(dates) > planned:
        raise InvalidInput(
            ngettext(
                "A course of %(sessions)s session has %(sessions)s date at most.",
                "A course of %(sessions)s sessions has %(sessions)s dates at most.",
                planned,
            )
            % {"sessions": planned},
            code="course_shape",
            fields={"dates": [gettext("At most %(sessions)s.") % {"sessions": planned}]},
        )
    now = now or timezone.now()
    course = Course(
        client=client, routine=routine, salon=salon, planned=planned, interval_days=interval_days,
        booked_by=signed_in_or_none(booked_by),
    )  # fmt: skip
    validate(course)
    course.save()
    booked: list[Appointment] = []
    for start, therapist in sorted(dates, key=lambda date: date[0]):
        appointment = appointment_book(
            client=client, routine=routine, start=start, salon=salon, therapist=therapist, minutes=minutes,
            booked_by=booked_by, now=now,
        )  # fmt: skip
        booked.append(appointment)
    Appointment.objects.filter(pk__in=[appointment.pk for appointment in booked]).update(course=course)
    # One confirmation and one request for the intake form: the first session's, which names them all.
    Notification.objects.filter(
        appointment__in=booked[1:],
        kind__in=[Notification.Kind.CONFIRMATION, Notification.Kind.INTAKE_REQUEST],
        status=Notification.Status.PENDING,
    ).delete()
    return course
