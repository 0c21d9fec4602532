"""The public booking pages at /book/, without JavaScript (the Django test
client follows plain links and forms): each step, the deep link, the
honeypot, rate limits, no personal data in any address, a hold that ran
out, moving a booking from its link before and after the cut-off."""

import datetime
import re
import time
from types import SimpleNamespace

import pytest
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from clients.models import Client as ClientRecord
from clients.models import ClientLink
from clients.services import client_link_create
from online.limits import PageAddressThrottle
from online.throttles import ContactThrottle
from routines.services import service_set
from sessions.models import Appointment, AppointmentChange, BookingHold, Notification
from sessions.services.booking import appointment_book
from sessions.services.online import booking_hold_create
from tests.factories import ClientFactory, UserFactory, screening_for, short_routine
from tests.helpers import BERLIN, readable_part, sign_in
from tests.scenario import salon_scenario

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
PERSONAL = ("Ada", "Lovelace", "ada@example.com", "+4915123456789")


DETAILS = {
    "given_name": "Ada",
    "family_name": "Lovelace",
    "email": "ada@example.com",
    "phone": "0151 23456789",
    "consent_reminders": "on",
    "privacy": "on",
    "message": "First visit",
}


@pytest.fixture
def scene(db):
    """Open 8–20, Anna and Ben work 9–17, rooms Linden and Birke; a 45-minute routine
    sold online at 45 and 60 minutes, another not sold online."""
    scene = salon_scenario(
        therapists=["Anna", "Ben"], rooms=["Linden", "Birke"], phone="+49 30 1234567", online_notice_minutes=60
    )
    routine = short_routine(slug="classic", minutes=45, turnover=15)
    service_set(
        salon=scene.salon, routine=routine, lengths=[(45, 5500), (60, 7000)], online=True, description="Relaxing."
    )
    hidden = short_routine(slug="desk-only", minutes=30)
    service_set(salon=scene.salon, routine=hidden, lengths=[(30, 4000)], online=False)
    scene.routine = routine
    return scene


@pytest.fixture
def day() -> datetime.date:
    return (timezone.now().astimezone(BERLIN) + datetime.timedelta(days=2)).date()


def choices(day, hour=10, therapist="any", minutes=60) -> str:
    return f"service=classic&minutes={minutes}&therapist={therapist}&date={day:%Y-%m-%d}&time={hour:02d}:00"


class Browser(Client):
    """A test client that keeps every address it was sent to."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.redirects: list[str] = []

    def request(self, **request):
        response = super().request(**request)
        if response.status_code in (301, 302, 303):
            self.redirects.append(response["Location"])
        return response


def signed_details(summary) -> str:
    """The summary's hidden field that carries the checked details on to "Hold this time"."""
    return re.search(r'name="details" value="([^"]+)"', summary.content.decode()).group(1)


def hold_through_pages(browser, scene, day, *, hour=10, details=DETAILS, eager=None):
    """Details, summary, then "Hold this time": the hold, or the answer."""
    base = f"/book/{scene.salon.pk}"
    summary = browser.post(f"{base}/details/?{choices(day, hour)}", details)
    assert summary.status_code == 200
    return browser.post(f"{base}/hold/?{choices(day, hour)}", {"details": signed_details(summary)})


def test_one_location_goes_straight_there_and_keeps_the_deep_link(scene):
    browser = Client()

    response = browser.get("/book/?service=classic")

    assert response.status_code == 302
    assert response["Location"] == f"/book/{scene.salon.pk}/?service=classic"
    assert response["Cache-Control"] == "no-store"


def test_with_several_locations_the_first_page_lists_them(scene):
    scene.location_add(name="Zweigstelle", time_zone="Europe/Berlin", rooms=["Eiche"])

    response = Client().get("/book/")

    assert response.status_code == 200
    html = response.content.decode()
    assert scene.salon.name in html
    assert "Zweigstelle" in html


