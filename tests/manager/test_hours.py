"""The manager's page for opening hours and closures: a manager sets the
week's hours as a grid (a lunch break, a closed day), closes a day and sets
special hours from it; a change over a booked session is refused on the
page, with the session named; nobody else gets in."""

import datetime

import pytest

from salon.models import SpecialDay
from salon.roles import Role
from sessions.services.booking import appointment_book
from tests.factories import UserFactory, short_routine
from tests.helpers import at, sign_in
from tests.scenario import salon_scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    return salon_scenario()


@pytest.fixture
def manager_page(client, scene):
    sign_in(client, UserFactory(roles=[Role.MANAGER]))
    return client


@pytest.fixture
def holiday():
    return datetime.date.today() + datetime.timedelta(days=9)


def test_a_manager_closes_a_public_holiday_and_sees_it_listed(manager_page, scene, holiday):
    answer = manager_page.post(
        "/manage/hours/closures/", {"first_day": holiday, "last_day": holiday, "reason": "Public holiday"}
    )

    assert answer.status_code == 302
    page = manager_page.get(answer["Location"])
    text = page.content.decode()
    assert f"{holiday:%a} {holiday.day} {holiday:%b %Y}" in text
    assert "Public holiday" in text
    assert SpecialDay.objects.get(salon=scene.salon, day=holiday).closed


def test_special_hours_then_back_to_the_weekly_hours(manager_page, scene, holiday):
    manager_page.post("/manage/hours/special/", {"day": holiday, "opens": "10:00", "closes": "14:00"})
    assert SpecialDay.objects.get(day=holiday).opens == datetime.time(10)

    answer = manager_page.post(f"/manage/hours/special/{holiday}/clear/")

    assert answer.status_code == 302
    assert not SpecialDay.objects.exists()


def test_a_closure_over_a_booked_session_is_refused_on_the_page(manager_page, scene, holiday):
    appointment_book(client=scene.client, routine=short_routine(), start=at(holiday, 10))

    page = manager_page.post("/manage/hours/closures/", {"first_day": holiday, "last_day": holiday})

    assert page.status_code == 409
    assert "move or cancel it first" in page.content.decode()
    assert str(scene.client) in page.content.decode()
    assert not SpecialDay.objects.exists()


def test_bad_input_is_shown_next_to_its_field(manager_page, holiday):
    page = manager_page.post("/manage/hours/special/", {"day": holiday, "opens": "14:00", "closes": "10:00"})

    assert page.status_code == 400
    assert page.context["hours_form"].errors == {"closes": ["Closing comes after opening."]}


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.THERAPIST])
def test_only_managers_get_in(client, scene, role):
    sign_in(client, UserFactory(roles=[role]))

    assert client.get("/manage/hours/").status_code == 403
    assert client.post("/manage/hours/closures/", {}).status_code == 403


def week_post(days: dict[int, list[tuple[str, str]]], **extra) -> dict:
    """The weekly grid as the page sends it: ``{0: [("08:00", "12:00")]}``."""
    data = {"week": "opening-hours", **extra}
    for weekday in range(7):
        for number, (opens, closes) in enumerate(days.get(weekday, [("", "")]), start=1):
            data[f"open-{weekday}-{number}-from"] = opens
            data[f"open-{weekday}-{number}-to"] = closes
    return data


def test_the_page_shows_the_week_as_a_grid(manager_page, scene):
    page = manager_page.get("/manage/hours/")

    text = page.content.decode()
    assert 'name="open-0-1-from" value="08:00"' in text
    assert "Monday hours 1 </span>from" in text
    assert 'Add opening hours<span class="visually-hidden"> on Sunday</span>' in text


def test_a_manager_sets_a_lunch_break_and_closes_sundays(manager_page, scene):
    from salon.models import OpeningHours

    lunch = [("08:00", "12:00"), ("13:00", "20:00")]
    answer = manager_page.post("/manage/hours/week/", week_post(dict.fromkeys(range(6), lunch)))

    assert answer.status_code == 302
    rows = OpeningHours.objects.filter(salon=scene.salon)
    assert rows.count() == 12
    assert not rows.filter(weekday=6).exists()
    page = manager_page.get(answer["Location"])
    assert "Weekly opening hours saved." in page.content.decode()
    assert [row.starts for row in page.context["week_grid"].days[0].rows] == ["08:00", "13:00"]


def test_without_script_add_opening_hours_comes_back_with_a_row_more(manager_page, scene):
    from salon.models import OpeningHours

    before = list(OpeningHours.objects.values_list("pk", flat=True))

    page = manager_page.post("/manage/hours/week/", week_post({0: [("08:00", "12:00")]}, grid_action="add:open-0"))

    assert page.status_code == 200
    assert [(row.number, row.starts) for row in page.context["week_grid"].days[0].rows] == [(1, "08:00"), (2, "")]
    assert list(OpeningHours.objects.values_list("pk", flat=True)) == before


def test_weekly_hours_with_mistakes_are_shown_next_to_their_day(manager_page, scene):
    page = manager_page.post("/manage/hours/week/", week_post({2: [("08:00", "13:00"), ("12:00", "20:00")]}))

    assert page.status_code == 400
    assert page.context["week_grid"].days[2].errors == [
        "Wednesday hours 1 and 2 overlap (08:00–13:00 and 12:00–20:00)."
    ]


def test_a_week_that_strands_a_booked_session_is_refused_on_the_page(manager_page, scene, holiday):
    appointment_book(client=scene.client, routine=short_routine(), start=at(holiday, 12, 15))
    lunch = [("08:00", "12:00"), ("13:00", "20:00")]

    page = manager_page.post("/manage/hours/week/", week_post(dict.fromkeys(range(7), lunch)))

    assert page.status_code == 409
    assert str(scene.client) in page.content.decode()
    assert [row.starts for row in page.context["week_grid"].days[holiday.weekday()].rows] == ["08:00", "13:00"]


def test_an_empty_post_never_closes_the_week(manager_page, scene):
    from salon.models import OpeningHours

    page = manager_page.post("/manage/hours/week/", {})

    assert page.status_code == 400
    assert OpeningHours.objects.filter(salon=scene.salon).count() == 7
