"""The settings page, /manage/settings/: a manager changes the settings of the
location chosen in the switcher, section by section, in one save; quiet hours
are local wall-clock times; a time zone does not change under booked
sessions; bad input is shown next to its field and nothing is half-written;
what the business shares is changed only by a manager granted every location."""

import datetime

import pytest
from django.core.cache import cache

from salon.models import Business, Salon
from salon.roles import Role
from salon.selectors import FIRST_LOCATION_CACHE_KEY, salon_time_zone
from sessions.services.booking import appointment_book
from sessions.services.lifecycle import appointment_transition
from sessions.services.outbox import outside_quiet_hours
from tests.factories import UserFactory, short_routine
from tests.helpers import sign_in
from tests.scenario import salon_scenario

pytestmark = pytest.mark.django_db

URL = "/manage/settings/"
BUSINESS_URL = "/manage/settings/business/"


@pytest.fixture
def scene():
    return salon_scenario(name="Lindenhof")


@pytest.fixture
def manager_page(client, scene):
    sign_in(client, UserFactory(roles=[Role.MANAGER]))
    return client


def location_form(salon: Salon, **changes) -> dict:
    """What the page posts for ``salon`` as it is stored, with ``changes``."""
    salon.refresh_from_db()
    data = {
        "name": salon.name,
        "address": salon.address,
        "phone": salon.phone,
        "email": salon.email,
        "phone_region": salon.phone_region,
        "time_zone": salon.time_zone,
        "currency": salon.currency,
        "language": salon.language,
        "slot_minutes": salon.slot_minutes,
        "min_notice_minutes": salon.min_notice_minutes,
        "booking_horizon_days": salon.booking_horizon_days,
        "client_cancel_hours": salon.client_cancel_hours,
        "check_in_opens_minutes": salon.check_in_opens_minutes,
        "default_turnover_minutes": salon.default_turnover_minutes,
        "reminder_lead_hours": ", ".join(map(str, salon.reminder_lead_hours)),
        "feedback_delay_minutes": salon.feedback_delay_minutes,
        "quiet_hours_start": f"{salon.quiet_hours_start:%H:%M}",
        "quiet_hours_end": f"{salon.quiet_hours_end:%H:%M}",
        "online_notice_minutes": salon.online_notice_minutes,
        "online_horizon_days": salon.online_horizon_days,
        "online_open_bookings": salon.online_open_bookings,
        "online_hold_minutes": salon.online_hold_minutes,
        "waitlist_offer_minutes": salon.waitlist_offer_minutes,
        "online_embed_origins": "\n".join(salon.online_embed_origins),
    }
    for box in ("screening_required", "online_booking", "online_new_clients", "online_screening_blocked"):
        if getattr(salon, box):
            data[box] = "on"
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def business_form(business: Business, **changes) -> dict:
    business.refresh_from_db()
    data = {
        "name": business.name,
        "screening_valid_months": business.screening_valid_months,
        "clearance_valid_days": business.clearance_valid_days,
        "health_data_retention_months": business.health_data_retention_months,
        "travel_minutes": business.travel_minutes,
    }
    data.update(changes)
    return {f"business-{name}": value for name, value in data.items()}


def stored(salon: Salon) -> dict:
    return Salon.objects.filter(pk=salon.pk).values().get()


def book_tomorrow(scene):
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    return appointment_book(client=scene.client, routine=short_routine(), start=scene.at(tomorrow, 10))


def test_the_page_shows_the_locations_settings_in_their_sections(manager_page, scene):
    page = manager_page.get(URL)

    html = page.content.decode()
    assert page.status_code == 200
    for heading in ("Location and contact", "Booking rules", "Messages to clients", "Health data (business-wide)"):
        assert f">{heading}</h2>" in html
    assert "Settings · Lindenhof" in html
    assert '<optgroup label="Europe">' in html
    assert '<option value="Europe/Berlin" selected>Europe/Berlin</option>' in html
    assert '<label for="id_min_notice_minutes">Minimum notice (minutes)</label>' in html
    assert "Left empty: the default, 24 and 2." in html


