"""The therapist's private calendar feed (iCalendar), for a phone to subscribe to.

The address is secret but may still end up somewhere it should not (a shared
screen, a synced calendar account), so an event carries only what the
therapist needs to plan the day: the time, the room and the client's first
name with an initial. Not the routine (a "pregnancy" or "injury recovery"
massage is health data), not the screening or the plan; the event's link
opens the session in the app, behind the login.
"""

import datetime

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from sessions.messages import calendar_uid
from sessions.selectors import calendar_feed_language

REFRESH = datetime.timedelta(minutes=15)


def client_short_name(client) -> str:
    initial = f" {client.family_name[:1]}." if client.family_name else ""
    return f"{client.given_name}{initial}"


def calendar_feed_file(*, therapist, appointments) -> bytes:
    with translation.override(calendar_feed_language(therapist)):
        return _calendar(therapist=therapist, appointments=appointments)


def _calendar(*, therapist, appointments) -> bytes:
    business = therapist.business
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Salon//Therapist calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{business.name}: {therapist.display_name}")
    calendar.add("x-wr-timezone", business.time_zone)
    calendar.add("refresh-interval", REFRESH)
    calendar.add("x-published-ttl", REFRESH)
    for appointment in appointments:
        event = icalendar.Event()
        # Not the client's UID: a therapist who also books as a client must not
        # see the two merged into one event.
        event.add("uid", "therapist-" + calendar_uid(appointment))
        event.add("sequence", appointment.calendar_sequence)
        event.add("dtstamp", appointment.updated_at)
        event.add("dtstart", appointment.start)
        event.add("dtend", appointment.end)
        event.add("summary", _("Massage: %(client)s") % {"client": client_short_name(appointment.client)})
        event.add("location", f"{appointment.room.name}, {appointment.room.salon.name}")
        event.add("url", settings.SITE_URL + reverse("session-run", args=[appointment.pk]))
        event.add("status", "CONFIRMED")
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    return calendar.to_ical()
