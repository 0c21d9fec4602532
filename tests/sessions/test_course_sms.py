"""The SMS confirming a course of sessions names its dates, as compactly as
they stay clear, in the client's language, and within the SMS's two parts."""

import datetime

import pytest
from django.utils import translation

from sessions.messages import course_dates, sms_segments, sms_text
from sessions.models import Notification
from sessions.services.courses import course_book
from tests.factories import short_routine
from tests.helpers import BERLIN
from tests.scenario import salon_scenario

pytestmark = pytest.mark.django_db

LINK = "http://127.0.0.1:8000/forms/reschedule/" + "t" * 60 + "/"
# Six Mondays in winter (no clock change): 6 January to 10 February 2031.
BOOKED_AT = datetime.datetime(2030, 12, 1, 9, tzinfo=BERLIN)
MONDAYS = [datetime.datetime(2031, 1, 6, 10, tzinfo=BERLIN) + datetime.timedelta(weeks=week) for week in range(6)]


def course_confirmation(*, language: str = "en", starts=MONDAYS, salon_name: str = "Salon am Park") -> Notification:
    """A course booked at the desk for Sabine, and its one confirmation."""
    sabine = {"given_name": "Sabine", "phone": "+491701234567", "consent_reminders": True, "language": language}
    scene = salon_scenario(therapists=["Anna"], rooms=["Linden"], clients=[sabine])
    scene.salon.name = salon_name
    scene.salon.phone = "+49 30 1234567"
    scene.salon.save()
    course = course_book(
        salon=scene.salon, client=scene.client, routine=short_routine(minutes=45, turnover=15),
        dates=[(start, scene.therapists[0]) for start in starts], planned=len(starts), interval_days=7,
        now=BOOKED_AT,
    )  # fmt: skip
    return Notification.objects.get(kind=Notification.Kind.CONFIRMATION, appointment__course=course)


def test_an_english_sms_names_the_six_dates_with_the_weekday_and_the_time_once():
    # given six Mondays at 10:00 booked as a course for an English-speaking client
    confirmation = course_confirmation()

    # when the confirmation goes out by SMS
    text = sms_text(confirmation, link=LINK)

    # then it names every date, the weekday and the time once, in two parts at most
    assert text == (
        "Salon am Park: 6 sessions booked: Mon 6 Jan, 13 Jan, 20 Jan, 27 Jan, 3 Feb, 10 Feb at 10:00. "
        f"Tell your therapist at once if pain grows. Move or cancel until Sun 5 Jan 10:00: {LINK} Tel +49 30 1234567"
    )
    assert sms_segments(text) == 2


def test_a_german_sms_names_the_six_dates_in_german():
    # given the same course for a client who reads German
    confirmation = course_confirmation(language="de")

    # when the confirmation goes out by SMS
    text = sms_text(confirmation, link=LINK)

    # then the dates are written the German way; the longer German text shortens the salon's name to fit
    assert text == (
        "Salon am P.: 6 Termine gebucht: Mo 6.1., 13.1., 20.1., 27.1., 3.2., 10.2. jeweils 10:00. "
        "Sagen Sie sofort Bescheid, wenn Schmerzen zunehmen. Verschieben oder absagen bis So 5.1. 10:00: "
        f"{LINK} Tel. +49 30 1234567"
    )
    assert sms_segments(text) == 2


def test_when_the_times_differ_each_date_has_its_time():
    # given a course whose third Monday is at 11:30
    starts = [*MONDAYS[:2], MONDAYS[2].replace(hour=11, minute=30), MONDAYS[3]]

    text = sms_text(course_confirmation(starts=starts), link=LINK)

    assert text.startswith(
        "Salon am Park: 4 sessions booked: Mon 6 Jan 10:00, 13 Jan 10:00, 20 Jan 11:30, 27 Jan 10:00. Tell"
    )


def test_when_the_weekdays_differ_each_date_has_its_weekday():
    # given a course whose third session is on a Wednesday at 11:30, for a German-speaking client
    starts = [*MONDAYS[:2], datetime.datetime(2031, 1, 22, 11, 30, tzinfo=BERLIN), MONDAYS[3]]

    text = sms_text(course_confirmation(language="de", starts=starts), link="https://salon.example/r/Xy12/")

    assert "4 Termine gebucht: Mo 6.1. 10:00, Mo 13.1. 10:00, Mi 22.1. 11:30, Mo 27.1. 10:00. Sagen" in text


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        # The salon's name is shortened, and the dates give way before it is left out.
        ("en", "Massagepra.: 12 sessions booked: Mon 6 Jan, 13 Jan at 10:00, +10 more. Tell your therapist"),
        ("de", "12 Termine gebucht: Mo 6.1. jeweils 10:00, +11 weitere. Sagen Sie sofort Bescheid"),
    ],
)
def test_a_long_course_names_its_first_dates_and_how_many_more_within_two_parts(language, expected):
    # given twelve weekly sessions, a long salon name and a long link
    starts = [MONDAYS[0] + datetime.timedelta(weeks=week) for week in range(12)]
    name = "Massagepraxis am Stadtpark für Rücken, Nacken und Schultern"
    long_link = "http://127.0.0.1:8000/forms/reschedule/" + "t" * 90 + "/"

    text = sms_text(course_confirmation(language=language, starts=starts, salon_name=name), link=long_link)

    # then the text starts with the first dates and how many more, keeps the link whole and fits in two parts
    assert text.startswith(expected)
    assert long_link in text
    assert sms_segments(text) == 2


def test_one_more_date_is_counted_in_the_singular():
    two = MONDAYS[:2]

    with translation.override("de"):
        assert course_dates(two, 1) == "Mo 6.1. jeweils 10:00, +1 weiterer"
    with translation.override("en"):
        assert course_dates(two, 1) == "Mon 6 Jan at 10:00, +1 more"
        assert course_dates(two, 2) == "Mon 6 Jan, 13 Jan at 10:00"