def test_the_menu_shows_only_services_bookable_online_with_prices(scene):
    response = Client().get(f"/book/{scene.salon.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Relaxing." in html
    assert "45 minutes" in html
    assert "60 minutes" in html
    assert "70" in html
    assert "desk-only" not in html
    assert 'href="?service=classic&amp;minutes=60"' in html


def test_a_deep_link_preselects_the_service_and_an_unknown_one_says_so(scene):
    deep = Client().get(f"/book/{scene.salon.pk}/?service=classic")
    unknown = Client().get(f"/book/{scene.salon.pk}/?service=desk-only")

    assert deep.status_code == 200
    assert "See all treatments" in deep.content.decode()
    assert unknown.status_code == 400
    assert "cannot be booked online here" in unknown.content.decode()


def test_the_steps_offer_therapists_then_fourteen_days_then_times(scene, day):
    browser = Client()
    base = f"/book/{scene.salon.pk}/"

    therapists = browser.get(f"{base}?service=classic&minutes=60").content.decode()
    days = browser.get(f"{base}?service=classic&minutes=60&therapist=any").content.decode()
    times = browser.get(f"{base}?service=classic&minutes=60&therapist=any&date={day:%Y-%m-%d}").content.decode()

    assert "Anyone" in therapists
    assert "Anna" in therapists
    assert "Ben" in therapists
    assert days.count('class="book-choice"') + days.count('class="full"') == 14
    assert f"/book/{scene.salon.pk}/waitlist/join/?service=classic&amp;minutes=60&amp;date={day:%Y-%m-%d}" in times
    # Anna and Ben are both free at 10:00: the time is listed once.
    assert times.count(">10:00<") == 1
    assert f"/book/{scene.salon.pk}/details/?{choices(day)}".replace("&", "&amp;") in times


def test_a_closed_day_is_shown_as_without_free_time(scene, day):
    from salon.models import SpecialDay

    SpecialDay.objects.create(salon=scene.salon, day=day)

    html = Client().get(f"/book/{scene.salon.pk}/?service=classic&minutes=60&therapist=any").content.decode()

    assert f'{day:%a} {day.day} {day:%b}<br><span class="count">no free time' in html


def test_a_new_client_books_without_javascript_and_no_address_carries_personal_data(
    scene, day, eager_celery, django_capture_on_commit_callbacks
):
    # A browser that checks CSRF as a real one would: the pages must not need its cookie
    browser = Browser(enforce_csrf_checks=True)
    base = f"/book/{scene.salon.pk}"

    # Given a client who filled in the form without an email address or a phone number
    missing = browser.post(f"{base}/details/?{choices(day)}", {**DETAILS, "email": "", "phone": ""})
    assert missing.status_code == 400
    assert 'value="Lovelace"' in missing.content.decode()  # what was typed is kept

    # When they send it whole, see the summary and hold the time
    summary = browser.post(f"{base}/details/?{choices(day)}", DETAILS)
    assert summary.status_code == 200
    assert "Ada Lovelace" in summary.content.decode()
    # the form goes on with the same local time (not the UTC one)
    assert "&amp;time=10%3A00" in summary.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        held = browser.post(f"{base}/hold/?{choices(day)}", {"details": signed_details(summary)})
    assert held.status_code == 302
    sent = browser.get(held["Location"])

    # Then the time is held, the email with the link went out, and the page says so
    hold = BookingHold.objects.get()
    assert (hold.email, hold.phone, hold.consent_reminders) == ("ada@example.com", "+4915123456789", True)
    assert hold.start.astimezone(BERLIN).hour == 10
    assert "Check your email" in sent.content.decode()
    assert sent["Cache-Control"] == "no-store"
    (message,) = mail.outbox
    link = next(word for word in message.body.split() if "/book/confirm/" in word).removeprefix(SITE)

    # And confirming from the link books a new client, online
    assert browser.get(link).status_code == 200
    assert not Appointment.objects.exists()  # opening the link books nothing
    booked = browser.post(link)
    assert booked.status_code == 200
    appointment = Appointment.objects.get()
    assert appointment.origin == Appointment.Origin.ONLINE
    assert appointment.client.email == "ada@example.com"
    html = booked.content.decode()
    assert "You are booked" in html
    assert "Answer the health questions" in html
    # Nothing needed a cookie, as in a frame on another site where the browser sends none
    assert not browser.cookies
    intake = re.search(r'href="(/forms/intake/[^"]+)"', html).group(1)
    assert browser.get(intake).status_code == 302  # the intake link works

    for address in browser.redirects:
        assert not any(value.lower() in readable_part(address).lower() for value in PERSONAL), address


def test_the_confirmation_email_carries_a_reschedule_link_next_to_the_cancel_link(scene, day):
    from sessions.services.outbox import notification_deliver, notification_start_sending

    client = ClientFactory(salon=scene.salon, email="sabine@example.com")
    screening_for(client)
    appointment = appointment_book(client=client, routine=scene.routine, start=scene.at(day, 10), minutes=60)
    confirmation = Notification.objects.get(appointment=appointment, kind="confirmation")

    notification_deliver(notification=notification_start_sending(notification_id=confirmation.pk))

    body = mail.outbox[0].body
    assert "/forms/cancel/" in body
    assert "/book/reschedule/" in body
    assert ClientLink.objects.get(purpose=ClientLink.Purpose.RESCHEDULE).reference == appointment.pk


def test_the_honeypot_answers_like_success_and_holds_nothing(scene, day):
    browser = Client()

    response = browser.post(f"/book/{scene.salon.pk}/details/?{choices(day)}", {**DETAILS, "website": "spam.example"})

    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    assert not BookingHold.objects.exists()


def test_a_time_taken_meanwhile_is_a_409_page_with_what_was_typed(scene, day):
    browser = Client()
    for therapist in scene.therapists:
        booking_hold_create(
            salon=scene.salon, routine=scene.routine, start=scene.at(day, 10), minutes=60, therapist=therapist,
            given_name="Other", family_name="Person", email="other@example.com",
        )  # fmt: skip

    response = hold_through_pages(browser, scene, day)

    assert response.status_code == 409
    html = response.content.decode()
    assert "Ada Lovelace" in html
    assert "Choose another time" in html
    assert BookingHold.objects.count() == 2


def test_a_time_outside_the_online_notice_is_a_400_page(scene):
    today = timezone.now().astimezone(BERLIN).date()
    scene.salon.online_notice_minutes = 3 * 24 * 60
    scene.salon.save()

    response = hold_through_pages(Client(), scene, today + datetime.timedelta(days=1))

    assert response.status_code == 400
    assert "notice" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "service=classic&minutes=abc&date=2025-13-45",
        "service=classic&minutes=60&therapist=any&date=0001-01-01&time=00:00",
        "service=classic&minutes=60&therapist=99999999999999999999",
        f"service={'x' * 300}",
    ],
)
def test_a_bad_address_is_a_400_page_not_a_500(scene, query):
    response = Client().get(f"/book/{scene.salon.pk}/?{query}")

    assert response.status_code == 400


