"""Test data. Factories build valid rows; each test states what matters to it."""

import datetime

import factory
from django.contrib.auth.models import Group

from clients.models import Client
from salon.models import Business, Room, Salon, Therapist, User
from salon.roles import Role

TEST_PASSWORD = "correct horse battery staple"


class BusinessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Business

    name = factory.Sequence(lambda n: f"Business {n}")
    time_zone = "Europe/Berlin"


class SalonFactory(factory.django.DjangoModelFactory):
    """A location; without ``business``, the first of a new business in the same zone."""

    class Meta:
        model = Salon

    name = factory.Sequence(lambda n: f"Salon {n}")
    time_zone = "Europe/Berlin"
    email = "hello@salon.example"
    business = factory.SubFactory(BusinessFactory, time_zone=factory.SelfAttribute("..time_zone"))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    # Staff in tests work everywhere unless a test says where.
    all_locations = True
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create, roles, **kwargs):
        if create and roles:
            self.groups.add(*Group.objects.filter(name__in=[Role(role).value for role in roles]))


class TherapistFactory(factory.django.DjangoModelFactory):
    """A therapist of ``salon``'s business, assigned to that location only."""

    class Meta:
        model = Therapist

    salon = factory.SubFactory(SalonFactory)
    business = factory.SelfAttribute("salon.business")
    user = factory.SubFactory(UserFactory, roles=[Role.THERAPIST], all_locations=False)
    display_name = factory.Sequence(lambda n: f"Therapist {n}")

    @classmethod
    def _create(cls, model_class, *args, salon, **kwargs):
        therapist = super()._create(model_class, *args, **kwargs)
        therapist.user.locations.add(salon)
        return therapist


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    salon = factory.SubFactory(SalonFactory)
    name = factory.Sequence(lambda n: f"Room {n}")


class ClientFactory(factory.django.DjangoModelFactory):
    """Built through client_create, so search keys and phone are normalised."""

    class Meta:
        model = Client

    salon = factory.SubFactory(SalonFactory)
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"client{n}@example.com")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from clients.services import client_create

        return client_create(**kwargs)


def step_data(order: int, **overrides) -> dict:
    """One valid step for routine_create: five minutes of open-palm stroking."""
    from routines.models import Technique

    data = {
        "order": order,
        "technique": Technique.objects.get(name="Open-palm stroking"),
        "areas": ["lower_back"],
        "direction": "bottom_up",
        "side": "both",
        "pressure": "medium",
        "dose_kind": "duration",
        "min_minutes": 5,
        "max_minutes": 5,
    }
    data.update(overrides)
    return data


def routine_create_for_test(slug: str = "test-routine", steps: list[dict] | None = None, **fields):
    from routines.services import routine_create

    return routine_create(
        slug=slug,
        name=fields.pop("name", "Test routine"),
        steps=steps if steps is not None else [step_data(1), step_data(2, areas=["upper_back"])],
        **fields,
    )


def screening_answers(**overrides) -> dict:
    """Answers of a healthy client who consents; override what the test is about."""
    answers = {
        "consent_treatment": True,
        "consent_health_data": True,
        "consent_name": "Sabine Krüger",
    }
    answers.update(overrides)
    return answers


def screening_for(client, **answers):
    from clients.models import HealthScreening
    from clients.services import screening_create

    return screening_create(
        client=client, answers=screening_answers(**answers), entered_via=HealthScreening.EnteredVia.STAFF
    )


def open_every_day(salon, opens=datetime.time(0), closes=datetime.time(23, 59)):
    from salon.models import OpeningHours

    for weekday in range(7):
        OpeningHours.objects.create(salon=salon, weekday=weekday, opens=opens, closes=closes)


def works_every_day(therapist, starts=datetime.time(9), ends=datetime.time(17), salon=None):
    """Shifts every day at ``salon``, by default the one location the therapist is assigned to."""
    from salon.models import WorkingHours

    salon = salon or therapist.user.locations.get()
    for weekday in range(7):
        WorkingHours.objects.create(therapist=therapist, salon=salon, weekday=weekday, starts=starts, ends=ends)


def short_routine(slug="short", minutes=15, turnover=0, qualification="none"):
    """A one-step routine whose slot is exactly ``minutes`` + ``turnover``."""
    return routine_create_for_test(
        slug=slug,
        turnover_minutes=turnover,
        qualification=qualification,
        steps=[step_data(1, min_minutes=minutes, max_minutes=minutes)],
    )


def visit_with_pain(client, routine, start, *, before=None, areas=(), after=None, feedback_before=None):
    """A completed session at ``start`` (past or not) with the pain the
    client gave: ``before`` and ``areas`` from the intake step, ``after`` (and
    ``feedback_before``) from the feedback, each left out when None."""
    from sessions.models import PainReport
    from sessions.services.booking import appointment_book
    from sessions.services.feedback import feedback_record
    from sessions.services.lifecycle import appointment_transition

    appointment = appointment_book(client=client, routine=routine, start=start, now=start - datetime.timedelta(days=1))
    if before is not None:
        PainReport.objects.create(appointment=appointment, pain_before=before, areas=list(areas))
    for status in ("checked_in", "in_progress", "completed"):
        appointment = appointment_transition(appointment=appointment, to_status=status, now=appointment.start)
    if after is not None or feedback_before is not None:
        feedback_record(appointment=appointment, overall=4, pain_after=after, pain_before=feedback_before)
    return appointment
