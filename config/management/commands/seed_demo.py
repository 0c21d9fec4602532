"""Load the demo salon: staff, rooms and clients to try every page with.

Idempotent: what already exists (matched by username, room name, client name)
is left as it is, so running it again adds only what is missing.
Later issues add their demo data here.
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from clients.models import Client, HealthScreening
from clients.services import client_create, screening_create
from config.demo_data import (
    CLIENTS,
    DEMO_MANAGER_TOTP_SECRET,
    OPENING,
    REGULARS,
    ROOMS,
    ROTAS,
    SALON,
    SCREENINGS,
    SERVICES,
    SESSION_TIMES,
    STAFF,
    THERAPISTS,
)
from routines.guide_de import MENU_DESCRIPTIONS_DE
from routines.models import RoutineTemplate, Service
from routines.services import guide_routines_ensure, service_set
from salon.errors import DomainError
from salon.models import OpeningHours, Room, Salon, Therapist, TimeOff, User, WorkingHours
from salon.roles import Role
from salon.selectors import second_factor_devices
from salon.services import (
    room_create,
    salon_create,
    second_factor_app_add,
    staff_user_create,
    therapist_create,
)
from sessions.models import Appointment, Feedback, Notification
from sessions.services.booking import appointment_book
from sessions.services.feedback import feedback_record
from sessions.services.lifecycle import appointment_transition


def _time(text: str) -> datetime.time:
    return datetime.time.fromisoformat(text)


class Command(BaseCommand):
    help = "Load the demo salon (idempotent). Passwords come from DEMO_PASSWORD."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when any salon exists already (used by `make run`).",
        )

    @transaction.atomic
    def handle(self, *args, if_empty: bool = False, **options):
        if if_empty and Salon.objects.exists():
            self.stdout.write("A salon exists already; demo data not loaded.")
            return

        salon = Salon.objects.filter(name=SALON["name"]).first() or salon_create(**SALON)
        password = settings.DEMO_PASSWORD

        for person in STAFF:
            self._staff_user(password=password, salon=salon, **person)
        manager = User.objects.get(username="manager")
        if not second_factor_devices(manager):
            second_factor_app_add(user=manager, secret=DEMO_MANAGER_TOTP_SECRET)

        for spec in THERAPISTS:
            spec = dict(spec)
            user = self._staff_user(
                username=spec.pop("username"),
                first_name=spec.pop("first_name"),
                last_name=spec.pop("last_name"),
                password=password,
                roles=[Role.THERAPIST],
                salon=salon,
            )
            if not Therapist.objects.filter(user=user).exists():
                therapist_create(salon=salon, user=user, display_name=user.get_full_name(), **spec)

        for room in ROOMS:
            if not Room.objects.filter(salon=salon, name=room["name"]).exists():
                room_create(salon=salon, **room)

        guide_routines_ensure()
        for slug, menu in SERVICES.items():
            routine = RoutineTemplate.objects.filter(slug=slug, is_current=True).first()
            if routine is not None and not Service.objects.filter(salon=salon, slug=slug).exists():
                german = {"de": {"description": MENU_DESCRIPTIONS_DE[menu["description"]]}}
                service_set(salon=salon, routine=routine, translations=german, **menu)

        for person in CLIENTS:
            known = Client.objects.filter(
                business=salon.business, given_name=person["given_name"], family_name=person["family_name"]
            ).first()
            client = known or client_create(salon=salon, **person)
            answers = SCREENINGS.get((client.given_name, client.family_name))
            if answers is not None and not client.screenings.exists():
                screening_create(
                    client=client,
                    answers={
                        **answers,
                        "consent_treatment": True,
                        "consent_health_data": True,
                        "consent_name": client.full_name,
                    },
                    entered_via=HealthScreening.EnteredVia.STAFF,
                    entered_by=User.objects.get(username="reception"),
                )

        self._schedules(salon)

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo salon {salon.name!r} ready: {salon.business.therapists.count()} therapists, "
                f"{salon.rooms.count()} rooms, {salon.business.clients.count()} clients."
            )
        )

    def _schedules(self, salon: Salon) -> None:
        """Opening hours, rotas, time off and two weeks of bookings, once each."""
        if not OpeningHours.objects.filter(salon=salon).exists():
            for days, opens, closes in OPENING:
                for day in days:
                    OpeningHours.objects.create(salon=salon, weekday=day, opens=_time(opens), closes=_time(closes))
        for username, shifts in ROTAS.items():
            therapist = Therapist.objects.get(user__username=username)
            if therapist.working_hours.exists():
                continue
            for days, starts, ends in shifts:
                for day in days:
                    WorkingHours.objects.create(
                        therapist=therapist, salon=salon, weekday=day, starts=_time(starts), ends=_time(ends)
                    )
        if Appointment.objects.filter(room__salon=salon).exists():
            return
        today = timezone.now().astimezone(salon.zone).date()
        self._time_off(salon, today)
        self._bookings(salon, today)

    @staticmethod
    def _time_off(salon: Salon, today: datetime.date) -> None:
        zone = salon.zone
        anna = Therapist.objects.get(user__username="therapist1")
        next_thursday = today + datetime.timedelta(days=(3 - today.weekday()) % 7 or 7)
        TimeOff.objects.create(
            therapist=anna,
            start=datetime.datetime.combine(next_thursday, datetime.time(0), tzinfo=zone),
            end=datetime.datetime.combine(next_thursday + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone),
            reason="Training course",
        )
        TimeOff.objects.create(
            room=Room.objects.get(salon=salon, name="Ahorn"),
            start=datetime.datetime.combine(today + datetime.timedelta(days=2), datetime.time(8), tzinfo=zone),
            end=datetime.datetime.combine(today + datetime.timedelta(days=2), datetime.time(12), tzinfo=zone),
            reason="New massage table delivered",
        )

    def _bookings(self, salon: Salon, today: datetime.date) -> None:
        """Two weeks of bookings around today; the past ones played through."""
        zone = salon.zone
        reception = User.objects.get(username="reception")
        regulars = [
            (
                Client.objects.get(business=salon.business, given_name=name),
                RoutineTemplate.objects.get(slug=slug, is_current=True),
            )
            for name, slug in REGULARS
        ]
        turn = 0
        for offset in range(-7, 8):
            day = today + datetime.timedelta(days=offset)
            for therapist in Therapist.objects.filter(business=salon.business).order_by("display_name"):
                for wall in SESSION_TIMES[turn % 2 :: 2]:
                    client, routine = regulars[turn % len(regulars)]
                    turn += 1
                    start = datetime.datetime.combine(day, _time(wall), tzinfo=zone)
                    try:
                        appointment = appointment_book(
                            client=client,
                            routine=routine,
                            start=start,
                            therapist=therapist,
                            booked_by=reception,
                            now=start - datetime.timedelta(days=3),
                        )
                    except DomainError:
                        continue  # not working then, not qualified, or a screening forbids it
                    if offset < 0:
                        self._past(appointment, turn)
        # The demo's history: messages that were due before today count as
        # sent, so starting the worker does not send a backlog.
        Notification.objects.filter(status=Notification.Status.PENDING, due_at__lt=timezone.now()).update(
            status=Notification.Status.SENT, sent_at=F("due_at")
        )

    @staticmethod
    def _past(appointment: Appointment, turn: int) -> None:
        """Past sessions: mostly completed, some no-shows and cancellations."""
        # Each change as the desk made it on the day (check-in only opens shortly before the start).
        then = appointment.start
        if turn % 11 == 0:
            appointment_transition(appointment=appointment, to_status=Appointment.Status.NO_SHOW, now=then)
        elif turn % 7 == 0:
            appointment_transition(
                appointment=appointment,
                to_status=Appointment.Status.CANCELLED,
                reason="Client called in sick",
                now=then,
            )
        else:
            for status in (Appointment.Status.CHECKED_IN, Appointment.Status.IN_PROGRESS, Appointment.Status.COMPLETED):
                appointment = appointment_transition(appointment=appointment, to_status=status, now=then)
            if turn % 3 == 0:
                feedback_record(
                    appointment=appointment,
                    overall=5 if turn % 2 else 4,
                    pain_before=6,
                    pain_after=2 if turn % 2 else 3,
                    pressure=Feedback.Pressure.RIGHT if turn % 2 else Feedback.Pressure.TOO_STRONG,
                    would_book_again=True,
                    comment="Felt much looser afterwards." if turn % 2 else "",
                )

    def _staff_user(self, *, username: str, password: str, salon: Salon, **fields) -> User:
        """Managers are granted every location, the others the demo's one."""
        everywhere = Role.MANAGER in fields["roles"]
        return User.objects.filter(username=username).first() or staff_user_create(
            username=username,
            password=password,
            locations=[] if everywhere else [salon],
            all_locations=everywhere,
            **fields,
        )
