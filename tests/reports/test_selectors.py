"""The report's figures against the hand-worked week of ``conftest.py``."""

import datetime

import pytest

from reports.selectors import Period, period_preset, report_for, report_summary
from tests.factories import routine_create_for_test, step_data
from tests.reports.conftest import MONDAY, book

WEEK = Period(MONDAY, MONDAY + datetime.timedelta(days=7))
DAY = 480  # a therapist's working day, in minutes
OPEN = 720  # a room's open day


def figures(row) -> dict:
    return {
        "bookings": row.bookings, "completed": row.completed, "cancelled": row.cancelled,
        "cancelled_late": row.cancelled_late, "no_shows": row.no_shows, "revenue_minor": row.revenue_minor,
        "expected_minor": row.expected_minor, "booked_minutes": row.booked_minutes,
        "working_minutes": row.working_minutes,
    }  # fmt: skip


def test_the_whole_salon_in_the_week(week):
    # given the week; when the report is read
    report = report_for(locations=[week.scene.salon], period=WEEK)

    # then sessions 1–6 count, each ending in its own column; revenue is what
    # the two completed sessions were booked at (65 + 70), the booked Sunday
    # is expected; only the completed and booked sessions took minutes; Anna
    # worked 7 days less 4 hours away, Ben 7 days
    expected = {
        "bookings": 6, "completed": 2, "cancelled": 1, "cancelled_late": 1, "no_shows": 1,
        "revenue_minor": 13500, "expected_minor": 7000, "booked_minutes": 180,
        "working_minutes": 7 * DAY - 240 + 7 * DAY,
    }  # fmt: skip
    assert figures(report.total) == expected
    assert figures(report.by_location[0]) == expected
    assert report.total.utilisation == pytest.approx(180 / 6480)
    assert report.total.completion_rate == pytest.approx(2 / 6)
    assert report.total.late_cancellation_rate == pytest.approx(1 / 6)
    assert report.total.no_show_rate == pytest.approx(1 / 6)
    assert report.currency == "EUR"


def test_per_therapist(week):
    report = report_for(locations=[week.scene.salon], period=WEEK)

    anna, ben = report.therapists
    assert (anna.label, ben.label) == ("Anna", "Ben")
    assert figures(anna) == {
        "bookings": 3, "completed": 2, "cancelled": 0, "cancelled_late": 0, "no_shows": 1,
        "revenue_minor": 13500, "expected_minor": 0, "booked_minutes": 120, "working_minutes": 7 * DAY - 240,
    }  # fmt: skip
    assert figures(ben) == {
        "bookings": 3, "completed": 0, "cancelled": 1, "cancelled_late": 1, "no_shows": 0,
        "revenue_minor": 0, "expected_minor": 7000, "booked_minutes": 60, "working_minutes": 7 * DAY,
    }  # fmt: skip
    assert anna.utilisation == pytest.approx(120 / 3120)


def test_per_room_open_minutes_less_time_out_of_service(week):
    report = report_for(locations=[week.scene.salon], period=WEEK)

    birke, linden = report.rooms
    assert (birke.label, linden.label) == ("Birke", "Linden")
    assert figures(linden) == {
        "bookings": 3, "completed": 2, "cancelled": 0, "cancelled_late": 0, "no_shows": 0,
        "revenue_minor": 13500, "expected_minor": 7000, "booked_minutes": 180, "working_minutes": 7 * OPEN,
    }  # fmt: skip
    assert figures(birke) == {
        "bookings": 3, "completed": 0, "cancelled": 1, "cancelled_late": 1, "no_shows": 1,
        "revenue_minor": 0, "expected_minor": 0, "booked_minutes": 0, "working_minutes": 6 * OPEN,
    }  # fmt: skip


def test_per_service(week):
    report = report_for(locations=[week.scene.salon], period=WEEK)

    back, neck = report.services
    assert (back.label, back.bookings, back.no_shows, back.working_minutes) == ("Back", 1, 1, None)
    assert (neck.label, neck.bookings, neck.completed, neck.cancelled, neck.cancelled_late) == ("Neck", 5, 2, 1, 1)
    assert (neck.revenue_minor, neck.expected_minor) == (13500, 7000)


