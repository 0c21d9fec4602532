"""A course of sessions: the desk sees which dates fit before booking, books
all chosen dates in one transaction, and the client gets one confirmation
listing them all; each session lives on its own afterwards."""

import datetime

import icalendar
import pytest
from django.core import mail

from salon.errors import Conflict, InvalidInput
from salon.roles import Role
from sessions.courses import course_plan
from sessions.models import Appointment, Course, Notification
from sessions.services.booking import appointment_book
from sessions.services.courses import course_book
from sessions.services.lifecycle import appointment_transition
from sessions.services.outbox import notifications_send
from tests.factories import UserFactory, short_routine
from tests.helpers import BERLIN
from tests.scenario import salon_scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(db):
    """Anna and Ben work 9-17 every day; a one-hour slot (45 minutes + 15)."""
    sabine = {"given_name": "Sabine", "email": "sabine@example.com", "consent_reminders": True}
    scene = salon_scenario(therapists=["Anna", "Ben"], rooms=["Linden", "Birke"], clients=[sabine])
    scene.routine = short_routine(minutes=45, turnover=15)
    scene.anna, scene.ben = scene.therapists
    return scene


def next_monday_at(hour: int) -> datetime.datetime:
    today = datetime.datetime.now(BERLIN).date()
    monday = today + datetime.timedelta(days=7 - today.weekday())
    return datetime.datetime.combine(monday, datetime.time(hour), tzinfo=BERLIN)


def plan(scene, first, **options):
    return course_plan(salon=scene.salon, client=scene.client, routine=scene.routine, first=first,
                       **{"sessions": 4, "interval_days": 7, **options})  # fmt: skip


def test_every_date_fits_with_the_same_therapist_at_the_same_time(scene):
    # Given Anna and Ben free every Monday at 10:00
    first = next_monday_at(10)
    # When a course of four weekly sessions with Anna is planned
    course = plan(scene, first, therapist_id=scene.anna.pk)
    # Then all four Mondays fit, at 10:00 local time
    assert course.fitting == 4
    assert [date.wanted for date in course.dates] == [first + datetime.timedelta(weeks=week) for week in range(4)]


def test_a_date_taken_offers_another_therapist_then_other_times(scene):
    # Given Anna already booked at 10:00 on the third Monday
    first = next_monday_at(10)
    third = first + datetime.timedelta(weeks=2)
    appointment_book(client=scene.clients[0], routine=scene.routine, start=third, therapist=scene.anna)
    # When a course with Anna is planned
    course = plan(scene, first, therapist_id=scene.anna.pk)
    # Then the third date does not fit; Ben at 10:00 comes first, then Anna at the nearest other times
    date = course.dates[2]
    assert not date.fits
    assert course.fitting == 3
    assert (date.alternatives[0].start, date.alternatives[0].therapist) == (third, scene.ben.pk)
    assert {choice.therapist for choice in date.alternatives[1:]} == {scene.anna.pk}
    assert {choice.start.astimezone(BERLIN).time() for choice in date.alternatives[1:]} == {
        datetime.time(9),
        datetime.time(11),
    }


def test_without_a_therapist_named_the_one_free_at_most_dates_is_chosen(scene):
    # Given Anna booked on the second Monday at 10:00
    first = next_monday_at(10)
    appointment_book(client=scene.clients[0], routine=scene.routine, start=first + datetime.timedelta(weeks=1),
                     therapist=scene.anna)  # fmt: skip
    # When a course is planned with anyone
    course = plan(scene, first)
    # Then Ben is its therapist, free at all four dates
    assert course.therapist == scene.ben.pk
    assert course.fitting == 4


