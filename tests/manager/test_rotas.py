"""The rota pages: the list of the location's therapists with the week in
force and the next change; a therapist's rota as a grid of days (split
shifts, alternating weeks), saved from a date, previewed on the coming
weeks without saving, and refused on the page with the sessions in the way
and a button to start the rota after them."""

import datetime

import pytest
from django.utils import timezone

from salon.models import SpecialDay, TimeOff, WorkingHours, week_parity
from salon.roles import Role
from sessions.services.booking import appointment_book
from sessions.services.rotas import rota_set
from tests.factories import TherapistFactory, UserFactory, short_routine
from tests.helpers import BERLIN, at, sign_in
from tests.scenario import salon_scenario

pytestmark = pytest.mark.django_db

NINE, ONE, THREE, SEVEN = datetime.time(9), datetime.time(13), datetime.time(15), datetime.time(19)


@pytest.fixture
def scene():
    return salon_scenario(therapists=["Anna", "Ben"])


@pytest.fixture
def manager_page(client, scene):
    sign_in(client, UserFactory(roles=[Role.MANAGER]))
    return client


def today() -> datetime.date:
    return timezone.now().astimezone(BERLIN).date()


def next_monday() -> datetime.date:
    day = today()
    return day + datetime.timedelta(days=7 - day.weekday())


def rota_post(valid_from, shifts: dict[str, list[tuple[str, str]]], **fields) -> dict:
    """The editor's form as a browser sends it: ``{"a-0": [("09:00", "13:00")]}``."""
    data = {"valid_from": str(valid_from), "valid_to": "", **fields}
    for day, rows in shifts.items():
        for number, (starts, ends) in enumerate(rows, start=1):
            data[f"{day}-{number}-from"] = starts
            data[f"{day}-{number}-to"] = ends
    return data


def shifts_from(therapist, day):
    return sorted(
        (row.weekday, row.starts, row.ends, row.week_parity)
        for row in WorkingHours.objects.filter(therapist=therapist, valid_from=day)
    )


def test_the_list_shows_each_therapists_week_and_the_next_change(manager_page, scene, django_assert_max_num_queries):
    anna, ben = scene.therapists
    monday = next_monday()
    rota_set(therapist=anna, salon=scene.salon, valid_from=monday, shifts=[(0, NINE, ONE), (0, THREE, SEVEN)])
    rota_set(
        therapist=ben, salon=scene.salon, valid_from=monday, valid_to=monday + datetime.timedelta(days=13), shifts=[]
    )
    newcomer = TherapistFactory(salon=scene.salon, display_name="Nina")
    for number in range(4):  # more therapists cost no more queries
        TherapistFactory(salon=scene.salon, display_name=f"Extra {number}")

    with django_assert_max_num_queries(8):
        page = manager_page.get("/manage/rotas/")

    text = page.content.decode()
    assert page.status_code == 200
    assert "Mon–Sun 09:00–17:00" in text  # Anna and Ben today
    assert f"From {monday:%a} {monday.day} {monday:%b %Y}: Mon 09:00–13:00, 15:00–19:00" in text
    assert f"From {monday:%a} {monday.day} {monday:%b %Y}: not working here" in text  # Ben's two weeks off
    assert f'href="/manage/rotas/{newcomer.pk}/"' in text
    assert "clients cannot book Nina" in text
    assert text.index("Anna") < text.index("Ben") < text.index("Nina")


def test_the_editor_starts_next_monday_with_the_rota_in_force_then(manager_page, scene, django_assert_max_num_queries):
    anna = scene.therapist
    SpecialDay.objects.create(
        salon=scene.salon, day=next_monday() + datetime.timedelta(days=2), reason="Public holiday"
    )
    TimeOff.objects.create(therapist=anna, start=at(next_monday(), 0), end=at(next_monday(), 12))

    with django_assert_max_num_queries(12):
        page = manager_page.get(f"/manage/rotas/{anna.pk}/")

    assert page.status_code == 200
    assert page.context["form"]["valid_from"].value() == next_monday()
    assert page.context["week_a"].days[0].rows[0].starts == "09:00"
    text = page.content.decode()
    for day in ("Monday", "Sunday"):
        assert f"{day} shift 1 </span>starts" in text
    assert 'Add a shift<span class="visually-hidden"> on Monday</span>' in text
    weeks = page.context["weeks"]
    assert len(weeks) == 8
    next_week = weeks[1]
    assert next_week.days[2].closure == "Public holiday"
    assert next_week.days[0].away
    assert next_week.days[0].words == "12:00–17:00"
    assert next_week.days[1].words == "09:00–17:00"