def test_heat_map_and_days(week):
    report = report_for(locations=[week.scene.salon], period=WEEK)

    # then the heat map is the therapists' utilisation by local weekday
    # (Monday 1) and hour: Anna and Ben are on duty 09–17 (120 minutes an
    # hour), one of them booked 10–11 on Monday and Tuesday and 16–17 on
    # Sunday; Wednesday's no-show took no time, and hours nobody works have
    # no value at all
    assert sorted(report.heat) == [(weekday, hour) for weekday in range(1, 8) for hour in range(9, 17)]
    assert (report.heat[1, 10], report.heat[2, 10], report.heat[7, 16]) == (0.5, 0.5, 0.5)
    assert report.heat[3, 10] == 0
    assert sum(report.heat.values()) == 1.5
    assert list(report.daily) == [MONDAY + datetime.timedelta(days=offset) for offset in range(7)]
    assert report.daily[MONDAY] == (1, 6500)
    assert report.daily[MONDAY + datetime.timedelta(days=1)] == (1, 7000)
    assert report.daily[MONDAY + datetime.timedelta(days=2)] == (2, 0)
    assert sum(bookings for bookings, _ in report.daily.values()) == 6


def test_the_previous_week_for_comparison(week):
    summary = report_summary(locations=[week.scene.salon], period=WEEK.previous())

    assert WEEK.previous() == Period(MONDAY - datetime.timedelta(days=7), MONDAY)
    assert (summary.total.bookings, summary.total.completed, summary.total.revenue_minor) == (1, 1, 6000)


def test_therapists_and_rooms_without_bookings_are_listed_at_nought(week):
    # given Friday, when nobody had a booking and Birke was out of service
    report = report_for(
        locations=[week.scene.salon],
        period=Period(MONDAY + datetime.timedelta(days=4), MONDAY + datetime.timedelta(days=5)),
    )

    assert [(row.label, row.bookings, row.working_minutes) for row in report.therapists] == [
        ("Anna", 0, DAY), ("Ben", 0, DAY)
    ]  # fmt: skip
    assert [(row.label, row.bookings, row.working_minutes) for row in report.rooms] == [
        ("Birke", 0, 0), ("Linden", 0, OPEN)
    ]  # fmt: skip


def test_days_are_the_location_s_own_across_the_clock_change(week):
    # given the week of the spring change (29 March 2026 has 23 hours); a
    # session at 23:00 on Sunday belongs to it, one at 00:30 on Monday does not
    sunday = datetime.date(2026, 3, 29)
    scene = week.scene
    book(scene, therapist=week.ben, room=week.linden, routine=week.neck, day=sunday, hour=23, minute=0, minutes=30)
    book(
        scene,
        therapist=week.ben,
        room=week.linden,
        routine=week.neck,
        day=sunday + datetime.timedelta(days=1),
        hour=0,
        minute=30,
        minutes=30,
    )

    report = report_for(locations=[scene.salon], period=Period(datetime.date(2026, 3, 23), datetime.date(2026, 3, 30)))

    # then one booking, on Sunday at 23 local; working hours are wall-clock, so the short night takes nothing off
    assert report.total.bookings == 1
    assert report.daily[sunday] == (1, 6500)
    # nobody works at 23:00, so that hour has no utilisation; Sunday's hours on duty are 09–17 as on other days
    assert (7, 23) not in report.heat
    assert sorted(hour for weekday, hour in report.heat if weekday == 7) == list(range(9, 17))
    assert report.total.working_minutes == 2 * 7 * DAY


@pytest.mark.parametrize(
    ("preset", "first", "end"),
    [
        ("this_week", datetime.date(2026, 3, 2), datetime.date(2026, 3, 9)),
        ("last_week", datetime.date(2026, 2, 23), datetime.date(2026, 3, 2)),
        ("this_month", datetime.date(2026, 3, 1), datetime.date(2026, 4, 1)),
        ("last_month", datetime.date(2026, 2, 1), datetime.date(2026, 3, 1)),
    ],
)
def test_presets(preset, first, end):
    assert period_preset(preset, today=datetime.date(2026, 3, 4)) == Period(first, end)


