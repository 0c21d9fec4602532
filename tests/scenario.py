"""The one way to set up a salon for unit tests, integration tests and the
benchmarks: a salon in Berlin, open every day, with therapists who work
every day, rooms and clients, all made through the factories.

    scene = salon_scenario(therapists=["Anna"], rooms=["Linden", "Birke"])
    scene.salon, scene.therapist, scene.room, scene.client

Another location of the same business (the benchmarks use two):

    london, rooms = scene.location_add(name="London", time_zone="Europe/London", rooms=["Thames"])
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from tests.factories import ClientFactory, RoomFactory, SalonFactory, TherapistFactory, open_every_day, works_every_day


@dataclass
class SalonScenario:
    salon: object
    therapists: list = field(default_factory=list)
    rooms: list = field(default_factory=list)
    clients: list = field(default_factory=list)

    @property
    def therapist(self):
        return self.therapists[0]

    @property
    def room(self):
        return self.rooms[0]

    @property
    def client(self):
        return self.clients[0]

    def at(self, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        """A wall-clock time on ``day`` in the salon's zone."""
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=self.salon.zone)

    def location_add(
        self,
        *,
        name: str,
        time_zone: str,
        rooms: list[str] = ("Room",),
        opens: datetime.time = datetime.time(8),
        closes: datetime.time = datetime.time(20),
        **salon_fields,
    ):
        """Another location of the scene's business, open every day, with its
        rooms. Nobody is granted it and nobody works there until the caller
        says so (``user.locations.add``, ``works_every_day(..., salon=...)``)."""
        location = SalonFactory(business=self.salon.business, name=name, time_zone=time_zone, **salon_fields)
        open_every_day(location, opens, closes)
        return location, [RoomFactory(salon=location, name=room) for room in rooms]


def salon_scenario(
    *,
    therapists: list[str | dict] = ("Anna",),
    rooms: list[str] = ("Linden",),
    clients: list[str | dict] = ("Sabine",),
    opens: datetime.time = datetime.time(8),
    closes: datetime.time = datetime.time(20),
    works: tuple[datetime.time, datetime.time] = (datetime.time(9), datetime.time(17)),
    **salon_fields,
) -> SalonScenario:
    """Therapists and clients are given by name, or as the factory's fields
    (``{"display_name": "Anna", "user__username": "anna"}``)."""
    salon = SalonFactory(
        **{"time_zone": "Europe/Berlin", "min_notice_minutes": 60, "booking_horizon_days": 400, **salon_fields}
    )
    open_every_day(salon, opens, closes)
    scene = SalonScenario(salon=salon)
    for entry in therapists:
        therapist = TherapistFactory(salon=salon, **({"display_name": entry} if isinstance(entry, str) else entry))
        works_every_day(therapist, *works)
        scene.therapists.append(therapist)
    scene.rooms = [RoomFactory(salon=salon, name=name) for name in rooms]
    scene.clients = [
        ClientFactory(salon=salon, **({"given_name": entry} if isinstance(entry, str) else entry)) for entry in clients
    ]
    return scene


@dataclass
class TwoLocations:
    """A business with a branch in Berlin and one in London; Anna works at
    both: Mondays in Berlin, Tuesdays in London, Wednesdays at both."""

    berlin: object
    london: object
    therapist: object
    berlin_room: object
    london_room: object
    client: object

    @staticmethod
    def at(location, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=location.zone)


def two_locations_scenario(*, travel_minutes: int = 30) -> TwoLocations:
    from salon.models import WorkingHours

    berlin = SalonFactory(
        name="Berlin Mitte", time_zone="Europe/Berlin", address="Linienstraße 1\n10115 Berlin",
        phone="+49 30 5550100", min_notice_minutes=60, booking_horizon_days=400,
        business__name="Lindenhof", business__travel_minutes=travel_minutes,
    )  # fmt: skip
    london = SalonFactory(
        name="London Soho", time_zone="Europe/London", address="1 Greek Street\nLondon W1D 4DA",
        phone="+44 20 7946 0100", phone_region="GB", business=berlin.business,
        min_notice_minutes=60, booking_horizon_days=400,
    )  # fmt: skip
    for location in (berlin, london):
        open_every_day(location, datetime.time(8), datetime.time(20))
    therapist = TherapistFactory(salon=berlin, display_name="Anna")
    therapist.user.locations.add(london)
    for location, weekday in ((berlin, 0), (london, 1), (berlin, 2), (london, 2)):
        WorkingHours.objects.create(
            therapist=therapist, salon=location, weekday=weekday, starts=datetime.time(9), ends=datetime.time(17)
        )
    return TwoLocations(
        berlin=berlin,
        london=london,
        therapist=therapist,
        berlin_room=RoomFactory(salon=berlin, name="Linden"),
        london_room=RoomFactory(salon=london, name="Oak"),
        client=ClientFactory(salon=berlin, given_name="Sabine"),
    )