def test_a_manager_saves_a_split_shift_rota_from_next_monday(manager_page, scene):
    anna = scene.therapist
    monday = next_monday()

    answer = manager_page.post(
        f"/manage/rotas/{anna.pk}/",
        rota_post(monday, {"a-0": [("09:00", "13:00"), ("15:00", "19:00")], "a-2": [("10:00", "18:00")]}),
    )

    assert answer.status_code == 302
    assert shifts_from(anna, monday) == [
        (0, NINE, ONE, None),
        (0, THREE, SEVEN, None),
        (2, datetime.time(10), datetime.time(18), None),
    ]
    page = manager_page.get(answer["Location"])
    assert "Rota for Anna saved" in page.content.decode()
    next_week = page.context["weeks"][1]
    assert next_week.days[0].words == "09:00–13:00, 15:00–19:00"
    assert next_week.days[1].words == ""  # Tuesdays off from then on


def test_alternating_weeks_store_what_both_weeks_share_as_every_week(manager_page, scene):
    anna = scene.therapist
    monday = next_monday()
    both = [("09:00", "13:00")]

    answer = manager_page.post(
        f"/manage/rotas/{anna.pk}/",
        rota_post(monday, {"a-0": both, "b-0": both, "a-5": [("10:00", "14:00")]}, alternating="on"),
    )

    assert answer.status_code == 302
    parity = week_parity(monday)
    assert shifts_from(anna, monday) == [(0, NINE, ONE, None), (5, datetime.time(10), datetime.time(14), parity)]
    page = manager_page.get(answer["Location"])
    weeks = page.context["weeks"]
    assert [weeks[1].week, weeks[2].week] == ["A", "B"]
    assert weeks[1].days[5].words == "10:00–14:00"
    assert weeks[2].days[5].words == ""


def test_week_b_is_ignored_unless_the_rota_alternates(manager_page, scene):
    anna = scene.therapist
    monday = next_monday()

    manager_page.post(
        f"/manage/rotas/{anna.pk}/", rota_post(monday, {"a-0": [("09:00", "13:00")], "b-1": [("09:00", "13:00")]})
    )

    assert shifts_from(anna, monday) == [(0, NINE, ONE, None)]


def test_without_script_the_add_and_remove_buttons_come_back_with_the_grid_changed(manager_page, scene):
    anna = scene.therapist
    data = rota_post(next_monday(), {"a-0": [("09:00", "13:00")], "a-3": [("09:00", "12:00"), ("14:00", "18:00")]})

    added = manager_page.post(f"/manage/rotas/{anna.pk}/", {**data, "grid_action": "add:a-0"})
    removed = manager_page.post(f"/manage/rotas/{anna.pk}/", {**data, "grid_action": "remove:a-3-1"})

    assert added.status_code == 200
    assert [(row.number, row.starts) for row in added.context["week_a"].days[0].rows] == [(1, "09:00"), (2, "")]
    assert 'name="a-0-2-from"' in added.content.decode()
    assert "This field is required" not in added.content.decode()
    assert [(row.number, row.starts) for row in removed.context["week_a"].days[3].rows] == [(1, "14:00")]
    assert not WorkingHours.objects.filter(valid_from=next_monday()).exists()  # nothing saved


def test_mistakes_are_shown_next_to_their_day(manager_page, scene):
    anna = scene.therapist
    data = rota_post(
        next_monday(),
        {"a-0": [("13:00", "09:00")], "a-4": [("09:00", "14:00"), ("13:00", "18:00")], "a-6": [("09:00", "")]},
    )

    page = manager_page.post(f"/manage/rotas/{anna.pk}/", data)

    assert page.status_code == 400
    days = page.context["week_a"].days
    assert days[0].errors == ["Monday shift 1: ends before it starts."]
    assert days[4].errors == ["Friday shift 1 and 2 overlap (09:00–14:00 and 13:00–18:00)."]
    assert days[6].errors == ["Sunday shift 1: give both times."]
    assert days[1].errors == []
    text = page.content.decode()
    assert 'id="a-0-errors"' in text
    assert 'aria-describedby="a-0-errors"' in text
    assert not WorkingHours.objects.filter(valid_from=next_monday()).exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"valid_from": ""}, "valid_from", "This field is required."),
        (
            {"valid_from": "2001-01-01"},
            "valid_from",
            "Give today or a later day: the rota of past days stays as it was.",
        ),
        ({"valid_to": "2001-01-01"}, "valid_to", "The last day comes before the first."),
    ],
)
def test_the_dates_must_make_sense(manager_page, scene, fields, field, message):
    data = {**rota_post(next_monday(), {"a-0": [("09:00", "13:00")]}), **fields}

    page = manager_page.post(f"/manage/rotas/{scene.therapist.pk}/", data)

    assert page.status_code == 400
    assert page.context["form"].errors[field] == [message]