def test_a_course_across_the_change_to_summer_time_keeps_its_local_time(scene):
    # Given a weekly course starting the Monday before Europe's clocks go forward (29 March 2027)
    first = datetime.datetime(2027, 3, 22, 10, tzinfo=BERLIN)
    # When it is planned
    course = plan(scene, first, sessions=2, now=datetime.datetime(2027, 3, 1, tzinfo=datetime.UTC))
    # Then both sessions are at 10:00 in Berlin, an hour apart in UTC offset
    assert [date.wanted.astimezone(BERLIN).time() for date in course.dates] == [datetime.time(10)] * 2
    assert course.dates[1].wanted.utcoffset() == datetime.timedelta(hours=2)
    assert course.fitting == 2


OUT_OF_SHAPE = [(1, 7, "sessions"), (21, 7, "sessions"), (4, 0, "interval_days"), (4, 91, "interval_days")]


@pytest.mark.parametrize(("sessions", "interval", "field"), OUT_OF_SHAPE)
def test_a_course_out_of_shape_is_refused_naming_the_field(scene, sessions, interval, field):
    with pytest.raises(InvalidInput) as refused:
        plan(scene, next_monday_at(10), sessions=sessions, interval_days=interval)
    assert refused.value.code == "course_shape"
    assert field in refused.value.fields


def book(scene, dates, **options):
    return course_book(salon=scene.salon, client=scene.client, routine=scene.routine, dates=dates,
                       **{"planned": 4, "interval_days": 7, **options})  # fmt: skip


def test_booking_the_course_books_every_date_with_one_confirmation(scene):
    # Given four Mondays at 10:00, the third with Ben
    first = next_monday_at(10)
    starts = [first + datetime.timedelta(weeks=week) for week in range(4)]
    dates = [(start, scene.ben if number == 2 else scene.anna) for number, start in enumerate(starts)]
    # When the course is booked
    course = book(scene, dates)
    # Then four sessions belong to it, with the therapists chosen
    sessions = list(course.appointments.order_by("start"))
    assert [session.start for session in sessions] == starts
    assert [session.therapist for session in sessions] == [scene.anna, scene.anna, scene.ben, scene.anna]
    # And the client is sent one confirmation (the first session's) and one intake request, but every reminder
    kinds = list(Notification.objects.filter(client=scene.client).values_list("appointment_id", "kind"))
    confirmations = [pk for pk, kind in kinds if kind == Notification.Kind.CONFIRMATION]
    assert confirmations == [sessions[0].pk]
    assert {pk for pk, kind in kinds if kind == Notification.Kind.REMINDER} == {session.pk for session in sessions}
    assert [pk for pk, kind in kinds if kind == Notification.Kind.INTAKE_REQUEST].count(sessions[0].pk) >= 1
    assert {pk for pk, kind in kinds if kind == Notification.Kind.INTAKE_REQUEST} == {sessions[0].pk}


def test_the_confirmation_lists_every_date_and_carries_them_all_in_its_calendar_file(scene):
    # Given a booked course of three
    first = next_monday_at(10)
    course = book(scene, [(first + datetime.timedelta(weeks=week), scene.anna) for week in range(3)], planned=3)
    confirmation = Notification.objects.get(kind=Notification.Kind.CONFIRMATION, appointment__course=course)
    # When the confirmation is sent
    mail.outbox.clear()
    assert notifications_send(notification_ids=[confirmation.pk]) == 1
    # Then it names all three dates, and its calendar file holds three events
    message = mail.outbox[0]
    assert "course of 3 sessions" in message.body
    for week in range(3):
        assert f"{(first + datetime.timedelta(weeks=week)):%A %-d %B %Y}, 10:00" in message.body
    ics = next(content for name, content, _ in message.attachments if name.endswith(".ics"))
    events = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert len(events) == 3
    assert len({str(event["uid"]) for event in events}) == 3


