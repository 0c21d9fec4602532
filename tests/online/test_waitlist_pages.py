"""The waitlist's pages, without JavaScript: joining from /book/, the offer's
link (a GET only shows it, the button books it; the one who comes second
sees "taken"), leaving the list from the link, and the desk's list at
/desk/waitlist/. No personal data in any address; nothing stored."""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from routines.services import service_set
from salon.roles import Role
from sessions.models import Appointment, WaitlistEntry, WaitlistOffer
from sessions.services.booking import appointment_book
from sessions.services.lifecycle import appointment_transition
from sessions.services.waitlist import entry_token, offer_token, waitlist_join
from tests.factories import UserFactory, short_routine
from tests.helpers import BERLIN, at, readable_part, sign_in
from tests.scenario import salon_scenario

pytestmark = pytest.mark.django_db

PERSONAL = ("Ada", "Lovelace", "ada@example.com", "4915123456789")


@pytest.fixture
def scene(db):
    """Open 8–20, Anna works 9–17, room Linden; a 45-minute routine sold online at 60 minutes."""
    scene = salon_scenario(phone="+49 30 1234567")
    routine = short_routine(slug="classic", minutes=45, turnover=15)
    service_set(salon=scene.salon, routine=routine, lengths=[(60, 7000)], online=True)
    scene.routine = routine
    return scene


@pytest.fixture
def day() -> datetime.date:
    return (timezone.now().astimezone(BERLIN) + datetime.timedelta(days=2)).date()


def form(day, **changes):
    values = {
        "service": "classic:60",
        "therapist": "any",
        "first_day": day.isoformat(),
        "last_day": (day + datetime.timedelta(days=2)).isoformat(),
        "windows": ["morning"],
        "given_name": "Ada",
        "family_name": "Lovelace",
        "email": "ada@example.com",
        "phone": "0151 23456789",
        "privacy": "on",
    }
    values.update(changes)
    return {name: value for name, value in values.items() if value is not None}


def join_url(scene) -> str:
    return f"/book/{scene.salon.pk}/waitlist/join/"


def offered(scene, day, *emails):
    """Sabine's 10:00 booking cancelled with everyone in ``emails`` waiting: their offers."""
    booked = appointment_book(client=scene.client, routine=scene.routine, start=at(day, 10), minutes=60)
    entries = [
        waitlist_join(
            salon=scene.salon,
            routine=scene.routine,
            minutes=60,
            first_day=day,
            last_day=day,
            given_name=email.split("@")[0],
            family_name="X",
            email=email,
        )
        for email in emails
    ]
    return entries, booked