def test_a_details_page_for_a_time_out_of_range_sends_back_and_a_hold_is_refused(scene):
    browser = Client()
    query = "service=classic&minutes=60&therapist=any&date=0001-01-01&time=00:00"

    assert browser.get(f"/book/{scene.salon.pk}/details/?{query}").status_code == 302
    assert browser.post(f"/book/{scene.salon.pk}/hold/?{query}").status_code == 302


def test_holding_too_often_from_one_address_gets_a_429_page(scene, day, monkeypatch):
    monkeypatch.setitem(PageAddressThrottle.THROTTLE_RATES, "online_hold", "2/min")
    browser = Client()
    statuses = [
        hold_through_pages(
            browser, scene, day, hour=hour, details={**DETAILS, "email": f"c{hour}@example.com"}
        ).status_code
        for hour in (9, 11, 13)
    ]

    assert statuses == [302, 302, 429]
    assert BookingHold.objects.count() == 2


def test_holding_too_often_for_one_email_gets_a_429_page_from_any_address(scene, day, monkeypatch):
    monkeypatch.setitem(ContactThrottle.THROTTLE_RATES, "online_contact", "1/hour")
    first = hold_through_pages(Client(REMOTE_ADDR="10.0.0.1"), scene, day, hour=9)
    second = hold_through_pages(Client(REMOTE_ADDR="10.0.0.2"), scene, day, hour=11)

    assert (first.status_code, second.status_code) == (302, 429)
    assert "Please wait" in second.content.decode()