def test_a_month_is_compared_with_the_month_before_not_as_many_days():
    march = Period(datetime.date(2026, 3, 1), datetime.date(2026, 4, 1))

    assert march.previous() == Period(datetime.date(2026, 2, 1), datetime.date(2026, 3, 1))
    assert Period(datetime.date(2026, 3, 5), datetime.date(2026, 3, 8)).previous() == Period(
        datetime.date(2026, 3, 2), datetime.date(2026, 3, 5)
    )


def test_revenue_is_at_the_price_recorded_when_booked_not_today_s_menu(week):
    from django.utils import timezone

    from routines.services import service_set
    from sessions.services.booking import appointment_book
    from sessions.services.lifecycle import appointment_transition

    # given two sessions booked at €65.00, then the menu raised to €80.00 and a third booked
    scene = week.scene
    tomorrow = (timezone.now().astimezone(scene.salon.zone) + datetime.timedelta(days=1)).date()
    service_set(salon=scene.salon, routine=week.neck, lengths=[(60, 6500)])
    first = appointment_book(client=scene.client, routine=week.neck, start=scene.at(tomorrow, 10), minutes=60)
    appointment_book(client=scene.client, routine=week.neck, start=scene.at(tomorrow, 12), minutes=60)
    service_set(salon=scene.salon, routine=week.neck, lengths=[(60, 8000)])
    appointment_book(client=scene.client, routine=week.neck, start=scene.at(tomorrow, 14), minutes=60)
    for status in ("checked_in", "in_progress", "completed"):
        first = appointment_transition(appointment=first, to_status=status, now=first.start)

    # when the day is reported
    report = report_for(locations=[scene.salon], period=Period(tomorrow, tomorrow + datetime.timedelta(days=1)))

    # then the completed one counts at €65.00, the others are expected at what each was booked for
    assert (report.total.revenue_minor, report.total.expected_minor) == (6500, 6500 + 8000)


def test_clients_origins_feedback_and_messages(week):
    from reports.selectors import report_extras
    from sessions.models import Feedback, Notification
    from tests.factories import ClientFactory

    # given Sabine (first came the week before, so returning), and two new
    # clients in the week: Tom comes again 15 days later, Uma does not
    scene = week.scene
    tom = ClientFactory(salon=scene.salon, given_name="Tom")
    uma = ClientFactory(salon=scene.salon, given_name="Uma")
    thursday = MONDAY + datetime.timedelta(days=3)
    sabine = scene.client
    linden = {"therapist": week.anna, "room": week.linden, "routine": week.neck, "hour": 12}
    toms = book(scene, client=tom, day=thursday, **linden)
    book(scene, client=tom, day=thursday + datetime.timedelta(days=15), **linden)
    book(scene, client=uma, day=thursday + datetime.timedelta(days=1), **linden)
    # Sunday's booking was made online; two sessions have feedback
    week.appointments[5].origin = "online"
    week.appointments[5].save()
    Feedback.objects.create(appointment=week.appointments[0], overall=4, pressure="too_strong")
    Feedback.objects.create(appointment=toms, overall=5)
    # messages due in the week: a reminder sent by email, one failed by SMS; one due the week after
    for key, day, channel, status in (("a", 0, "email", "sent"), ("b", 1, "sms", "failed"), ("c", 8, "email", "sent")):
        Notification.objects.create(
            key=key, kind="reminder", appointment=week.appointments[0], client=sabine, channel=channel,
            due_at=scene.at(MONDAY + datetime.timedelta(days=day), 8), status=status,
        )  # fmt: skip

    extras = report_extras(locations=[scene.salon], period=WEEK)

    assert (extras.clients_seen, extras.clients_new, extras.clients_returning, extras.clients_retained) == (3, 2, 1, 1)
    assert extras.retention == pytest.approx(0.5)
    assert extras.origins == {"desk": 7, "online": 1}
    # completed in the week: Sabine's two, Tom's and Uma's
    assert (extras.feedback_asked, extras.feedback_given, extras.too_strong, extras.too_light) == (4, 2, 1, 0)
    assert extras.rating == pytest.approx(4.5)
    assert extras.pressure == [("Anna", "Neck", 2, 1, 0)]
    assert extras.notifications == {("reminder", "email"): {"sent": 1}, ("reminder", "sms"): {"failed": 1}}


