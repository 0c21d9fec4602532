"""Acceptance of issue 18's waitlist on PostgreSQL: a booked time is
cancelled, fifty waiting clients are each offered it, and all fifty accept
at the same moment, each on their own connection. The booking service
(row locks, then the exclusion constraints) lets exactly one have it; the
other 49 get 409 ``offer_taken``, never a 500, and their offers are gone."""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from routines.services import service_set
from salon.errors import DomainError
from sessions.models import Appointment, WaitlistEntry, WaitlistOffer
from sessions.services.booking import appointment_book
from sessions.services.lifecycle import appointment_transition
from sessions.services.waitlist import waitlist_join, waitlist_offer_accept
from tests.factories import short_routine
from tests.helpers import at, missing
from tests.integration.test_booking_concurrency import overlapping_pairs
from tests.scenario import salon_scenario

pytestmark = pytest.mark.integration

CLIENTS = 50


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        missing("PostgreSQL (the race is decided by its row locks and exclusion constraints)", "REQUIRE_SERVICES")


def test_fifty_clients_accept_the_same_freed_time_and_exactly_one_gets_it(postgresql, eager_celery, mailoutbox):
    # Given Sabine is booked at 10:00 and fifty clients wait for that day
    scene = salon_scenario(rooms=["Linden", "Birke"])
    routine = short_routine(minutes=45, turnover=15)
    service_set(salon=scene.salon, routine=routine, lengths=[(60, 7000)], online=True)
    day = (datetime.datetime.now(scene.salon.zone) + datetime.timedelta(days=3)).date()
    booked = appointment_book(client=scene.client, routine=routine, start=at(day, 10), minutes=60)
    for number in range(CLIENTS):
        waitlist_join(
            salon=scene.salon, routine=routine, minutes=60, first_day=day, last_day=day,
            windows=[{"from": "10:00", "to": "11:00"}],
            given_name=f"Waiting{number}", family_name="Client", email=f"waiting{number}@example.com",
        )  # fmt: skip

    # When the booking is cancelled, each of them is offered 10:00 with Anna
    appointment_transition(appointment=booked, to_status=Appointment.Status.CANCELLED, reason="Ill")
    offers = list(WaitlistOffer.objects.select_related("entry").order_by("entry__created_at"))
    assert len(offers) == CLIENTS
    assert {(offer.start, offer.therapist_id, offer.status) for offer in offers} == {
        (at(day, 10), scene.therapist.pk, "open")
    }
    assert len([message for message in mailoutbox if "free" in message.subject]) == CLIENTS

    # and all fifty accept at the same moment, each on their own connection
    barrier = threading.Barrier(CLIENTS)

    def accept(offer: WaitlistOffer) -> str:
        try:
            barrier.wait(timeout=60)
            waitlist_offer_accept(offer=offer)
            return "booked"
        except DomainError as refused:
            return refused.code
        except Exception as error:  # a 500 would be a failure; name it
            return f"{type(error).__name__}: {error}"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = list(pool.map(accept, offers))

    # Then exactly one has the time, the other 49 were told it was taken
    assert results.count("booked") == 1, results
    assert results.count("offer_taken") == CLIENTS - 1, sorted(set(results))
    live = Appointment.objects.filter(start=at(day, 10), status__in=Appointment.HOLDS_TIME)
    assert live.count() == 1
    assert live.get().origin == Appointment.Origin.WAITLIST
    assert overlapping_pairs("therapist_id") == 0
    assert overlapping_pairs("room_id") == 0
    winner = offers[results.index("booked")]
    statuses = dict(WaitlistOffer.objects.values_list("pk", "status"))
    assert statuses.pop(winner.pk) == "taken"
    assert set(statuses.values()) == {"gone"}
    assert WaitlistEntry.objects.filter(status="booked").count() == 1
    assert WaitlistEntry.objects.filter(status="waiting").count() == CLIENTS - 1
