"""The front desk's grid and booking form: what each cell says, the three
views, next free slot, book again, moving by drop, and errors kept in place."""

import datetime
import itertools
import re

import pytest

from clients.models import Client
from routines.services import service_set
from salon.models import TimeOff
from salon.roles import Role
from sessions.desk import Wanted, desk_grid
from sessions.models import Appointment
from sessions.services.booking import appointment_book
from sessions.services.lifecycle import appointment_transition
from tests.factories import (
    ClientFactory,
    RoomFactory,
    TherapistFactory,
    UserFactory,
    screening_for,
    short_routine,
    works_every_day,
)
from tests.helpers import at, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk_client(client, password):
    user = UserFactory(roles=[Role.RECEPTIONIST])
    sign_in(client, user)
    return client


def grid_of(salon, routine, day, *, now, view="therapists", minutes=None, therapist_id=None):
    wanted = Wanted.of(routine=routine, salon=salon, minutes=minutes, now=now)
    return desk_grid(salon=salon, day=day, view=view, wanted=wanted, today=now.date(), therapist_id=therapist_id)


def cells_of(grid, column=0) -> dict[datetime.time, object]:
    return {cell.start.time(): cell for row in grid.rows for cell in row.cells if cell.column == column}


def said(grid, column=0) -> dict[str, tuple[str, str]]:
    return {f"{time:%H:%M}": (cell.kind, cell.reason) for time, cell in cells_of(grid, column).items()}


def booking_buttons(html: str) -> list[str]:
    """The accessible names of the grid's "Book …" buttons."""
    return re.findall(r'<span class="visually-hidden">(Book [^<]*)</span>([0-9:]+)</button>', html)


# What each cell says


def test_a_cell_says_where_the_service_fits_and_why_it_does_not(salon, therapist, room, routine, client_, tomorrow):
    # Given Sabine at 10:00 (a one-hour slot) and Anna working 9–17
    appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))

    grid = grid_of(salon, routine, tomorrow, now=at(tomorrow, 7))
    cells = said(grid)

    assert cells["08:45"] == ("off", "Off duty")
    assert cells["09:00"] == ("fits", "")
    assert cells["09:15"] == ("unfit", "Busy from 10:00")
    assert cells["10:00"][0] == "booking"
    assert "10:15" not in cells  # under Sabine's booking
    assert cells["11:00"] == ("fits", "")
    assert cells["16:00"] == ("fits", "")
    assert cells["16:15"] == ("unfit", "Off duty from 17:00")
    booking = (
        cells_of(grid)[datetime.time(10)]
        if False
        else next(cell for row in grid.rows for cell in row.cells if cell.kind == "booking")
    )
    assert booking.span == 4
    assert booking.bookings[0].appointment.client == client_


def test_time_off_a_room_shortage_and_the_closing_time_are_told_apart(salon, therapist, room, routine, tomorrow):
    # Given Anna off 12–13, Ben working until closing (20:00) in the only room, and Ben booked at 10:00
    TimeOff.objects.create(therapist=therapist, start=at(tomorrow, 12), end=at(tomorrow, 13), reason="Doctor")
    ben = TherapistFactory(salon=salon, display_name="Ben")
    works_every_day(ben, datetime.time(9), datetime.time(20))
    appointment_book(client=ClientFactory(salon=salon), routine=routine, start=at(tomorrow, 10), therapist=ben)

    grid = grid_of(salon, routine, tomorrow, now=at(tomorrow, 7))
    anna, ben_cells = said(grid, column=0), said(grid, column=1)

    assert anna["10:00"] == ("unfit", "No room free")
    assert anna["11:15"] == ("unfit", "Time off from 12:00")
    assert anna["12:00"] == ("away", "Time off")
    assert ben_cells["19:00"] == ("fits", "")
    assert ben_cells["19:15"] == ("unfit", "Closes at 20:00")


def test_passed_time_is_shaded_and_the_notice_is_explained(salon, therapist, room, routine, tomorrow):
    # Given it is 11:05 and bookings need 60 minutes' notice
    grid = grid_of(salon, routine, tomorrow, now=at(tomorrow, 11, 5))
    cells = cells_of(grid)

    assert cells[datetime.time(10, 45)].past
    assert cells[datetime.time(10, 45)].kind == "past"
    assert cells[datetime.time(8)].past  # off duty and passed
    assert not cells[datetime.time(11)].past  # the row now falls in
    assert cells[datetime.time(11, 15)].reason == "Needs 60 minutes' notice"
    assert cells[datetime.time(12, 15)].kind == "fits"
    now_rows = [row.label for row in grid.rows if row.now]
    assert now_rows == ["11:00"]