def test_the_preview_shows_the_proposed_hours_and_saves_nothing(manager_page, scene):
    anna = scene.therapist
    monday = next_monday()
    data = rota_post(monday, {"a-0": [("09:00", "13:00"), ("15:00", "19:00")]})
    before = list(WorkingHours.objects.values_list("pk", "valid_from", "valid_to"))

    preview = manager_page.post(f"/manage/rotas/{anna.pk}/preview/", data, headers={"HX-Request": "true"})
    whole_page = manager_page.post(f"/manage/rotas/{anna.pk}/", {**data, "preview": ""})

    assert preview.status_code == 200
    text = preview.content.decode()
    assert "not saved yet" in text
    assert "<html" not in text
    weeks = preview.context["weeks"]
    assert weeks[0].days[0].changed is False  # this week stays
    assert weeks[1].days[0].words == "09:00–13:00, 15:00–19:00"
    assert weeks[1].days[0].changed
    assert weeks[1].days[1].words == ""
    assert weeks[1].days[1].changed
    assert whole_page.status_code == 200
    assert whole_page.context["weeks"][1].days[0].words == "09:00–13:00, 15:00–19:00"
    assert list(WorkingHours.objects.values_list("pk", "valid_from", "valid_to")) == before


def test_a_preview_of_a_rota_with_mistakes_says_so(manager_page, scene):
    preview = manager_page.post(
        f"/manage/rotas/{scene.therapist.pk}/preview/", rota_post(next_monday(), {"a-0": [("13:00", "09:00")]})
    )

    assert preview.status_code == 400
    assert "Fix the marked parts" in preview.content.decode()


def test_a_rota_in_the_way_of_bookings_is_refused_and_can_start_after_them(manager_page, scene):
    anna = scene.therapist
    monday = next_monday()
    wednesday = monday + datetime.timedelta(days=2)
    booked = appointment_book(client=scene.client, routine=short_routine(), start=at(wednesday, 16), therapist=anna)
    data = rota_post(monday, {"a-0": [("09:00", "13:00")], "a-2": [("09:00", "13:00")]}, alternating="on")
    data.update({"b-2-1-from": "09:00", "b-2-1-to": "13:00"})  # Wednesdays every week, Mondays in week A

    refused = manager_page.post(f"/manage/rotas/{anna.pk}/", data)

    assert refused.status_code == 409
    text = refused.content.decode()
    thursday = wednesday + datetime.timedelta(days=1)
    assert "Booked sessions are in the way" in text
    assert str(scene.client) in text
    assert f"{wednesday:%a} {wednesday.day} {wednesday:%b %Y}, 16:00" in text
    assert f'name="start_on" value="{thursday:%Y-%m-%d}"' in text
    assert f"Start this rota on {thursday:%A} {thursday.day} {thursday:%B %Y} instead" in text
    assert not WorkingHours.objects.filter(valid_from=monday).exists()

    started = manager_page.post(f"/manage/rotas/{anna.pk}/", {**data, "start_on": thursday.isoformat()})

    assert started.status_code == 302
    parity = week_parity(monday)  # week A stays the week of the Monday first asked for
    assert shifts_from(anna, thursday) == [(0, NINE, ONE, parity), (2, NINE, ONE, None)]
    booked.refresh_from_db()
    assert booked.status == "booked"


def test_a_planned_rota_opens_for_a_change(manager_page, scene):
    anna = scene.therapist
    later = next_monday() + datetime.timedelta(days=28)
    rota_set(therapist=anna, salon=scene.salon, valid_from=later, valid_to=later + datetime.timedelta(days=6),
             shifts=[(0, NINE, ONE)])  # fmt: skip

    listed = manager_page.get(f"/manage/rotas/{anna.pk}/")
    opened = manager_page.get(f"/manage/rotas/{anna.pk}/?from={later}")

    assert f'href="?from={later}"' in listed.content.decode()
    assert opened.context["form"]["valid_from"].value() == later
    assert opened.context["form"]["valid_to"].value() == later + datetime.timedelta(days=6)
    assert opened.context["week_a"].days[0].rows[0].starts == "09:00"
    assert opened.context["week_a"].days[1].rows[0].starts == ""
    assert manager_page.get(f"/manage/rotas/{anna.pk}/?from=someday").status_code == 400


def test_a_therapist_of_another_location_is_not_found(manager_page, scene):
    zeta, _ = scene.location_add(name="Zeta", time_zone="Europe/Berlin")
    zoe = TherapistFactory(salon=zeta, display_name="Zoe")

    assert manager_page.get(f"/manage/rotas/{zoe.pk}/").status_code == 404
    assert manager_page.get(f"/manage/rotas/{zoe.pk}/?location={zeta.pk}").status_code == 404  # the switcher decides


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.THERAPIST])
def test_only_managers_get_in(client, scene, role):
    sign_in(client, UserFactory(roles=[role]))

    assert client.get("/manage/rotas/").status_code == 403
    assert client.get(f"/manage/rotas/{scene.therapist.pk}/").status_code == 403
    assert client.post(f"/manage/rotas/{scene.therapist.pk}/", {}).status_code == 403