@pytest.mark.parametrize(
    ("section", "changes", "expected"),
    [
        (
            "location and contact",
            {"name": "Lindenhof Mitte", "address": "Lindenstraße 1\n10969 Berlin", "phone": "+49 30 1234567",
             "email": "mitte@salon.example", "phone_region": "at", "currency": "chf"},
            {"name": "Lindenhof Mitte", "address": "Lindenstraße 1\n10969 Berlin", "phone": "+49 30 1234567",
             "email": "mitte@salon.example", "phone_region": "AT", "currency": "CHF"},
        ),
        (
            "booking rules",
            {"slot_minutes": 30, "min_notice_minutes": 120, "booking_horizon_days": 60, "client_cancel_hours": 48,
             "check_in_opens_minutes": 30, "default_turnover_minutes": 10, "screening_required": "on"},
            {"slot_minutes": 30, "min_notice_minutes": 120, "booking_horizon_days": 60, "client_cancel_hours": 48,
             "check_in_opens_minutes": 30, "default_turnover_minutes": 10, "screening_required": True},
        ),
        (
            "messages to clients",
            {"reminder_lead_hours": "2, 48 ,24", "feedback_delay_minutes": 90, "quiet_hours_start": "20:30",
             "quiet_hours_end": "09:15"},
            {"reminder_lead_hours": [48, 24, 2], "feedback_delay_minutes": 90,
             "quiet_hours_start": datetime.time(20, 30), "quiet_hours_end": datetime.time(9, 15)},
        ),
    ],
)  # fmt: skip
def test_each_section_saves(manager_page, scene, section, changes, expected):
    before = stored(scene.salon)

    answer = manager_page.post(URL, location_form(scene.salon, **changes))

    assert answer.status_code == 302, answer.content.decode()[:3000]
    after = stored(scene.salon)
    assert {name: after[name] for name in expected} == expected
    assert {name: value for name, value in after.items() if name not in expected} == {
        name: value for name, value in before.items() if name not in expected
    }
    page = manager_page.get(answer["Location"])
    assert f"Settings of {after['name']} saved." in page.content.decode()


def test_empty_reminders_mean_the_default_and_say_so(manager_page, scene):
    Salon.objects.filter(pk=scene.salon.pk).update(reminder_lead_hours=[12])

    manager_page.post(URL, location_form(scene.salon, reminder_lead_hours=""))

    assert stored(scene.salon)["reminder_lead_hours"] == []
    html = manager_page.get(URL).content.decode()
    assert 'name="reminder_lead_hours" maxlength="60"' in html  # shown empty: no value
    assert "Left empty: the default, 24 and 2." in html


def test_quiet_hours_are_local_wall_clock_times_of_the_location(manager_page, scene, settings):
    # given a location in New York, a server in UTC, and a manager in Berlin's business
    settings.TIME_ZONE = "UTC"
    Salon.objects.filter(pk=scene.salon.pk).update(time_zone="America/New_York")

    # when the manager enters quiet hours from 22:30 to 07:15
    answer = manager_page.post(URL, location_form(scene.salon, quiet_hours_start="22:30", quiet_hours_end="07:15"))

    # then they are stored and shown as typed, with the zone they are in, and no admin widget's clock note
    assert answer.status_code == 302, answer.content.decode()[:3000]
    salon = Salon.objects.get(pk=scene.salon.pk)
    assert (salon.quiet_hours_start, salon.quiet_hours_end) == (datetime.time(22, 30), datetime.time(7, 15))
    html = manager_page.get(URL).content.decode()
    assert 'type="time" name="quiet_hours_start" value="22:30"' in html
    assert 'type="time" name="quiet_hours_end" value="07:15"' in html
    assert "Local time in America/New_York." in html
    assert "server time" not in html
    # and a text message due at 23:00 in New York waits for 07:15 there
    zone = salon.zone
    due = datetime.datetime(2025, 3, 3, 23, 0, tzinfo=zone)
    assert outside_quiet_hours(due, salon=salon, channel="sms", latest=None) == datetime.datetime(
        2025, 3, 4, 7, 15, tzinfo=zone
    )