def test_a_date_taken_meanwhile_refuses_the_whole_course_and_keeps_nothing(scene):
    # Given the third Monday taken at the desk after the plan was shown
    first = next_monday_at(10)
    starts = [first + datetime.timedelta(weeks=week) for week in range(4)]
    appointment_book(client=scene.clients[0], routine=scene.routine, start=starts[2], therapist=scene.anna)
    before = Appointment.objects.count()
    # When the course is booked with Anna on every date
    with pytest.raises(Conflict):
        book(scene, [(start, scene.anna) for start in starts])
    # Then nothing of it is kept: no course, no session, no message
    assert Course.objects.count() == 0
    assert Appointment.objects.count() == before


def test_cancelling_one_session_leaves_the_rest_of_the_course(scene):
    # Given a booked course of four
    first = next_monday_at(10)
    course = book(scene, [(first + datetime.timedelta(weeks=week), scene.anna) for week in range(4)])
    second = course.appointments.order_by("start")[1]
    # When the second session is cancelled
    appointment_transition(appointment=second, to_status=Appointment.Status.CANCELLED, reason="Ill")
    # Then the other three are still booked, in the course
    statuses = list(course.appointments.order_by("start").values_list("status", flat=True))
    assert statuses == ["booked", "cancelled", "booked", "booked"]


def test_more_dates_than_the_course_plans_are_refused(scene):
    first = next_monday_at(10)
    with pytest.raises(InvalidInput) as refused:
        book(scene, [(first + datetime.timedelta(weeks=week), scene.anna) for week in range(3)], planned=2)
    assert "dates" in refused.value.fields


# --- Through the API: /api/v1/courses/plan/ and /api/v1/courses/ ------------------


@pytest.fixture
def desk(api_client):
    api_client.force_authenticate(UserFactory(roles=[Role.RECEPTIONIST]))
    return api_client


def course_fields(scene, **fields):
    return {"client": scene.client.pk, "routine": scene.routine.pk, "sessions": 3, "interval_days": 7, **fields}


def test_the_desk_plans_then_books_a_course_through_the_api(scene, desk):
    # Given Anna booked on the second Monday at 10:00
    first = next_monday_at(10)
    appointment_book(client=scene.clients[0], routine=scene.routine, start=first + datetime.timedelta(weeks=1),
                     therapist=scene.anna)  # fmt: skip
    # When the desk asks which dates of a course with Anna fit
    query = course_fields(scene, start=first.isoformat(), therapist=scene.anna.pk)
    plan = desk.get(f"/api/v1/courses/plan/?location={scene.salon.pk}", query)
    # Then the second does not, and Ben at 10:00 is offered first
    assert plan.status_code == 200, plan.content
    dates = plan.json()["dates"]
    assert [date["fits"] for date in dates] == [True, False, True]
    alternative = dates[1]["alternatives"][0]
    assert alternative["therapist"] == scene.ben.pk
    # And when it books the fitting dates with Anna and the second with Ben
    chosen = [{"start": date["wanted"], "therapist": scene.anna.pk} for date in dates if date["fits"]]
    chosen.insert(1, alternative)
    booked = desk.post(f"/api/v1/courses/?location={scene.salon.pk}", course_fields(scene, dates=chosen),
                       format="json")  # fmt: skip
    # Then the three sessions are booked in one course
    assert booked.status_code == 201, booked.content
    sessions = Appointment.objects.filter(pk__in=booked.json()["appointments"]).order_by("start")
    assert [session.therapist for session in sessions] == [scene.anna, scene.ben, scene.anna]
    assert {session.course_id for session in sessions} == {booked.json()["id"]}


def test_a_date_taken_meanwhile_is_a_409_and_nothing_is_booked(scene, desk):
    first = next_monday_at(10)
    starts = [first + datetime.timedelta(weeks=week) for week in range(3)]
    appointment_book(client=scene.clients[0], routine=scene.routine, start=starts[2], therapist=scene.anna)
    chosen = [{"start": start.isoformat(), "therapist": scene.anna.pk} for start in starts]
    answer = desk.post(f"/api/v1/courses/?location={scene.salon.pk}", course_fields(scene, dates=chosen),
                       format="json")  # fmt: skip
    assert answer.status_code == 409
    assert answer.json()["code"]
    assert Course.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "named"),
    [({"sessions": 1}, "sessions"), ({"interval_days": 0}, "interval_days"), ({"start": "Monday"}, "start"),
     ({"sessions": "six"}, "sessions")],
)  # fmt: skip
def test_bad_course_questions_are_400s_naming_the_field(scene, desk, fields, named):
    query = course_fields(scene, **{"start": next_monday_at(10).isoformat(), **fields})
    answer = desk.get(f"/api/v1/courses/plan/?location={scene.salon.pk}", query)
    assert answer.status_code == 400
    assert named in answer.json()["fields"]