def test_a_therapist_without_the_qualification_is_marked_so(salon, therapist, room, tomorrow):
    therapeutic = short_routine(slug="therapeutic", minutes=45, turnover=15, qualification="therapeutic")

    cells = said(grid_of(salon, therapeutic, tomorrow, now=at(tomorrow, 7)))

    assert cells["10:00"] == ("unfit", "Not qualified for Test routine")


def test_the_chosen_length_decides_what_fits(salon, therapist, room, routine, client_, tomorrow):
    service_set(salon=salon, routine=routine, lengths=[(45, 5500), (90, 9000)])
    appointment_book(client=client_, routine=routine, start=at(tomorrow, 11), minutes=45)

    short = said(grid_of(salon, routine, tomorrow, now=at(tomorrow, 7), minutes=45))
    long = said(grid_of(salon, routine, tomorrow, now=at(tomorrow, 7), minutes=90))

    assert short["10:00"] == ("fits", "")
    assert long["09:15"] == ("fits", "")  # 09:15–11:00 with the turnover
    assert long["09:30"] == ("unfit", "Busy from 11:00")


def test_the_room_view_marks_rooms_and_says_when_no_therapist_is_free(salon, therapist, room, routine, tomorrow):
    # Given two rooms and Anna, the only therapist, booked at 10:00
    RoomFactory(salon=salon, name="Ulme")
    appointment_book(client=ClientFactory(salon=salon), routine=routine, start=at(tomorrow, 10))

    grid = grid_of(salon, routine, tomorrow, now=at(tomorrow, 7), view="rooms")

    assert [column.heading for column in grid.columns] == ["Linden", "Ulme"]
    booked_room = 0 if grid.appointments[0].room.name == "Linden" else 1
    free_room = 1 - booked_room
    assert said(grid, column=free_room)["10:00"] == ("unfit", "No therapist free")
    assert said(grid, column=free_room)["11:00"] == ("fits", "")
    assert said(grid, column=booked_room)["09:15"] == ("unfit", "Busy from 10:00")


def test_the_week_view_lines_up_wall_clock_rows_across_the_change_to_summer_time(salon, therapist, room, routine):
    # Given the week of 29 March 2027 in Berlin (clocks go forward early on Sunday 28 March) and
    # a booking on Monday 29 March and on Sunday 4 April at 09:00
    monday = datetime.date(2027, 3, 22)
    client = ClientFactory(salon=salon)
    now = at(datetime.date(2027, 3, 1), 8)
    for day in (datetime.date(2027, 3, 22), datetime.date(2027, 3, 28)):
        appointment_book(client=client, routine=routine, start=at(day, 9), now=now)

    grid = grid_of(salon, routine, monday + datetime.timedelta(days=3), now=now, view="week", therapist_id=therapist.pk)

    assert grid.day == monday
    assert len(grid.columns) == 7
    assert grid.columns[6].heading == "Sun 28 Mar"
    for column in (0, 6):
        booking = next(cell for row in grid.rows for cell in row.cells if cell.column == column and cell.bookings)
        assert booking.start.strftime("%H:%M") == "09:00"
        assert booking.start.utcoffset() == (datetime.timedelta(hours=1 if column == 0 else 2))
    assert said(grid, column=6)["10:00"] == ("fits", "")


# The page


def test_the_grid_shows_bookings_with_flags_but_no_health_details(
    desk_client, salon, therapist, room, routine, client_, tomorrow
):
    screening_for(client_, oil_or_nut_allergy=True, allergies="almond oil")
    appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))

    html = desk_client.get(f"/desk/?date={tomorrow}&service={routine.pk}").content.decode()

    assert "10:00 Sabine" in html
    assert "Needs therapist review" in html
    assert "almond" not in html
    assert ("Book Anna at ", "09:00") in booking_buttons(html)
    assert ("Book Anna at ", "10:15") not in booking_buttons(html)  # taken
    assert 'role="grid"' in html
    assert 'scope="col">Anna</th>' in html