def test_a_new_time_zone_is_refused_while_sessions_are_booked_ahead(manager_page, scene):
    # given a session booked tomorrow
    session = book_tomorrow(scene)

    # when the manager moves the location to London and renames it in the same save
    answer = manager_page.post(URL, location_form(scene.salon, time_zone="Europe/London", name="Lindenhof London"))

    # then nothing changed, and the page says why next to the time zone, naming the session
    html = answer.content.decode()
    assert answer.status_code == 409
    assert 'id="id_time_zone_error"' in html
    assert "1 session is booked ahead" in html
    assert f"{session.start.astimezone(scene.salon.zone):%a %d %b %Y %H:%M}" in html
    assert (stored(scene.salon)["time_zone"], stored(scene.salon)["name"]) == ("Europe/Berlin", "Lindenhof")


def test_a_cancelled_session_does_not_hold_the_zone_and_the_cached_zone_is_dropped(
    manager_page, scene, django_capture_on_commit_callbacks
):
    appointment_transition(appointment=book_tomorrow(scene), to_status="cancelled", reason="Client ill")
    assert salon_time_zone() == "Europe/Berlin"  # cached for pages without a signed-in user

    with django_capture_on_commit_callbacks(execute=True):
        answer = manager_page.post(URL, location_form(scene.salon, time_zone="Europe/London"))

    assert answer.status_code == 302, answer.content.decode()[:3000]
    assert stored(scene.salon)["time_zone"] == "Europe/London"
    assert cache.get(FIRST_LOCATION_CACHE_KEY) is None
    assert salon_time_zone() == "Europe/London"


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"reminder_lead_hours": "24, soon"}, "reminder_lead_hours", "Give whole hours separated by commas"),
        ({"reminder_lead_hours": "1, 2, 3, 4, 5, 6"}, "reminder_lead_hours", "At most 5 reminders"),
        ({"currency": "EU"}, "currency", "at least 3 characters"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", "Select a valid choice"),
        ({"quiet_hours_start": "25:00"}, "quiet_hours_start", "Enter a valid time"),
        ({"booking_horizon_days": 0}, "booking_horizon_days", "greater than or equal to 1"),
        ({"min_notice_minutes": 1440, "booking_horizon_days": 1}, "min_notice_minutes", "Shorter than the booking"),
        ({"name": " "}, "name", "This field is required"),
        ({"phone_region": "D1"}, "phone_region", "two-letter country code"),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_nothing_is_saved(manager_page, scene, changes, field, words):
    before = stored(scene.salon)

    answer = manager_page.post(URL, location_form(scene.salon, slot_minutes=30, **changes))

    html = answer.content.decode()
    assert answer.status_code == 400
    error = html.split(f'id="id_{field}_error"', 1)[1].split("</ul>", 1)[0]
    assert words in error
    assert 'role="alert"' in html
    assert stored(scene.salon) == before  # the slot grid sent with it did not change either


def test_another_locations_name_is_refused_next_to_the_name(manager_page, scene):
    scene.location_add(name="Wedding", time_zone="Europe/Berlin")  # after Lindenhof: not the one shown

    answer = manager_page.post(URL, location_form(scene.salon, name="wedding"))

    assert answer.status_code == 400
    assert "Another location of the business has this name." in answer.content.decode().split('id="id_name_error"')[1]


def test_the_page_acts_on_the_location_chosen_in_the_switcher(client, scene):
    london, _ = scene.location_add(name="London", time_zone="Europe/London")
    manager = UserFactory(roles=[Role.MANAGER])
    sign_in(client, manager)
    client.post("/accounts/location/", {"location": london.pk, "next": URL})

    page = client.get(URL)
    answer = client.post(URL, location_form(london, slot_minutes=20))

    assert "Settings · London" in page.content.decode()
    assert answer.status_code == 302
    assert (stored(london)["slot_minutes"], stored(scene.salon)["slot_minutes"]) == (20, 15)


def test_a_manager_of_every_location_changes_what_the_business_shares(manager_page, scene):
    business = scene.salon.business

    answer = manager_page.post(
        BUSINESS_URL,
        business_form(business, name="Lindenhof GmbH", screening_valid_months=6, clearance_valid_days=30,
                      health_data_retention_months=36, travel_minutes=45),
    )  # fmt: skip

    assert answer.status_code == 302, answer.content.decode()[:3000]
    assert Business.objects.filter(pk=business.pk).values(*BUSINESS_FIELDS).get() == {
        "name": "Lindenhof GmbH",
        "screening_valid_months": 6,
        "clearance_valid_days": 30,
        "health_data_retention_months": 36,
        "travel_minutes": 45,
    }


BUSINESS_FIELDS = ["name", "screening_valid_months", "clearance_valid_days", "health_data_retention_months",
                   "travel_minutes"]  # fmt: skip


def test_bad_business_input_is_shown_next_to_its_field(manager_page, scene):
    business = scene.salon.business
    before = Business.objects.filter(pk=business.pk).values(*BUSINESS_FIELDS).get()

    answer = manager_page.post(BUSINESS_URL, business_form(business, name="Other", screening_valid_months=61))

    html = answer.content.decode()
    assert answer.status_code == 400
    assert "less than or equal to 60" in html.split('id="id_business-screening_valid_months_error"')[1]
    assert Business.objects.filter(pk=business.pk).values(*BUSINESS_FIELDS).get() == before


def test_a_manager_of_one_location_sees_the_business_settings_read_only(client, scene):
    # given a manager granted only this location
    manager = UserFactory(roles=[Role.MANAGER], all_locations=False)
    manager.locations.add(scene.salon)
    sign_in(client, manager)
    business = scene.salon.business

    # when they open the page, and post the business form anyway
    page = client.get(URL).content.decode()
    refused = client.post(BUSINESS_URL, business_form(business, travel_minutes=5))

    # then they see the values and why they cannot change them, and nothing changed
    assert "Only a manager granted every location can change these" in page
    assert 'name="business-travel_minutes"' not in page
    assert f"<dd>{business.travel_minutes} minutes</dd>" in page
    assert refused.status_code == 403
    business.refresh_from_db()
    assert business.travel_minutes == 30
    # while the location's own settings are theirs to change
    assert client.post(URL, location_form(scene.salon, slot_minutes=30)).status_code == 302


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.THERAPIST])
def test_only_managers_open_or_change_the_settings(client, scene, role):
    sign_in(client, UserFactory(roles=[role]))

    assert client.get(URL).status_code == 403
    assert client.post(URL, location_form(scene.salon, slot_minutes=30)).status_code == 403
    assert client.post(BUSINESS_URL, business_form(scene.salon.business, travel_minutes=5)).status_code == 403
    assert stored(scene.salon)["slot_minutes"] == 15