def test_a_phone_number_is_limited_across_the_api_and_the_pages_however_written(scene, day, monkeypatch):
    monkeypatch.setitem(ContactThrottle.THROTTLE_RATES, "online_contact", "1/hour")
    # Given a hold through the public API for a mobile number, written the international way
    api = Client(REMOTE_ADDR="10.0.0.1").post(
        "/api/v1/public/holds/",
        {"location": scene.salon.pk, "service": "classic", "minutes": 60, "start": scene.at(day, 9).isoformat(),
         "given_name": "Ada", "family_name": "L", "phone": "+49 151 23456789", "privacy_notice_accepted": True},
        content_type="application/json",
    )  # fmt: skip
    assert api.status_code == 201

    # When the same number, written the national way, holds another time on the pages from elsewhere
    page = hold_through_pages(
        Client(REMOTE_ADDR="10.0.0.2"), scene, day, hour=11, details={**DETAILS, "email": "", "phone": "0151 2345 6789"}
    )

    # Then it is over the number's limit: no second text goes to that phone
    assert page.status_code == 429
    assert BookingHold.objects.count() == 1


def test_confirming_too_often_gets_a_429_page(scene, day, monkeypatch):
    from sessions.services.online import hold_token

    monkeypatch.setitem(PageAddressThrottle.THROTTLE_RATES, "online_confirm", "1/min")
    holds = [
        booking_hold_create(
            salon=scene.salon, routine=scene.routine, start=scene.at(day, hour), minutes=60,
            given_name="Ada", family_name="L", email=f"a{hour}@example.com",
        )
        for hour in (9, 12)
    ]  # fmt: skip
    browser = Client()

    statuses = [browser.post(f"/book/confirm/{hold_token(hold)}/").status_code for hold in holds]

    assert statuses == [200, 429]
    assert Appointment.objects.count() == 1


