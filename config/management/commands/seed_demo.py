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
from routines.models import RoutineTemplate
from routines.services import guide_routines_ensure
from salon.errors import DomainError
from salon.models import OpeningHours, Room, Salon, Therapist, TimeOff, User, WorkingHours
from salon.roles import Role
from salon.services import room_create, salon_create, staff_user_create, therapist_create
from sessions.models import Appointment, Feedback, Notification
from sessions.services.booking import appointment_book
from sessions.services.feedback import feedback_record
from sessions.services.lifecycle import appointment_transition

SALON = {
    "name": "Lindenhof Massage",
    "time_zone": "Europe/Berlin",
    "address": "Lindenstraße 12\n10969 Berlin",
    "phone": "+49 30 55571200",
    "email": "hello@lindenhof-massage.example",
    "currency": "EUR",
    "default_turnover_minutes": 15,
}

STAFF = [
    {"username": "manager", "first_name": "Petra", "last_name": "Wagner", "roles": [Role.MANAGER]},
    {"username": "reception", "first_name": "Clara", "last_name": "Hoffmann", "roles": [Role.RECEPTIONIST]},
]

THERAPISTS = [
    {"username": "therapist1", "first_name": "Anna", "last_name": "Becker"},
    {"username": "therapist2", "first_name": "Jonas", "last_name": "Weber", "qualified_therapeutic": True},
    {"username": "therapist3", "first_name": "Mira", "last_name": "Schulz", "qualified_pregnancy": True},
    {
        "username": "therapist4",
        "first_name": "Lukas",
        "last_name": "Fischer",
        "qualified_therapeutic": True,
        "qualified_pregnancy": True,
    },
]

ROOMS = [
    {"name": "Linden", "equipment": "Adjustable massage table, towel warmer, bolsters"},
    {"name": "Birke", "equipment": "Massage table with face cradle, side-lying pillows for pregnancy"},
    {"name": "Ahorn", "equipment": "Massage table, heated pads, soft rollers"},
]

CLIENTS = [
    {
        "given_name": "Sabine",
        "family_name": "Krüger",
        "email": "sabine.krueger@example.com",
        "phone": "+49 151 23456789",
        "date_of_birth": datetime.date(1978, 4, 2),
        "consent_reminders": True,
        "consent_feedback": True,
    },
    {
        "given_name": "Thomas",
        "family_name": "Müller",
        "phone": "+49 170 9876543",
        "preferred_channel": "sms",
        "consent_reminders": True,
    },
    {
        "given_name": "Leonie",
        "family_name": "Schmitt",
        "email": "leonie.schmitt@example.org",
        "date_of_birth": datetime.date(1991, 11, 19),
        "consent_reminders": True,
        "consent_feedback": True,
        "front_desk_notes": "Prefers late-afternoon slots and a warm room.",
    },
    {
        "given_name": "Mehmet",
        "family_name": "Yılmaz",
        "email": "m.yilmaz@example.net",
        "phone": "+49 176 11223344",
        "preferred_channel": "sms",
        "consent_reminders": True,
        "consent_feedback": False,
    },
    {
        "given_name": "Julia",
        "family_name": "Neumann",
        "email": "julia.neumann@example.com",
        "date_of_birth": datetime.date(1988, 6, 30),
        "consent_reminders": True,
        "consent_feedback": True,
        "front_desk_notes": "Likes to book the next visit before leaving.",
    },
    {
        "given_name": "Olivia",
        "family_name": "Smith",
        "email": "olivia.smith@example.co.uk",
        "phone": "+44 7911 123456",
        "consent_reminders": False,
        "consent_feedback": True,
    },
    {
        "given_name": "Étienne",
        "family_name": "Dubois",
        "phone": "+33 6 12 34 56 78",
        "preferred_channel": "sms",
        "date_of_birth": datetime.date(1969, 2, 14),
    },
    {
        "given_name": "Katharina",
        "family_name": "von Arnim",
        "email": "k.vonarnim@example.de",
        "consent_reminders": True,
        "consent_feedback": True,
        "front_desk_notes": "Comes straight from work; call the mobile before 17:00.",
    },
    {
        "given_name": "Felix",
        "family_name": "Braun",
        "email": "felix.braun@example.com",
        "phone": "+49 160 5550101",
        "date_of_birth": datetime.date(2001, 9, 8),
        "consent_reminders": True,
    },
    {
        "given_name": "Aisha",
        "family_name": "Rahman",
        "email": "aisha.rahman@example.org",
        "phone": "+49 157 30405060",
        "preferred_channel": "sms",
        "consent_reminders": True,
        "consent_feedback": True,
    },
    {
        "given_name": "Henrik",
        "family_name": "Lange",
        "phone": "+49 30 7788990",
        "date_of_birth": datetime.date(1955, 12, 1),
        "front_desk_notes": "Landline only, no text messages.",
    },
    {
        "given_name": "Marta",
        "family_name": "Nowak",
        "email": "marta.nowak@example.pl",
        "phone": "+48 601 234 567",
        "consent_reminders": True,
        "consent_feedback": True,
    },
]