def test_anonymous_visitors_are_sent_to_the_login(client, scene):
    answer = client.get(URL)

    assert answer.status_code == 302
    assert answer["Location"].startswith("/accounts/login/")


def test_the_page_reads_a_fixed_number_of_queries(manager_page, scene, django_assert_max_num_queries):
    manager_page.get(URL)  # warm the session

    with django_assert_max_num_queries(12):
        assert manager_page.get(URL).status_code == 200


# --- Online booking (issue 18) --------------------------------------------------


def test_the_online_booking_rules_have_a_section_of_their_own(manager_page, scene):
    html = manager_page.get(URL).content.decode()

    assert ">Online booking</h2>" in html
    section = html.split(">Online booking</h2>", 1)[1].split("</section>", 1)[0]
    for name in ("online_booking", "online_new_clients", "online_notice_minutes", "online_horizon_days",
                 "online_open_bookings", "online_hold_minutes", "waitlist_offer_minutes",
                 "online_screening_blocked", "online_embed_origins"):  # fmt: skip
        assert f'name="{name}"' in section, name
    assert "<textarea" in section


def test_the_online_booking_rules_save_with_the_rest(manager_page, scene):
    # Given the defaults (online booking on for everyone)
    before = stored(scene.salon)

    # When the manager turns off new clients and blocked screenings, tightens the rules and lists two sites
    changes = location_form(
        scene.salon,
        online_notice_minutes=240,
        online_horizon_days=30,
        online_open_bookings=2,
        online_hold_minutes=10,
        waitlist_offer_minutes=45,
        online_embed_origins="https://www.Lindenhof.example/\r\n\r\n  https://shop.lindenhof.example:8443\r\n",
    )
    del changes["online_new_clients"], changes["online_screening_blocked"]
    answer = manager_page.post(URL, changes)

    # Then they are stored, the sites in lower case without the slash, and nothing else changed
    assert answer.status_code == 302, answer.content.decode()[:3000]
    expected = {
        "online_booking": True,
        "online_new_clients": False,
        "online_screening_blocked": False,
        "online_notice_minutes": 240,
        "online_horizon_days": 30,
        "online_open_bookings": 2,
        "online_hold_minutes": 10,
        "waitlist_offer_minutes": 45,
        "online_embed_origins": ["https://www.lindenhof.example", "https://shop.lindenhof.example:8443"],
    }
    after = stored(scene.salon)
    assert {name: after[name] for name in expected} == expected
    unchanged = {name: value for name, value in before.items() if name not in expected}
    assert {name: value for name, value in after.items() if name not in expected} == unchanged
    # and the page shows the sites one a line
    assert (
        "https://www.lindenhof.example\nhttps://shop.lindenhof.example:8443</textarea>"
        in manager_page.get(URL).content.decode()
    )