def test_a_hold_that_ran_out_shows_a_page_that_offers_to_choose_again(scene, day):
    from sessions.services.online import hold_token

    hold = booking_hold_create(
        salon=scene.salon, routine=scene.routine, start=scene.at(day, 10), minutes=60,
        given_name="Ada", family_name="L", email="ada@example.com",
    )  # fmt: skip
    BookingHold.objects.filter(pk=hold.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    link = f"/book/confirm/{hold_token(hold)}/"

    opened, pressed = Client().get(link), Client().post(link)

    assert (opened.status_code, pressed.status_code) == (410, 410)
    assert "Choose a time again" in opened.content.decode()
    assert f"/book/{scene.salon.pk}/?service=classic&amp;minutes=60" in opened.content.decode()
    assert not Appointment.objects.exists()
    # and the time is offered again
    times = Client().get(f"/book/{scene.salon.pk}/?service=classic&minutes=60&therapist=any&date={day:%Y-%m-%d}")
    assert ">10:00<" in times.content.decode()


def test_a_tampered_confirm_link_is_a_404_page(scene):
    assert Client().get("/book/confirm/not-a-token/").status_code == 404


@pytest.fixture
def booked(scene, day):
    client = ClientFactory(salon=scene.salon, given_name="Sabine", consent_reminders=True)
    screening_for(client)
    return appointment_book(client=client, routine=scene.routine, start=scene.at(day, 10), minutes=60)


def reschedule_link(appointment) -> str:
    _, url = client_link_create(
        client=appointment.client,
        purpose=ClientLink.Purpose.RESCHEDULE,
        reference=appointment.pk,
        expires_at=appointment.start,
    )
    return url.removeprefix(SITE)


def test_a_client_moves_a_booking_from_the_link_before_the_cut_off(scene, day, booked):
    browser = Client()
    link = reschedule_link(booked)
    landing = browser.get(link)
    assert landing.status_code == 302
    assert landing["Location"] == "/book/reschedule/"

    later = day + datetime.timedelta(days=1)
    page = browser.get(f"/book/reschedule/?date={later:%Y-%m-%d}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Move my appointment" in html
    value = re.search(r'value="([^"]*T14:00:00[^"]*)"', html).group(1)

    moved = browser.post(f"/book/reschedule/?date={later:%Y-%m-%d}", {"time": value})

    assert moved.status_code == 200, moved.content.decode()[:500]
    booked.refresh_from_db()
    assert booked.start.astimezone(BERLIN) == scene.at(later, 14)
    assert booked.end - booked.start == datetime.timedelta(minutes=60)
    assert AppointmentChange.objects.filter(appointment=booked, kind=AppointmentChange.Kind.RESCHEDULED).exists()
    assert Notification.objects.filter(appointment=booked, kind="reschedule").exists()
    # The link is spent: the notice of the move carries a new one.
    assert ClientLink.objects.get(purpose=ClientLink.Purpose.RESCHEDULE).used_at is not None
    again = browser.get(link)
    assert again.status_code == 410
    assert "Already moved" in again.content.decode()


def test_a_time_not_from_the_list_is_refused_with_400(scene, day, booked):
    browser = Client()
    browser.get(reschedule_link(booked))

    response = browser.post("/book/reschedule/", {"time": "tomorrow/1"})

    assert response.status_code == 400
    assert "Please choose one of the times listed." in response.content.decode()


def test_after_the_cut_off_the_page_says_to_call(scene, booked):
    Appointment.objects.filter(pk=booked.pk).update(
        start=timezone.now() + datetime.timedelta(hours=5),
        end=timezone.now() + datetime.timedelta(hours=6),
        busy_until=timezone.now() + datetime.timedelta(hours=6, minutes=15),
    )
    booked.refresh_from_db()
    browser = Client()
    browser.get(reschedule_link(booked))

    page = browser.get("/book/reschedule/")
    pressed = browser.post("/book/reschedule/", {"time": "x"})

    assert page.status_code == 200
    assert "Please call us" in page.content.decode()
    assert "+49 30 1234567" in page.content.decode()
    assert "Move my appointment" not in page.content.decode()
    assert pressed.status_code == 409
    start = booked.start
    booked.refresh_from_db()
    assert booked.start == start


HEALTH_WORDS = ("clot", "thrombosis", "osteoporosis", "screening says", "blocked")


def test_a_client_whose_screening_needs_review_books_and_sees_no_health_reason(scene, day, receptionist):
    from sessions.services.online import hold_token

    client = ClientFactory(salon=scene.salon, given_name="F", family_name="L", email="flag@example.com")
    screening_for(client, osteoporosis=True)
    hold = booking_hold_create(
        salon=scene.salon, routine=scene.routine, start=scene.at(day, 10), minutes=60,
        given_name="F", family_name="L", email="flag@example.com",
    )  # fmt: skip
    browser = Client()

    booked = browser.post(f"/book/confirm/{hold_token(hold)}/")

    html = booked.content.decode().lower()
    assert "you are booked" in html
    assert not any(word in html for word in HEALTH_WORDS)
    # while staff see that it came online, and its therapist the flag (not why: that is for the session page)
    appointment = Appointment.objects.get(client=client)
    assert appointment.origin == Appointment.Origin.ONLINE
    desk, therapist = Client(), Client()
    sign_in(desk, receptionist)
    sign_in(therapist, appointment.therapist.user)
    assert "Online booking" in desk.get(f"/desk/appointments/{appointment.pk}/").content.decode()
    assert "Needs therapist review" in therapist.get(f"/my-day/?date={day:%Y-%m-%d}").content.decode()


def test_the_privacy_notice_has_its_own_page(scene):
    response = Client().get(f"/book/privacy/?location={scene.salon.pk}")

    assert response.status_code == 200
    assert "health questions" in response.content.decode()


def test_a_location_that_takes_no_bookings_online_is_not_found(scene):
    scene.salon.online_booking = False
    scene.salon.save()

    assert Client().get(f"/book/{scene.salon.pk}/").status_code == 404


def test_staff_signed_in_see_the_same_pages(scene):
    browser = Client()
    sign_in(browser, UserFactory(username="desk2"))

    assert browser.get(f"/book/{scene.salon.pk}/").status_code == 200


def test_the_steps_page_reads_a_fixed_number_of_queries(scene, day, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        Client().get(f"/book/{scene.salon.pk}/?service=classic&minutes=60&therapist=any&date={day:%Y-%m-%d}")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # inside a transaction nothing is remembered
def test_the_times_page_asked_again_reads_only_the_stamp_and_shows_a_booking_made_since(
    scene, day, django_assert_max_num_queries
):
    url = f"/book/{scene.salon.pk}/?service=classic&minutes=60&therapist=any&date={day:%Y-%m-%d}"
    # Given the day's times, shown once: Anna and Ben are free at 10:00
    assert Client().get(url).content.decode().count(">10:00<") == 1

    # When the page is asked for again, nothing having changed, it reads the stamp once and nothing else
    with django_assert_max_num_queries(1):
        again = Client().get(url).content.decode()
    assert again.count(">10:00<") == 1

    # When both therapists are booked at 10:00, the page no longer offers it
    for therapist in scene.therapists:
        appointment_book(client=scene.clients[0], routine=scene.routine, therapist=therapist, minutes=60,
                         start=datetime.datetime.combine(day, datetime.time(10), tzinfo=BERLIN))  # fmt: skip
    assert ">10:00<" not in Client().get(url).content.decode()


def test_nothing_personal_reaches_a_client_record_before_confirming(scene, day):
    before = ClientRecord.objects.count()

    hold_through_pages(Client(), scene, day)

    assert ClientRecord.objects.count() == before


def blocked_client_hold(scene, day):
    """A hold for a client whose screening (blood clots) rules the routine out."""
    client = ClientFactory(salon=scene.salon, given_name="B", family_name="L", email="blocked@example.com")
    screening_for(client, blood_clots=True)
    hold = booking_hold_create(
        salon=scene.salon, routine=scene.routine, start=scene.at(day, 10), minutes=60,
        given_name="B", family_name="L", email="blocked@example.com",
    )  # fmt: skip
    return client, hold


def test_a_client_whose_screening_blocks_the_routine_books_and_sees_no_health_reason(scene, day, receptionist):
    from sessions.services.online import hold_token
    from sessions.services.outbox import notification_deliver, notification_start_sending

    # Given a location that lets such clients book online (the default), and one of them holding a time
    client, hold = blocked_client_hold(scene, day)
    browser = Client()

    # When they confirm it
    pressed = browser.post(f"/book/confirm/{hold_token(hold)}/")
    page = browser.get(pressed["Location"]) if pressed.status_code == 302 else pressed

    # Then they are booked like anyone else, and neither the page nor the confirmation email says why it is flagged
    assert page.status_code == 200
    appointment = Appointment.objects.get(client=client)
    assert appointment.plan is None
    assert appointment.plan_problem
    confirmation = Notification.objects.get(appointment=appointment, kind="confirmation")
    notification_deliver(notification=notification_start_sending(notification_id=confirmation.pk))
    (email,) = [message for message in mail.outbox if message.to == ["blocked@example.com"]]
    texts = [page.content.decode(), email.subject, email.body, *(body for body, _ in email.alternatives)]
    assert "you are booked" in texts[0].lower()
    for text in texts:
        assert not any(word in text.lower() for word in (*HEALTH_WORDS, "screening", "review", "plan"))
    # while the desk sees the flag on the booking, with no health detail either
    desk = Client()
    sign_in(desk, receptionist)
    panel = desk.get(f"/desk/appointments/{appointment.pk}/").content.decode()
    assert "Screening needs review before this session" in panel
    assert "Online booking" in panel
    assert not any(word in panel.lower() for word in ("clot", "thrombosis"))


def test_when_the_location_says_no_a_blocked_client_is_asked_to_call_without_the_health_reason(scene, day):
    from sessions.services.online import hold_token

    # Given a location whose clients with a blocking screening must book by phone
    scene.salon.online_screening_blocked = False
    scene.salon.save()
    client, hold = blocked_client_hold(scene, day)
    browser = Client()

    # When the client confirms their hold
    pressed = browser.post(f"/book/confirm/{hold_token(hold)}/")

    # Then they are asked to call, not told why, and nothing is booked
    html = pressed.content.decode().lower()
    assert pressed.status_code == 409
    assert "please call" in html
    assert "+49 30 1234567" in html
    assert not any(word in html for word in (*HEALTH_WORDS, "screening", "review"))
    assert not Appointment.objects.filter(client=client).exists()


def test_moving_offers_times_that_overlap_the_booking_itself(scene, day, booked):
    browser = Client()
    browser.get(reschedule_link(booked))

    html = browser.get(f"/book/reschedule/?date={day:%Y-%m-%d}").content.decode()

    # 10:00 is the booking itself: half an hour later is offered, with the same therapist
    value = re.search(r'value="([^"]*T10:30:00[^"]*)"', html).group(1)
    assert value.endswith(f"/{booked.therapist_id}")
    assert browser.post(f"/book/reschedule/?date={day:%Y-%m-%d}", {"time": value}).status_code == 200
    booked.refresh_from_db()
    assert booked.start.astimezone(BERLIN) == scene.at(day, 10, 30)


def test_the_summary_signs_the_details_and_a_hold_refuses_them_altered_or_from_another_location(scene, day):
    browser = Client()
    base = f"/book/{scene.salon.pk}"
    summary = browser.post(f"{base}/details/?{choices(day)}", DETAILS)
    signed = signed_details(summary)
    other = salon_scenario(therapists=["Cem"], rooms=["Eiche"]).salon
    other.online_booking = True
    other.save()

    # Given the details with a changed letter, and the same details posted to another location
    altered = browser.post(f"{base}/hold/?{choices(day)}", {"details": signed.replace("A", "B", 1)})
    elsewhere = browser.post(f"/book/{other.pk}/hold/?{choices(day)}", {"details": signed})

    # Then both are sent back to the details form, and nothing is held
    assert altered.status_code == elsewhere.status_code == 302
    assert altered["Location"].startswith(f"{base}/details/?")
    assert not BookingHold.objects.exists()


def later(monkeypatch, minutes: int) -> None:
    """Signatures read as if ``minutes`` had passed (their clock only)."""
    now = time.time()
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: now + minutes * 60))


def test_details_signed_over_an_hour_ago_are_asked_for_again(scene, day, monkeypatch):
    browser = Client()
    base = f"/book/{scene.salon.pk}"
    signed = signed_details(browser.post(f"{base}/details/?{choices(day)}", DETAILS))

    later(monkeypatch, 61)
    response = browser.post(f"{base}/hold/?{choices(day)}", {"details": signed})

    assert response.status_code == 302
    assert not BookingHold.objects.exists()


def test_changing_the_details_from_the_summary_fills_the_form_in_again(scene, day):
    browser = Client()
    base = f"/book/{scene.salon.pk}"
    signed = signed_details(browser.post(f"{base}/details/?{choices(day)}", DETAILS))

    page = browser.post(f"{base}/details/?{choices(day)}", {"details": signed, "change": "1"})

    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="Lovelace"' in html
    assert 'value="ada@example.com"' in html
    assert not BookingHold.objects.exists()


def test_the_page_after_holding_is_named_by_a_signed_address_that_ends_with_the_hold(scene, day, monkeypatch):
    browser = Client()
    held = hold_through_pages(browser, scene, day)
    page = held["Location"]

    assert "Check your email" in browser.get(page).content.decode()
    assert browser.get(page.replace("held=", "held=x")).status_code == 302

    later(monkeypatch, scene.salon.online_hold_minutes + 1)
    assert browser.get(page).status_code == 302


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"HTTP_ORIGIN": "https://evil.example"}, 403),
        ({"HTTP_ORIGIN": "https://evil.example", "HTTP_SEC_FETCH_SITE": "same-origin"}, 403),
        ({"HTTP_ORIGIN": "null", "HTTP_SEC_FETCH_SITE": "cross-site"}, 403),
        ({"HTTP_SEC_FETCH_SITE": "cross-site"}, 403),
        ({"HTTP_ORIGIN": "http://testserver", "HTTP_SEC_FETCH_SITE": "same-origin"}, 200),
        # The salon's own website, where the page is embedded (and may post from a form of its own)
        ({"HTTP_ORIGIN": "https://www.lindenhof.example", "HTTP_SEC_FETCH_SITE": "cross-site"}, 200),
    ],
)
def test_booking_posts_are_taken_from_this_site_and_the_locations_own_sites_only(scene, day, headers, status):
    scene.salon.online_embed_origins = ["https://www.lindenhof.example"]
    scene.salon.save()

    response = Client().post(f"/book/{scene.salon.pk}/details/?{choices(day)}", DETAILS, **headers)

    assert response.status_code == status
    if status == 403:
        assert "Sent from another website" in response.content.decode()