# --- At the desk: /desk/appointments/<id>/course/ ----------------------------------


@pytest.fixture
def front_desk(client):
    client.force_login(UserFactory(roles=[Role.RECEPTIONIST]))
    return client


def test_the_desk_sees_the_dates_then_books_the_ones_chosen(scene, front_desk):
    # Given a session booked with Anna on Monday at 10:00, and Anna taken on the Monday two weeks later
    first = next_monday_at(10)
    seed = appointment_book(client=scene.client, routine=scene.routine, start=first, therapist=scene.anna)
    appointment_book(client=scene.clients[0], routine=scene.routine, start=first + datetime.timedelta(weeks=2),
                     therapist=scene.anna)  # fmt: skip
    # When the desk asks for the next three weekly sessions as a course
    page = front_desk.get(f"/desk/appointments/{seed.pk}/course/", {"sessions": 3, "interval_days": 7})
    # Then it sees that two of three fit, and Ben is offered for the second
    assert page.status_code == 200
    text = page.content.decode()
    assert "2 of 3 fit" in text
    assert "with Ben" in text
    # And when it books with Ben on the second date (the radio offered) and the others as planned
    rows = {date.number: options for date, options in page.context["rows"]}
    ben = next(value for value, words, _ in rows[2] if "Ben" in words)
    chosen = {f"date-{number}": next(value for value, _, checked in options if checked)
              for number, options in rows.items()}  # fmt: skip
    chosen["date-2"] = ben
    booked = front_desk.post(f"/desk/appointments/{seed.pk}/course/", {"sessions": 3, "interval_days": 7, **chosen})
    # Then three sessions are booked as one course, and the desk opens on the first of them
    assert booked.status_code == 302
    course = Course.objects.get()
    sessions = list(course.appointments.order_by("start"))
    assert [session.therapist for session in sessions] == [scene.anna, scene.ben, scene.anna]
    assert sessions[0].start == first + datetime.timedelta(weeks=1)


def test_a_bad_number_of_sessions_is_shown_on_the_form(scene, front_desk):
    seed = appointment_book(client=scene.client, routine=scene.routine, start=next_monday_at(10))
    page = front_desk.get(f"/desk/appointments/{seed.pk}/course/", {"sessions": 50, "interval_days": 7})
    assert page.status_code == 400
    assert "sessions" in page.context["shape"].errors


def test_the_next_sessions_keep_the_seeds_local_time_across_the_change_to_summer_time(scene, front_desk):
    # Given a session on the Monday before Europe's clocks go forward (29 March 2027)
    seed = appointment_book(client=scene.client, routine=scene.routine,
                            start=datetime.datetime(2027, 3, 22, 10, tzinfo=BERLIN))  # fmt: skip
    # When the desk asks for the next two weekly sessions
    page = front_desk.get(f"/desk/appointments/{seed.pk}/course/", {"sessions": 2, "interval_days": 7})
    # Then they are at 10:00 in Berlin, not at 11:00 (a week of 24-hour days later)
    wanted = [date.wanted.astimezone(BERLIN) for date, _ in page.context["rows"]]
    assert [(moment.date(), moment.time()) for moment in wanted] == [
        (datetime.date(2027, 3, 29), datetime.time(10)),
        (datetime.date(2027, 4, 5), datetime.time(10)),
    ]