def test_course_completion_counts_each_course_with_a_session_in_the_period(week):
    from reports.selectors import report_extras
    from sessions.models import Course

    # given a course of four planned: one session completed in the week, one
    # booked for the week after, one cancelled (the fourth was never booked)
    scene = week.scene
    course = Course.objects.create(client=scene.client, routine=week.neck, salon=scene.salon, planned=4,
                                   interval_days=7)  # fmt: skip
    linden = {"therapist": week.anna, "room": week.linden, "routine": week.neck, "hour": 7}
    done = book(scene, day=MONDAY + datetime.timedelta(days=2), **linden)
    ahead = book(scene, day=MONDAY + datetime.timedelta(days=9), status="booked", **linden)
    off = book(scene, day=MONDAY + datetime.timedelta(days=16), status="cancelled", **linden)
    for session in (done, ahead, off):
        session.course = course
        session.save()

    extras = report_extras(locations=[scene.salon], period=WEEK)

    # then one course, 1 of 4 sessions completed, 2 booked or done
    assert (extras.courses, extras.course_sessions_planned) == (1, 4)
    assert (extras.course_sessions_booked, extras.course_sessions_completed) == (2, 1)
    assert extras.course_completion == pytest.approx(0.25)


@pytest.mark.parametrize(
    ("hour", "minute", "minutes", "expected"),
    [
        (10, 0, 60, {(1, 9): 0.0, (1, 10): 1.0, (1, 11): 0.0}),
        # a session over two hours counts in each for its minutes there
        (10, 30, 90, {(1, 9): 0.0, (1, 10): 0.5, (1, 11): 1.0}),
    ],
)
def test_heat_map_is_minutes_booked_over_minutes_on_duty(db, hour, minute, minutes, expected):
    from salon.models import TimeOff, WorkingHours
    from tests.scenario import salon_scenario

    # given Anna, who works only on Mondays 09:00–13:00 and is away from 12:00
    # on Monday 2 March, with one session that day
    scene = salon_scenario(therapists=["Anna"], rooms=["Linden"], currency="EUR")
    anna = scene.therapists[0]
    WorkingHours.objects.filter(therapist=anna).delete()
    WorkingHours.objects.create(
        therapist=anna, salon=scene.salon, weekday=0, starts=datetime.time(9), ends=datetime.time(13)
    )
    TimeOff.objects.create(therapist=anna, start=scene.at(MONDAY, 12), end=scene.at(MONDAY, 13), reason="Course")
    neck = routine_create_for_test(slug="neck", name="Neck", steps=[step_data(1, min_minutes=60, max_minutes=90)])
    book(scene, therapist=anna, room=scene.rooms[0], routine=neck, day=MONDAY, hour=hour, minute=minute,
         minutes=minutes)  # fmt: skip

    # when the week is reported
    report = report_for(locations=[scene.salon], period=WEEK)

    # then only the hours she was on duty have a value: booked minutes ÷ minutes on duty
    assert report.heat == expected
    assert report.therapists[0].working_minutes == 180


def test_shifts_of_some_weeks_only_count_in_those_weeks(week):
    from salon.models import WorkingHours, week_parity

    # given Ben's Monday shift only in the weeks of 2 March's parity, and his
    # Tuesday shift only from 10 March on
    mondays = WorkingHours.objects.filter(therapist=week.ben, weekday=0)
    mondays.update(week_parity=week_parity(MONDAY))
    WorkingHours.objects.filter(therapist=week.ben, weekday=1).update(valid_from=datetime.date(2026, 3, 10))

    # when two weeks are reported
    report = report_for(locations=[week.scene.salon], period=Period(MONDAY, MONDAY + datetime.timedelta(days=14)))

    # then he works one Monday of two and one Tuesday of two: 14 days less 2
    ben = next(row for row in report.therapists if row.label == "Ben")
    assert ben.working_minutes == 12 * DAY