def test_a_site_another_location_lists_may_not_post_to_this_one(scene, day):
    other = salon_scenario(therapists=["Cem"], rooms=["Eiche"]).salon
    other.online_embed_origins = ["https://www.other.example"]
    other.save()

    signed = signed_details(Client().post(f"/book/{scene.salon.pk}/details/?{choices(day)}", DETAILS))
    response = Client().post(
        f"/book/{scene.salon.pk}/hold/?{choices(day)}",
        {"details": signed},
        HTTP_ORIGIN="https://www.other.example",
        HTTP_SEC_FETCH_SITE="cross-site",
    )

    assert response.status_code == 403
    assert not BookingHold.objects.exists()


# --- A phone number alone: the link goes by SMS -----------------------------------------


def test_a_client_with_only_a_phone_number_books_by_the_link_in_an_sms(
    scene, day, eager_celery, django_capture_on_commit_callbacks, sms_outbox
):
    browser = Browser()
    base = f"/book/{scene.salon.pk}"

    # Given a client who gives a phone number and no email address
    summary = browser.post(f"{base}/details/?{choices(day)}", {**DETAILS, "email": ""})
    assert summary.status_code == 200
    assert "send you a link by SMS" in summary.content.decode()

    # When they hold the time
    with django_capture_on_commit_callbacks(execute=True):
        held = browser.post(f"{base}/hold/?{choices(day)}", {"details": signed_details(summary)})
    assert held.status_code == 302
    sent = browser.get(held["Location"]).content.decode()

    # Then the page says to look at the phone, and the link went by SMS to that number alone
    assert "Check your phone" in sent
    assert "+4915123456789" in sent
    assert mail.outbox == []
    (sms,) = sms_outbox
    assert sms["to"] == "+4915123456789"
    link = next(word for word in sms["text"].split() if "/book/confirm/" in word).removeprefix(SITE)

    # And confirming from it books a new client known by that number, who is told to expect an SMS
    confirmed = browser.post(link)
    assert confirmed.status_code == 200
    booked_page = confirmed.content.decode()
    appointment = Appointment.objects.get()
    assert (appointment.client.phone, appointment.client.email) == ("+4915123456789", "")
    assert appointment.origin == Appointment.Origin.ONLINE
    assert "on its way to you by SMS" in booked_page
    for address in browser.redirects:
        assert not any(value.lower() in readable_part(address).lower() for value in PERSONAL), address