@pytest.mark.parametrize("view", ["therapists", "rooms", "week"])
def test_twenty_therapists_on_a_fifteen_minute_grid_cost_a_fixed_number_of_queries(
    desk_client, salon, therapist, room, routine, tomorrow, django_assert_max_num_queries, view
):
    for number in range(19):
        works_every_day(TherapistFactory(salon=salon, display_name=f"T{number:02}"))
    for number in range(7):
        RoomFactory(salon=salon, name=f"Room {number}")
    for hour in range(9, 16):
        appointment_book(client=ClientFactory(salon=salon), routine=routine, start=at(tomorrow, hour))

    with django_assert_max_num_queries(12):
        response = desk_client.get(f"/desk/?date={tomorrow}&view={view}&service={routine.pk}")

    assert response.status_code == 200
    assert response.content.decode().count('class="booking ') == 7  # Anna's, the week view's first therapist


def test_a_desk_date_that_is_no_date_is_refused(desk_client, salon):
    response = desk_client.get("/desk/?date=next-week")

    assert response.status_code == 400
    assert "Give the date as YYYY-MM-DD." in response.content.decode()


def test_an_unknown_view_or_service_falls_back_to_the_defaults(desk_client, salon, therapist, room, routine, tomorrow):
    response = desk_client.get(f"/desk/?date={tomorrow}&view=year&service=999999:60")

    assert response.status_code == 200
    assert response.context["grid"].view == "therapists"
    assert response.context["service"] == response.context["services"][0]


def test_the_page_carries_no_script_that_replaces_it_with_an_error_under_debug(desk_client, salon, settings):
    settings.DEBUG = True

    html = desk_client.get("/desk/").content.decode()

    assert "django-htmx.js" not in html
    assert "htmx-2.min.js" in html


@pytest.mark.parametrize("path", ["/desk/", "/desk/book/", "/desk/clients/?q=a", "/desk/next-free/"])
def test_before_any_salon_is_set_up_the_desk_says_so(client, receptionist, path):
    sign_in(client, receptionist)

    response = client.get(path)

    assert response.status_code == 409
    assert "No location is set up yet: a superuser adds the first one" in response.content.decode()


# Booking


def test_booking_a_new_client_with_reminders_and_a_channel(desk_client, salon, therapist, room, routine, tomorrow):
    response = desk_client.post(
        "/desk/book/",
        {"start": f"{tomorrow}T10:00", "service": routine.pk, "therapist": therapist.pk, "room": "",
         "new_given_name": "Ada", "new_family_name": "Neu", "new_phone": "0151 23456789",
         "new_preferred_channel": "sms", "new_consent_reminders": "on"},
        headers={"HX-Request": "true"},
    )  # fmt: skip

    assert response.status_code == 200
    assert "Booked Ada Neu at 10:00." in response.content.decode()
    assert response["HX-Retarget"] == "#desk-grid"
    ada = Client.objects.get(given_name="Ada")
    assert (ada.consent_reminders, ada.preferred_channel, ada.phone) == (True, "sms", "+4915123456789")
    reminders = Appointment.objects.get(client=ada).notifications.filter(kind="reminder")
    assert reminders.exists()
    assert {reminder.channel for reminder in reminders} == {"sms"}