def test_days_alike_are_worked_out_once_per_weekday_and_rota(week, monkeypatch):
    from salon.models import WorkingHours, week_parity
    from sessions.availability import Calendar

    # given Ben's Monday shift only in the weeks of 2 March's parity, and his
    # Tuesday shift only from 10 March on
    WorkingHours.objects.filter(therapist=week.ben, weekday=0).update(week_parity=week_parity(MONDAY))
    WorkingHours.objects.filter(therapist=week.ben, weekday=1).update(valid_from=datetime.date(2026, 3, 10))
    asked = []
    on_duty = Calendar.therapist_on_duty

    def counted(calendar, therapist, day):
        asked.append((therapist.pk, day))
        return on_duty(calendar, therapist, day)

    monkeypatch.setattr(Calendar, "therapist_on_duty", counted)

    # when three weeks are reported
    report = report_for(locations=[week.scene.salon], period=Period(MONDAY, MONDAY + datetime.timedelta(days=21)))

    # then his hours are worked out once per weekday and, on Mondays and
    # Tuesdays, once more for the weeks of the other rota
    assert len([day for therapist, day in asked if therapist == week.ben.pk]) == 9
    # and he works three weeks less a Monday (9 March) and a Tuesday (3 March)
    ben = next(row for row in report.therapists if row.label == "Ben")
    assert ben.working_minutes == 19 * DAY


def test_a_room_out_of_use_keeps_its_bookings_and_the_page_reads_the_extras_as_alone(week):
    from reports.selectors import report_extras
    from sessions.models import Feedback

    # given a completed session in Birke on Thursday, Birke taken out of use after the week, and feedback on
    # Monday's session and on Thursday's
    scene = week.scene
    thursday = MONDAY + datetime.timedelta(days=3)
    thursdays = book(scene, therapist=week.ben, room=week.birke, routine=week.back, day=thursday, hour=15, minutes=90,
                    price=9000)  # fmt: skip
    week.birke.active = False
    week.birke.save()
    Feedback.objects.create(appointment=week.appointments[0], overall=4, pressure="too_strong")
    Feedback.objects.create(appointment=thursdays, overall=2, pressure="too_light")

    # when the page reads the week (the extras with its report) and the extras are read alone
    report = report_for(locations=[scene.salon], period=WEEK)
    with_report = report_extras(locations=[scene.salon], period=WEEK, report=report)
    alone = report_extras(locations=[scene.salon], period=WEEK)

    # then Birke's four bookings still count, though the room is out of use
    assert {row.label: row.bookings for row in report.rooms} == {"Birke": 4, "Linden": 3}
    assert (report.total.bookings, report.total.completed, report.total.revenue_minor) == (7, 3, 6500 + 7000 + 9000)
    # and both readings agree, line by line
    assert with_report == alone
    assert alone.pressure == [("Anna", "Neck", 1, 1, 0), ("Ben", "Back", 1, 0, 1)]
    assert (alone.clients_seen, alone.feedback_asked, alone.feedback_given) == (1, 3, 2)


def test_a_location_without_rooms_reports_nothing_booked(db):
    from reports.selectors import report_extras
    from tests.scenario import salon_scenario

    # given a new location with a therapist on the rota but no room yet
    scene = salon_scenario(therapists=["Anna"], rooms=[], currency="EUR")

    # when its week is reported, as the page reads it
    report = report_for(locations=[scene.salon], period=WEEK)
    extras = report_extras(locations=[scene.salon], period=WEEK, report=report)

    # then nothing is booked, every day included, and Anna's hours are still counted
    assert (report.total.bookings, report.rooms) == (0, [])
    assert list(report.daily.values()) == [(0, 0)] * 7
    assert [(row.label, row.working_minutes) for row in report.therapists] == [("Anna", 7 * 8 * 60)]
    assert (extras.clients_seen, extras.feedback_given, extras.courses) == (0, 0, 0)