# Screenings that exercise every screening rule, keyed by the client's name.
SCREENINGS = {
    ("Julia", "Neumann"): {
        "pregnant": True,
        "pregnancy_weeks": 24,
        "pregnancy_high_risk": True,
        "prone_discomfort": ["lower_back"],
    },
    ("Katharina", "von Arnim"): {
        "skin_injuries": True,
        "skin_injury_areas": ["lower_back"],
        "skin_injury_note": "Healing graze above the belt line",
        "pain_map": [{"area": "upper_back", "side": "right", "intensity": 6, "note": "Between the shoulder blades"}],
    },
    ("Henrik", "Lange"): {
        "acute_spinal_inflammation": True,
        "recent_injury": True,
        "recent_injury_what": "Shoulder dislocation",
        "recent_injury_when": datetime.date(2026, 8, 14),
        "recent_injury_areas": ["shoulders"],
    },
    ("Mehmet", "Yılmaz"): {"oil_or_nut_allergy": True, "allergies": "Almonds and almond oil"},
    ("Sabine", "Krüger"): {
        "prone_discomfort": ["neck", "ankles"],
        "pain_map": [
            {"area": "lower_back", "side": "left", "intensity": 8, "note": "Worse after long drives"},
            {"area": "shoulders", "side": "both", "intensity": 5, "note": ""},
            {"area": "neck", "side": "right", "intensity": 2, "note": "Stiff in the morning"},
        ],
    },
    ("Leonie", "Schmitt"): {
        "pressure_preference": "light",
        "pain_map": [{"area": "shoulders", "side": "left", "intensity": 6, "note": "Desk work"}],
    },
    ("Felix", "Braun"): {"pain_map": [{"area": "lower_back", "side": "both", "intensity": 7, "note": "Gym"}]},
    ("Olivia", "Smith"): {"medications": "Antihistamines in spring; a blood thinner", "blood_thinners": True},
    ("Thomas", "Müller"): {"blood_clots": True},
    ("Étienne", "Dubois"): {
        "osteoporosis": True,
        "recent_injury": True,
        "recent_injury_what": "Broken rib",
        "recent_injury_when": datetime.date(2026, 10, 2),
        "recent_injury_areas": ["mid_back"],
    },
    ("Marta", "Nowak"): {"fever_or_acute_illness": True},
    ("Aisha", "Rahman"): {"pressure_preference": "firm"},
}


# Rotas in local time: (weekdays, start, end). Jonas works a split shift,
# Mira part-time.
ROTAS = {
    "therapist1": [(range(0, 5), "09:00", "17:00")],
    "therapist2": [(range(1, 6), "08:00", "12:00"), (range(1, 6), "15:00", "20:00")],
    "therapist3": [((0, 2, 4), "10:00", "16:00")],
    "therapist4": [(range(0, 5), "12:00", "20:00"), ((5,), "09:00", "14:00")],
}
OPENING = [(range(0, 6), "08:00", "20:00")]
# (client's given name, routine slug) in the order bookings are handed out.
REGULARS = [
    ("Sabine", "classic-back-massage"),
    ("Julia", "pregnancy-back-massage"),
    ("Leonie", "neck-and-shoulders"),
    ("Felix", "lower-back-relief"),
    ("Katharina", "classic-back-massage"),
    ("Mehmet", "classic-back-massage"),
    ("Thomas", "lower-back-relief"),
    ("Aisha", "classic-back-massage"),
    ("Olivia", "neck-and-shoulders"),
    ("Marta", "lower-back-relief"),
]
SESSION_TIMES = ["09:00", "10:30", "12:15", "14:00", "15:45", "17:30"]


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
            self._staff_user(password=password, **person)

        for spec in THERAPISTS:
            spec = dict(spec)
            user = self._staff_user(
                username=spec.pop("username"),
                first_name=spec.pop("first_name"),
                last_name=spec.pop("last_name"),
                password=password,
                roles=[Role.THERAPIST],
            )
            if not Therapist.objects.filter(user=user).exists():
                therapist_create(salon=salon, user=user, display_name=user.get_full_name(), **spec)

        for room in ROOMS:
            if not Room.objects.filter(salon=salon, name=room["name"]).exists():
                room_create(salon=salon, **room)

        guide_routines_ensure()

        for person in CLIENTS:
            known = Client.objects.filter(
                salon=salon, given_name=person["given_name"], family_name=person["family_name"]
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
                f"Demo salon {salon.name!r} ready: {salon.therapists.count()} therapists, "
                f"{salon.rooms.count()} rooms, {salon.clients.count()} clients."
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
                        therapist=therapist, weekday=day, starts=_time(starts), ends=_time(ends)
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
            (Client.objects.get(salon=salon, given_name=name), RoutineTemplate.objects.get(slug=slug, is_current=True))
            for name, slug in REGULARS
        ]
        turn = 0
        for offset in range(-7, 8):
            day = today + datetime.timedelta(days=offset)
            for therapist in Therapist.objects.filter(salon=salon).order_by("display_name"):
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
        if turn % 11 == 0:
            appointment_transition(appointment=appointment, to_status=Appointment.Status.NO_SHOW)
        elif turn % 7 == 0:
            appointment_transition(
                appointment=appointment, to_status=Appointment.Status.CANCELLED, reason="Client called in sick"
            )
        else:
            for status in (Appointment.Status.CHECKED_IN, Appointment.Status.IN_PROGRESS, Appointment.Status.COMPLETED):
                appointment = appointment_transition(appointment=appointment, to_status=status)
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

    def _staff_user(self, *, username: str, password: str, **fields) -> User:
        return User.objects.filter(username=username).first() or staff_user_create(
            username=username, password=password, **fields
        )