def test_a_service_at_a_length_books_that_length_at_its_price(
    desk_client, salon, therapist, room, routine, client_, tomorrow
):
    service_set(salon=salon, routine=routine, lengths=[(45, 5500), (60, 7000)])

    response = desk_client.post(
        "/desk/book/",
        {"start": f"{tomorrow}T10:00", "service": f"{routine.pk}:60", "therapist": "", "client": client_.pk},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    booked = Appointment.objects.get(client=client_)
    assert (booked.end - booked.start, booked.price_minor) == (datetime.timedelta(minutes=60), 7000)


def test_a_clash_keeps_the_chosen_client_and_what_was_typed(
    desk_client, salon, therapist, room, routine, client_, tomorrow
):
    appointment_book(client=ClientFactory(salon=salon), routine=routine, start=at(tomorrow, 14))

    response = desk_client.post(
        "/desk/book/",
        {"start": f"{tomorrow}T13:30", "service": routine.pk, "therapist": therapist.pk, "client": client_.pk},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == 409
    assert re.search(r'role="alert" tabindex="-1" data-focus-me>\s*<p>Anna is busy from', html)
    assert f'name="client" value="{client_.pk}" checked' in html
    assert f'value="{tomorrow}T13:30"' in html
    assert not Appointment.objects.filter(client=client_).exists()


def test_a_refused_new_client_keeps_the_form_and_names_the_field(
    desk_client, salon, therapist, room, routine, tomorrow
):
    response = desk_client.post(
        "/desk/book/",
        {"start": f"{tomorrow}T10:00", "service": routine.pk, "therapist": therapist.pk, "room": "",
         "new_given_name": "Ada", "new_family_name": "Neu", "new_phone": "12"},
        headers={"HX-Request": "true"},
    )  # fmt: skip

    html = response.content.decode()
    assert response.status_code == 400
    assert 'value="Ada"' in html
    assert re.search(r'id="id_new_phone"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="id_new_phone"', html)
    assert not Client.objects.filter(given_name="Ada").exists()


def test_a_booking_outside_working_hours_rolls_back_the_new_client(
    desk_client, salon, therapist, room, routine, tomorrow
):
    response = desk_client.post(
        "/desk/book/",
        {"start": f"{tomorrow}T07:00", "service": routine.pk, "therapist": therapist.pk, "room": "",
         "new_given_name": "Ada", "new_family_name": "Neu", "new_email": "ada@example.com"},
        headers={"HX-Request": "true"},
    )  # fmt: skip

    assert response.status_code == 400
    assert "is not working at" in response.content.decode()
    assert not Client.objects.filter(given_name="Ada").exists()


def test_a_booking_form_opened_from_a_cell_has_the_cell_and_the_service(desk_client, salon, therapist, routine, room):
    response = desk_client.get(f"/desk/book/?start=2030-01-07T10:00&therapist={therapist.pk}&service={routine.pk}")

    form = response.context["form"]
    assert (form["service"].value(), str(form["therapist"].value())) == (str(routine.pk), str(therapist.pk))
    assert "data-focus-me" in response.content.decode()  # the client search takes the focus


# Next free slot


def test_next_free_offers_the_earliest_starts_spread_across_therapists(desk_client, salon, therapist, room, routine):
    RoomFactory(salon=salon, name="Ulme")
    RoomFactory(salon=salon, name="Eiche")
    for name in ("Ben", "Cleo"):
        works_every_day(TherapistFactory(salon=salon, display_name=name))
    service_set(salon=salon, routine=routine, lengths=[(45, 5500), (60, 7000)])

    response = desk_client.get(f"/desk/next-free/?service={routine.pk}:60")

    slots = response.context["slots"]
    assert len(slots) == 6
    first_three = [slot["therapist_name"] for slot in slots[:3]]
    assert sorted(first_three) == ["Anna", "Ben", "Cleo"]
    for name in ("Anna", "Ben", "Cleo"):
        starts = [slot["start"] for slot in slots if slot["therapist_name"] == name]
        assert all(later - earlier >= datetime.timedelta(hours=1) for earlier, later in itertools.pairwise(starts))
    assert response.content.decode().count(f"service={routine.pk}:60&amp;") == 6


def test_next_free_for_one_therapist_keeps_to_her(desk_client, salon, therapist, room, routine):
    works_every_day(TherapistFactory(salon=salon, display_name="Ben"))

    response = desk_client.get(f"/desk/next-free/?service={routine.pk}&therapist={therapist.pk}")

    assert {slot["therapist_name"] for slot in response.context["slots"]} == {"Anna"}


# Book again


@pytest.mark.parametrize("ended", ["completed", "cancelled"])
def test_book_again_fills_in_the_client_service_length_and_therapist_at_the_next_time_that_fits(
    desk_client, salon, therapist, room, routine, client_, ended
):
    service_set(salon=salon, routine=routine, lengths=[(45, 5500), (60, 7000)])
    ben = TherapistFactory(salon=salon, display_name="Ben")
    works_every_day(ben)
    start = at(datetime.date(2026, 1, 5), 10)
    before = appointment_book(client=client_, routine=routine, start=start, therapist=ben, minutes=60,
                              now=start - datetime.timedelta(days=1))  # fmt: skip
    Appointment.objects.filter(pk=before.pk).update(status=ended)

    response = desk_client.get(f"/desk/book/?again={before.pk}")

    form = response.context["form"]
    assert form.initial["service"] == f"{routine.pk}:60"
    assert form.initial["therapist"] == ben.pk
    assert form.initial["client"] == client_.pk
    assert f'name="client" value="{client_.pk}" checked' in response.content.decode()
    offered = datetime.datetime.fromisoformat(form.initial["start"]).replace(tzinfo=salon.zone)
    from django.utils import timezone

    assert offered >= timezone.now() + datetime.timedelta(minutes=salon.min_notice_minutes - 15)


def test_book_again_for_an_appointment_elsewhere_is_not_found(desk_client, salon, routine, therapist, room, client_):
    assert desk_client.get("/desk/book/?again=999999").status_code == 404


# Moving by drop


def test_a_drop_is_checked_and_confirmed_before_anything_moves(
    desk_client, salon, therapist, room, routine, client_, tomorrow
):
    appointment = appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))
    appointment_book(client=ClientFactory(salon=salon), routine=routine, start=at(tomorrow, 14))

    fits = desk_client.get(f"/desk/appointments/{appointment.pk}/move/?start={tomorrow}T12:00&therapist={therapist.pk}")
    clash = desk_client.get(f"/desk/appointments/{appointment.pk}/move/?start={tomorrow}T13:30")
    nonsense = desk_client.get(f"/desk/appointments/{appointment.pk}/move/?start=later")

    assert fits.status_code == 200
    assert "Yes, move it" in fits.content.decode()
    assert f'name="start" value="{tomorrow}T12:00"' in fits.content.decode()
    assert clash.status_code == 409
    assert "busy from" in clash.content.decode()
    assert nonsense.status_code == 400
    assert "Give the new start as a date and time." in nonsense.content.decode()
    appointment.refresh_from_db()
    assert appointment.start == at(tomorrow, 10)
    assert appointment.changes.count() == 1  # only "booked"