def test_sessions_cancelled_by_an_erasure_count_neither_as_bookings_nor_as_cancellations(week):
    from django.utils import timezone

    from clients.services import client_erase
    from sessions.services.booking import appointment_book
    from sessions.services.lifecycle import appointment_transition
    from tests.factories import ClientFactory

    # given a client with two sessions ahead, one of which she cancelled herself before asking to be erased
    scene = week.scene
    later = (timezone.now().astimezone(scene.salon.zone) + datetime.timedelta(days=10)).date()
    leaving = ClientFactory(salon=scene.salon)
    kept = appointment_book(client=leaving, routine=week.neck, start=scene.at(later, 10))
    cancelled = appointment_book(client=leaving, routine=week.neck, start=scene.at(later, 12))
    appointment_transition(appointment=cancelled, to_status="cancelled", reason="She moved away.")
    appointment_book(client=scene.client, routine=week.neck, start=scene.at(later, 14))

    # when her data is erased and that day is reported
    client_erase(client=leaving, user=None)
    report = report_for(locations=[scene.salon], period=Period(later, later + datetime.timedelta(days=1)))

    # then the session the erasure cancelled counts nowhere; her own cancellation and the other client's booking do
    kept.refresh_from_db()
    assert (kept.status, kept.cancelled_at_erasure) == ("cancelled", True)
    assert (report.total.bookings, report.total.cancelled, report.total.cancelled_late) == (2, 1, 0)


def test_a_report_asked_again_reads_what_changed_since(week, django_assert_max_num_queries):
    from reports.selectors import report_extras
    from sessions.models import Feedback

    # given the week's report and extras read once (their SQL is then kept for the same inputs)
    scene = week.scene
    first = report_for(locations=[scene.salon], period=WEEK)
    before = report_extras(locations=[scene.salon], period=WEEK, report=first)

    # when a completed session with feedback is added on Thursday and the page's figures are read again
    thursday = MONDAY + datetime.timedelta(days=3)
    added = book(scene, therapist=week.ben, room=week.linden, routine=week.neck, day=thursday, hour=15, price=8000)
    Feedback.objects.create(appointment=added, overall=3, pressure="too_light")
    with django_assert_max_num_queries(12):
        again = report_for(locations=[scene.salon], period=WEEK)
        after = report_extras(locations=[scene.salon], period=WEEK, report=again)
        previous = report_summary(locations=[scene.salon], period=WEEK.previous(), rooms_at=again.rooms_at)

    # then the session counts everywhere it belongs, and the week before stays as it was
    assert (again.total.bookings, again.total.completed) == (first.total.bookings + 1, first.total.completed + 1)
    assert again.total.revenue_minor == first.total.revenue_minor + 8000
    assert sum(bookings for bookings, _ in again.daily.values()) == first.total.bookings + 1
    assert after.feedback_given == before.feedback_given + 1
    assert after.pressure == [*before.pressure, ("Ben", "Neck", 1, 0, 1)]
    assert previous.total.bookings == 1


def test_a_location_whose_time_zone_changed_is_reported_in_its_new_zone(week):
    from salon.models import Salon

    # given a session at 2 in the morning on the week's Monday in Berlin, and the week's report read once
    scene = week.scene
    book(scene, therapist=week.ben, room=week.linden, routine=week.neck, day=MONDAY, hour=2)
    in_berlin = report_for(locations=[scene.salon], period=WEEK)

    # when the location moves to New York's time, six hours behind, and the report is read again
    Salon.objects.filter(pk=scene.salon.pk).update(time_zone="America/New_York")
    in_new_york = report_for(locations=[Salon.objects.get(pk=scene.salon.pk)], period=WEEK)

    # then that session fell on the Sunday before, outside the week: the days are the new zone's
    assert in_new_york.total.bookings == in_berlin.total.bookings - 1
