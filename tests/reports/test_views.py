"""/reports/ and its CSV downloads: managers only, the hand-worked week of
``conftest.py`` on the page, and downloads whose totals are the page's."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest

from salon.roles import Role
from tests.factories import UserFactory
from tests.helpers import sign_in
from tests.reports.conftest import MONDAY, book

WEEK = {"period": "custom", "first_day": "2026-03-02", "last_day": "2026-03-08"}
# Signing in and the header's locations (5), availability's calendar without its bookings (4), the period's
# appointments grouped for the tables and by time and the tables' names (3), the previous period (1), clients,
# feedback, messages and courses (4).
QUERIES = 17
# A table's download: the same less the previous period, the clients, feedback, messages, courses and the days.
CSV_QUERIES = 11


@pytest.fixture
def manager_browser(client, week):
    manager = UserFactory(roles=[Role.MANAGER])
    manager.locations.add(week.scene.salon)
    sign_in(client, manager)
    return client


def rows_of(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def cell(html: str, label: str, column: int) -> str:
    """The text of a row's cell (0: the first after the row's heading) in the first table with that row."""
    row = re.search(rf'<th scope="row">{re.escape(label)}</th>(.*?)</tr>', html, re.S).group(1)
    return re.sub(r"<[^>]+>", "", re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[column]).strip()


def test_names_in_the_tables_are_shown_as_text_not_markup(manager_browser, week):
    from salon.models import Room, Therapist

    # given a therapist and a room whose names look like markup
    Therapist.objects.filter(pk=week.anna.pk).update(display_name="<b>Anna</b>")
    Room.objects.filter(pk=week.linden.pk).update(name="Linden & <i>Co</i>")

    # when the manager opens the week
    html = manager_browser.get("/reports/", WEEK).content.decode()

    # then the tables show the names as written, escaped
    assert "<b>Anna</b>" not in html
    assert "<i>Co</i>" not in html
    assert cell(html, "&lt;b&gt;Anna&lt;/b&gt;", 0) == "3"
    assert cell(html, "Linden &amp; &lt;i&gt;Co&lt;/i&gt;", 0) == "3"


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.THERAPIST])
@pytest.mark.parametrize("path", ["/reports/", "/reports/therapists.csv", "/reports/appointments.csv"])
def test_only_managers_may_see_reports(client, week, role, path):
    user = UserFactory(roles=[role])
    user.locations.add(week.scene.salon)
    sign_in(client, user)

    assert client.get(path, WEEK).status_code == 403


def test_the_page_shows_the_week_with_a_fixed_number_of_queries(manager_browser, django_assert_max_num_queries):
    with django_assert_max_num_queries(QUERIES):
        response = manager_browser.get("/reports/", WEEK)

    html = response.content.decode()
    assert response.status_code == 200
    # the total: 6 bookings, 2 completed, 1 in time, 1 late, 1 no-show, €135.00, €70.00 expected, 3 h of 108 h
    assert [cell(html, "All", column) for column in range(10)] == [
        "6", "2 (33 %)", "1 (17 %)", "1 (17 %)", "1 (17 %)", "€135.00", "€70.00", "3 h", "108 h", "3 %",
    ]  # fmt: skip
    assert cell(html, "Anna", 0) == "3"
    assert cell(html, "Anna", 1) == "2 (67 %)"
    assert cell(html, "Anna", 5) == "€135.00"
    assert cell(html, "Ben", 3) == "1 (33 %)"
    assert cell(html, "Ben", 6) == "€70.00"
    assert cell(html, "Birke", 8) == "72 h"  # six days open, 12 hours each
    # the comparison with the week before: one completed €60.00 session then
    assert cell(html, "Bookings", 0) == "6"
    assert cell(html, "Bookings", 1) == "1"
    assert cell(html, "Bookings", 2) == "+500 %"
    assert cell(html, "Revenue", 1) == "€60.00"
    assert "<caption" in html
    assert "<svg" in html
    # the heat map: columns from 09:00, when Anna and Ben start; one of the two booked on Monday 10–11
    assert [cell(html, "Mon", column) for column in range(3)] == ["0 %", "50 %", "0 %"]


def test_the_csv_totals_are_the_page_s(manager_browser):
    page = manager_browser.get("/reports/", WEEK).content.decode()

    for table, label_column in (
        ("locations", "Location"),
        ("therapists", "Therapist"),
        ("rooms", "Room"),
        ("services", "Service"),
    ):
        rows = rows_of(manager_browser.get(f"/reports/{table}.csv", WEEK))
        assert sum(int(row["Bookings"]) for row in rows) == int(cell(page, "Bookings", 0)), table
        assert sum(Decimal(row["Revenue"]) for row in rows) == Decimal("135.00"), table
        assert all(row[label_column] for row in rows)
    days = rows_of(manager_browser.get("/reports/days.csv", WEEK))
    assert [row["Day"] for row in days][:2] == ["2026-03-02", "2026-03-03"]
    assert sum(int(row["Bookings"]) for row in days) == 6
    assert sum(Decimal(row["Revenue"]) for row in days) == Decimal("135.00")
    appointments = rows_of(manager_browser.get("/reports/appointments.csv", WEEK))
    assert len(appointments) == 6
    assert sum(Decimal(row["Price"]) for row in appointments if row["Status"] == "completed") == Decimal("135.00")


@pytest.mark.parametrize(("table", "queries"), [("therapists", CSV_QUERIES), ("days", CSV_QUERIES + 1)])
def test_a_download_takes_a_fixed_number_of_queries(manager_browser, django_assert_max_num_queries, table, queries):
    with django_assert_max_num_queries(queries):
        response = manager_browser.get(f"/reports/{table}.csv", WEEK)

    assert response.status_code == 200
    assert len(rows_of(response)) == {"therapists": 2, "days": 7}[table]


def test_the_appointments_csv_carries_no_health_data(manager_browser, week):
    from tests.factories import screening_for

    screening_for(week.scene.client, allergies="almond oil")

    response = manager_browser.get("/reports/appointments.csv", WEEK)

    text = response.content.decode()
    header = text.splitlines()[0]
    assert header == (
        "Appointment,Location,Start,End,Therapist,Room,Service,Client number,Status,Cancelled late,Booked by,"
        "Price,Currency"
    )
    assert "almond" not in text
    assert "2026-03-02T10:00+01:00" in text


def test_a_name_like_a_formula_is_not_run_by_a_spreadsheet(manager_browser, week):
    week.anna.display_name = "=HYPERLINK(1)"
    week.anna.save()

    rows = rows_of(manager_browser.get("/reports/therapists.csv", WEEK))

    assert rows[0]["Therapist"] == "'=HYPERLINK(1)"


def test_a_bad_period_is_refused_naming_the_field(manager_browser):
    page = manager_browser.get("/reports/", {"period": "custom", "first_day": "2026-03-08", "last_day": "2026-03-02"})
    download = manager_browser.get("/reports/rooms.csv", {"period": "custom", "first_day": "2026-03-08"})

    assert page.status_code == 400
    assert "The last day comes on or after the first." in page.content.decode()
    assert download.status_code == 400
    assert download.content.decode() == "last_day: Give the last day."


def test_an_unknown_table_is_not_found(manager_browser):
    assert manager_browser.get("/reports/clients.csv", WEEK).status_code == 404


def test_all_locations_adds_up_the_manager_s_locations(client, week):
    from tests.factories import RoomFactory, SalonFactory

    # given a second location, in London, with no bookings, granted to the manager
    london = SalonFactory(business=week.scene.salon.business, name="London", time_zone="Europe/London", currency="EUR")
    RoomFactory(salon=london, name="Thames")
    manager = UserFactory(roles=[Role.MANAGER])
    manager.locations.add(week.scene.salon, london)
    sign_in(client, manager)

    html = client.get("/reports/", {**WEEK, "scope": "all"}).content.decode()

    assert cell(html, "London", 0) == "0"
    assert cell(html, week.scene.salon.name, 0) == "6"
    assert cell(html, "All", 0) == "6"


def test_more_appointments_take_no_more_queries(manager_browser, week, django_assert_max_num_queries):
    # given 28 more sessions through the week, at every status
    statuses = ("completed", "cancelled", "no_show", "booked")
    for day in range(7):
        for number, status in enumerate(statuses):
            book(
                week.scene, therapist=week.ben, room=week.linden, routine=week.neck,
                day=MONDAY + datetime.timedelta(days=day), hour=17 + number % 3, minute=20 * (number // 3), minutes=15,
                status=status,
            )  # fmt: skip

    with django_assert_max_num_queries(QUERIES):
        response = manager_browser.get("/reports/", WEEK)

    assert cell(response.content.decode(), "All", 0) == str(6 + 28)


def test_all_locations_are_only_those_the_manager_is_granted(client, week):
    from tests.factories import RoomFactory, SalonFactory

    # given another location of the business, not granted, with a completed session
    hamburg = SalonFactory(business=week.scene.salon.business, name="Hamburg", time_zone="Europe/Berlin")
    room = RoomFactory(salon=hamburg, name="Elbe")
    book(week.scene, therapist=week.ben, room=room, routine=week.neck, day=MONDAY, hour=12, price=9900)
    manager = UserFactory(roles=[Role.MANAGER], all_locations=False)
    manager.locations.add(week.scene.salon)
    sign_in(client, manager)

    html = client.get("/reports/", {**WEEK, "scope": "all"}).content.decode()

    assert "Hamburg" not in html
    assert cell(html, "All", 0) == "6"
    assert cell(html, "All", 5) == "€135.00"