def test_a_drop_of_a_session_that_has_begun_is_refused(desk_client, salon, therapist, room, routine, client_, tomorrow):
    appointment = appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))
    Appointment.objects.filter(pk=appointment.pk).update(status=Appointment.Status.IN_PROGRESS)

    response = desk_client.get(f"/desk/appointments/{appointment.pk}/move/?start={tomorrow}T12:00")

    assert response.status_code == 409
    assert "cannot be moved" in response.content.decode()


def test_a_confirmed_drop_in_the_room_view_moves_to_that_room(
    desk_client, salon, therapist, room, routine, client_, tomorrow
):
    other = RoomFactory(salon=salon, name="Ulme")
    appointment = appointment_book(client=client_, routine=routine, start=at(tomorrow, 10), room=room)

    response = desk_client.post(
        f"/desk/appointments/{appointment.pk}/reschedule/",
        {"start": f"{tomorrow}T11:00", "therapist": therapist.pk, "room": other.pk},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    appointment.refresh_from_db()
    assert (appointment.room, appointment.start) == (other, at(tomorrow, 11))


def test_an_unknown_desk_action_is_not_found(desk_client, salon, therapist, room, routine, tomorrow, client_):
    appointment = appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))

    assert desk_client.post(f"/desk/appointments/{appointment.pk}/teleport/").status_code == 404


def test_a_move_without_a_valid_time_names_the_field(desk_client, salon, therapist, room, routine, tomorrow, client_):
    appointment = appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))

    response = desk_client.post(f"/desk/appointments/{appointment.pk}/reschedule/", {"start": "soon"})

    assert response.status_code == 400
    assert "Give the new start as a date and time." in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.start == at(tomorrow, 10)


def test_a_cancelled_booking_leaves_the_grid(desk_client, salon, therapist, room, routine, client_, tomorrow):
    appointment = appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))
    appointment_transition(appointment=appointment, to_status=Appointment.Status.CANCELLED, reason="Ill")

    grid = desk_client.get(f"/desk/?date={tomorrow}&service={routine.pk}").context["grid"]

    assert grid.appointments == []


def test_a_booking_made_online_says_so_on_the_grid_and_in_the_panel(
    desk_client, salon, therapist, room, routine, client_, tomorrow
):
    appointment = appointment_book(
        client=client_, routine=routine, start=at(tomorrow, 10), origin=Appointment.Origin.ONLINE
    )

    grid = desk_client.get(f"/desk/?date={tomorrow}&service={routine.pk}").content.decode()
    panel = desk_client.get(f"/desk/appointments/{appointment.pk}/").content.decode()

    assert '<span class="origin">Online booking</span>' in grid
    assert "Online booking" in panel