def cancel(booked, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        appointment_transition(appointment=booked, to_status=Appointment.Status.CANCELLED, reason="Ill")


def assert_private(response):
    assert response["Cache-Control"] == "no-store"
    for value in PERSONAL:
        assert value not in readable_part(response.get("Location", ""))


def test_joining_the_waitlist_from_the_booking_pages(scene, day, eager_celery, django_capture_on_commit_callbacks):
    browser = Client()
    page = browser.get(f"{join_url(scene)}?service=classic&minutes=60&date={day.isoformat()}")
    assert page.status_code == 200
    assert 'value="classic:60" selected' in page.content.decode()
    assert_private(page)

    with django_capture_on_commit_callbacks(execute=True):
        joined = browser.post(join_url(scene), form(day))

    assert joined.status_code == 302
    assert_private(joined)
    entry = WaitlistEntry.objects.get()
    assert (entry.routine, entry.minutes, entry.therapist, entry.phone) == (scene.routine, 60, None, "+4915123456789")
    assert entry.windows == [{"from": "08:00", "to": "12:00"}]
    done = browser.get(joined["Location"])
    assert "You are on the waitlist" in done.content.decode()
    assert not browser.cookies  # nothing kept in a session: it works in a frame on another site
    # The email that confirms it carries the link to leave the list
    assert f"/book/waitlist/{entry_token(entry)}/" in mail.outbox[-1].body


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "", "phone": ""}, "Give an email address or a phone number."),
        ({"email": "not-an-address"}, "Enter a valid email address."),
        ({"service": "nonsense:60"}, "Select a valid choice."),
        ({"windows": ["night"]}, "Select a valid choice."),
        ({"first_day": "2020-01-01"}, "In the past."),
        ({"privacy": None}, "Please read the privacy notice"),
        ({"given_name": "x" * 81}, "at most 80 characters"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(scene, day, changes, field):
    response = Client().post(join_url(scene), form(day, **changes))

    assert response.status_code == 400
    assert field in response.content.decode()
    assert not WaitlistEntry.objects.exists()


def test_the_honeypot_stores_nothing(scene, day):
    response = Client().post(join_url(scene), form(day, website="http://spam.example"))

    assert response.status_code == 200
    assert not WaitlistEntry.objects.exists()


def test_joining_is_refused_from_a_site_the_location_does_not_list_and_taken_from_one_it_does(scene, day):
    scene.salon.online_embed_origins = ["https://www.lindenhof.example"]
    scene.salon.save()

    foreign = Client().post(join_url(scene), form(day), HTTP_ORIGIN="https://evil.example")
    assert foreign.status_code == 403
    assert "Sent from another website" in foreign.content.decode()
    assert not WaitlistEntry.objects.exists()

    listed = Client().post(join_url(scene), form(day), HTTP_ORIGIN="https://www.lindenhof.example")
    assert listed.status_code == 302
    assert WaitlistEntry.objects.count() == 1


def test_the_offer_link_shows_the_time_and_the_button_books_it(
    scene, day, eager_celery, django_capture_on_commit_callbacks
):
    (ada, ben), booked = offered(scene, day, "ada@example.com", "ben@example.com")
    cancel(booked, django_capture_on_commit_callbacks)
    first, second = WaitlistOffer.objects.filter(entry__in=[ada, ben]).order_by("entry__created_at")
    link = f"/book/offer/{offer_token(first)}/"
    browser = Client()

    # A GET (a mail scanner, or Ada reading) books nothing
    page = browser.get(link)
    assert page.status_code == 200
    assert "Book this time" in page.content.decode()
    assert page["Referrer-Policy"] == "no-referrer"
    assert_private(page)
    assert Appointment.objects.filter(status="booked").count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        accepted = browser.post(link)

    assert accepted.status_code == 302
    assert browser.get(link).content.decode().count("You are booked") == 1
    appointment = Appointment.objects.get(status="booked")
    assert (appointment.origin, appointment.start, appointment.client.email) == ("waitlist", at(day, 10), ada.email)
    # Ben was told, and his link says the time is taken
    assert any(message.to == [ben.email] and "taken" in message.subject for message in mail.outbox)
    taken = Client().get(f"/book/offer/{offer_token(second)}/")
    assert taken.status_code == 409
    assert "Someone else was quicker" in taken.content.decode()
    assert Client().post(f"/book/offer/{offer_token(second)}/").status_code == 409


def test_an_offer_past_its_time_books_nothing(scene, day, django_capture_on_commit_callbacks, eager_celery):
    (ada,), booked = offered(scene, day, "ada@example.com")
    cancel(booked, django_capture_on_commit_callbacks)
    offer = WaitlistOffer.objects.get(entry=ada)
    WaitlistOffer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    response = Client().post(f"/book/offer/{offer_token(offer)}/")

    assert response.status_code == 410
    assert "This offer has ended" in response.content.decode()
    assert not Appointment.objects.filter(status="booked").exists()


def test_a_tampered_link_is_refused_not_a_500(scene):
    assert Client().get("/book/offer/nonsense/").status_code == 404
    assert Client().post("/book/waitlist/nonsense/").status_code == 404


def test_leaving_the_waitlist_from_the_link(scene, day):
    (ada,), _ = offered(scene, day, "ada@example.com")
    link = f"/book/waitlist/{entry_token(ada)}/"
    browser = Client()
    assert "Leave the waitlist" in browser.get(link).content.decode()

    left = browser.post(link)

    assert left.status_code == 302
    ada.refresh_from_db()
    assert ada.status == "withdrawn"
    assert "You have left the waitlist" in browser.get(link).content.decode()
    assert browser.post(link).status_code == 302  # twice is harmless


def test_the_desk_sees_adds_and_withdraws_entries(scene, day, receptionist):
    (ada,), _ = offered(scene, day, "ada@example.com")
    browser = Client()
    sign_in(browser, receptionist)

    page = browser.get("/desk/waitlist/")
    assert page.status_code == 200
    assert "ada@example.com" in page.content.decode()

    added = browser.post(
        "/desk/waitlist/",
        {
            "action": "add",
            "service": f"{scene.routine.pk}:60",
            "first_day": day.isoformat(),
            "last_day": day.isoformat(),
            "given_name": "Tom",
            "family_name": "Rufer",
            "phone": "+49 151 23456789",
        },
    )
    assert added.status_code == 302
    tom = WaitlistEntry.objects.get(given_name="Tom")
    assert tom.added_by == receptionist

    withdrawn = browser.post("/desk/waitlist/", {"action": "withdraw", "entry": ada.pk})
    assert withdrawn.status_code == 302
    ada.refresh_from_db()
    assert ada.status == "withdrawn"
    assert browser.post("/desk/waitlist/", {"action": "withdraw", "entry": ada.pk}).status_code == 409
    assert browser.post("/desk/waitlist/", {"action": "withdraw", "entry": "x"}).status_code == 400
    assert browser.post("/desk/waitlist/", {"action": "add"}).status_code == 400


def test_therapists_do_not_manage_the_waitlist(scene):
    browser = Client()
    sign_in(browser, UserFactory(roles=[Role.THERAPIST]))

    assert browser.get("/desk/waitlist/").status_code == 403