@pytest.mark.parametrize(
    ("typed", "fields"),
    [
        ({"email": "", "phone": "12"}, ["phone"]),
        ({"email": "", "phone": ""}, ["email", "phone"]),
    ],
)
def test_a_bad_or_missing_phone_number_is_a_400_naming_the_field(scene, day, typed, fields):
    response = Client().post(f"/book/{scene.salon.pk}/details/?{choices(day)}", {**DETAILS, **typed})

    assert response.status_code == 400
    html = response.content.decode()
    for field in fields:
        assert re.search(rf'id="id_{field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="id_{field}"', html)
    assert not BookingHold.objects.exists()


def test_holding_too_often_for_one_phone_number_gets_a_429_page(scene, day, monkeypatch):
    monkeypatch.setitem(ContactThrottle.THROTTLE_RATES, "online_contact", "1/hour")
    phone_only = {**DETAILS, "email": ""}
    first = hold_through_pages(Client(REMOTE_ADDR="10.0.0.1"), scene, day, hour=9, details=phone_only)
    # The same number, written the international way
    second = hold_through_pages(
        Client(REMOTE_ADDR="10.0.0.2"), scene, day, hour=11, details={**phone_only, "phone": "+49 151 23456789"}
    )

    assert (first.status_code, second.status_code) == (302, 429)
    assert BookingHold.objects.count() == 1


def test_the_reschedule_page_of_an_sms_link_also_cancels(scene, day, booked):
    browser = Client()
    assert browser.get(reschedule_link(booked)).status_code == 302
    page = browser.get("/book/reschedule/").content.decode()
    assert "Cancel my appointment" in page

    cancelled = browser.post("/book/reschedule/", {"action": "cancel"})

    assert cancelled.status_code == 200
    assert "is cancelled" in cancelled.content.decode()
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.CANCELLED
    assert Notification.objects.filter(appointment=booked, kind="cancellation").exists()
    assert ClientLink.objects.get(purpose=ClientLink.Purpose.RESCHEDULE).used_at is not None


def test_after_the_cut_off_the_reschedule_page_cancels_nothing(scene, booked):
    browser = Client()
    assert browser.get(reschedule_link(booked)).status_code == 302
    scene.salon.client_cancel_hours = 24 * 30
    scene.salon.save()

    refused = browser.post("/book/reschedule/", {"action": "cancel"})

    assert refused.status_code == 409
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.BOOKED