def test_turning_online_booking_off_is_kept(manager_page, scene):
    changes = location_form(scene.salon)
    del changes["online_booking"]

    assert manager_page.post(URL, changes).status_code == 302

    assert stored(scene.salon)["online_booking"] is False


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"online_embed_origins": "www.lindenhof.example"}, "online_embed_origins", "is not a site&#x27;s address"),
        ({"online_embed_origins": "http://www.lindenhof.example"}, "online_embed_origins", "give https://"),
        ({"online_embed_origins": "https://www.lindenhof.example/book"}, "online_embed_origins", "nothing after it"),
        ({"online_embed_origins": "https://a.example; script-src *"}, "online_embed_origins", "not a site"),
        ({"online_embed_origins": "https://user@a.example"}, "online_embed_origins", "not a site"),
        ({"online_embed_origins": "https://a.example:99999"}, "online_embed_origins", "not a site"),
        ({"online_embed_origins": "\n".join(f"https://s{n}.example" for n in range(11))},
         "online_embed_origins", "At most 10 sites"),
        ({"online_hold_minutes": 2}, "online_hold_minutes", "greater than or equal to 5"),
        ({"online_horizon_days": 0}, "online_horizon_days", "greater than or equal to 1"),
        ({"online_open_bookings": 21}, "online_open_bookings", "less than or equal to 20"),
        ({"waitlist_offer_minutes": "soon"}, "waitlist_offer_minutes", "Enter a whole number"),
        ({"online_notice_minutes": 2880, "online_horizon_days": 1}, "online_notice_minutes",
         "Shorter than the online horizon"),
    ],
)  # fmt: skip
def test_bad_online_rules_are_shown_next_to_their_field_and_nothing_is_saved(
    manager_page, scene, changes, field, words
):
    before = stored(scene.salon)

    answer = manager_page.post(URL, location_form(scene.salon, online_booking=None, **changes))

    html = answer.content.decode()
    assert answer.status_code == 400
    error = html.split(f'id="id_{field}_error"', 1)[1].split("</ul>", 1)[0]
    assert words in error
    assert stored(scene.salon) == before  # online booking, sent off with it, is still on


def test_the_settings_api_reads_and_changes_the_online_rules(api_client, scene):
    manager = UserFactory(roles=[Role.MANAGER])
    api_client.force_authenticate(manager)
    url = f"/api/v1/salons/{scene.salon.pk}/settings/"

    changed = api_client.patch(
        url, {"online_embed_origins": ["https://WWW.lindenhof.example/"], "online_hold_minutes": 20}, format="json"
    )

    assert changed.status_code == 200, changed.json()
    assert changed.json()["online_embed_origins"] == ["https://www.lindenhof.example"]
    assert changed.json()["online_hold_minutes"] == 20
    refused = api_client.patch(url, {"online_embed_origins": ["javascript:alert(1)"]}, format="json")
    assert refused.status_code == 400
    assert "online_embed_origins" in refused.json()["fields"]
    assert stored(scene.salon)["online_embed_origins"] == ["https://www.lindenhof.example"]


def test_whether_a_service_is_bookable_online_is_set_on_the_services_page(manager_page, scene):
    short_routine()

    html = manager_page.get("/manage/services/short/").content.decode()

    assert 'name="online"' in html
