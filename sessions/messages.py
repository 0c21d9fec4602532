"""What a notification says, and sending it by email or SMS."""

import datetime
import json
import logging
import re
import smtplib
import urllib.error
import urllib.request

import icalendar
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext, npgettext, pgettext
from django.utils.translation import gettext_lazy as _

from clients.templatetags import client_dates
from routines.content import text_in
from salon.languages import language_for_client, language_supported
from salon.redaction import scrub_text
from sessions.models import Appointment, Notification
from sessions.selectors import client_cancel_deadline

# Every text a client gets is rendered in their language (``client_language``).
SUBJECTS = {
    "confirmation": _("Your massage is booked"),
    "reminder": _("Reminder: your massage"),
    "intake_request": _("A few health questions before your massage"),
    "reschedule": _("Your massage has moved"),
    "cancellation": _("Your massage is cancelled"),
    "feedback_request": _("How was your massage?"),
}
CALENDAR_KINDS = {"confirmation", "reschedule", "cancellation"}
CANCEL_LINK_KINDS = {"confirmation", "reminder", "reschedule"}
SMS_MAX_SEGMENTS = 2
# The GSM 03.38 alphabet: a text made only of these characters travels in
# 7-bit units, 160 to a single message or 153 to each part of a longer one
# (the extension characters take two units). Any other character turns the
# whole text into UCS-2: 70 or 67 UTF-16 units.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
logger = logging.getLogger(__name__)


class Undeliverable(Exception):
    """The message cannot go out as it stands (the client has no address for
    its channel any more); trying again will not help."""


def is_permanent_failure(error: BaseException) -> bool:
    """Whether retrying cannot help: the mail server refused the recipient or
    the message for good (5xx), or the SMS gateway refused the request (4xx
    other than timeout and rate limit). A refused login is a setup problem
    that someone may fix within the retries, so it is retried."""
    if isinstance(error, Undeliverable):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException) and not isinstance(error, smtplib.SMTPAuthenticationError):
        return error.smtp_code >= 500
    if isinstance(error, urllib.error.HTTPError):
        return 400 <= error.code < 500 and error.code not in {408, 429}
    return False


def calendar_uid(appointment: Appointment) -> str:
    """The same UID for the whole life of the appointment."""
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "salon.local"
    return f"appointment-{appointment.pk}@{host}"


def calendar_file(appointment: Appointment, *, cancelled: bool, sessions: list[Appointment] | None = None) -> bytes:
    """The appointment as a calendar event; with ``sessions`` (a course's),
    one event for each of them."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Salon//Bookings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    salon = appointment.room.salon
    for session in sessions or [appointment]:
        event = icalendar.Event()
        event.add("uid", calendar_uid(session))
        event.add("sequence", session.calendar_sequence)
        event.add("dtstamp", session.updated_at)
        event.add("dtstart", session.start)
        event.add("dtend", session.end)
        event.add(
            "summary",
            pgettext("calendar event", "%(routine)s at %(salon)s")
            % {"routine": text_in(session.routine, "name"), "salon": salon.name},
        )
        event.add("location", salon.address.replace("\n", ", "))
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()


def course_sessions(notification: Notification) -> list[Appointment]:
    """For the confirmation of a course, its sessions still booked, by start
    (one query); else none."""
    appointment = notification.appointment
    if notification.kind != Notification.Kind.CONFIRMATION or appointment.course_id is None:
        return []
    return list(
        Appointment.objects.filter(course_id=appointment.course_id)
        .exclude(status=Appointment.Status.CANCELLED)
        .select_related("routine")
        .order_by("start")
    )


def message_id(notification: Notification) -> str:
    """Derived from the row's unique key, so a resend can be recognised."""
    host = calendar_uid(notification.appointment).split("@", 1)[1]
    return f"<{notification.key.replace(':', '.')}@{host}>"


def client_language(appointment: Appointment) -> str:
    """The language of everything the client of ``appointment`` is sent."""
    return language_for_client(client=appointment.client, salon=appointment.room.salon)


def guest_language(*, record, salon) -> str:
    """For someone who may have no client record yet (an online hold, a
    waitlist entry): the language their record names, else the one they
    asked in (the page's or the API call's), else the location's."""
    client = getattr(record, "client", None)
    if client is not None and client.language:
        return language_for_client(client=client, salon=salon)
    return language_supported(getattr(record, "language", "")) or language_for_client(client=client, salon=salon)


def context_for(notification: Notification, link: str = "", reschedule_link: str = "") -> dict:
    appointment = notification.appointment
    salon = appointment.room.salon
    cancel_link_kind = notification.kind in CANCEL_LINK_KINDS
    sessions = course_sessions(notification)
    return {
        "notification": notification,
        "appointment": appointment,
        "course_starts": [session.start.astimezone(salon.zone) for session in sessions],
        "course_sessions": sessions,
        "client": appointment.client,
        "salon": salon,
        "local_start": appointment.start.astimezone(salon.zone),
        "link": link,
        "cancel_link_kind": cancel_link_kind,
        "cancel_link": bool(link) and cancel_link_kind,
        # Moving online ends at the same cut-off as cancelling. An email has a
        # link for each; an SMS has room for one, the reschedule page's, which
        # also cancels (sessions.services.outbox._links).
        "reschedule_link": reschedule_link if bool(link) and cancel_link_kind else "",
        "cancel_until": client_cancel_deadline(appointment).astimezone(salon.zone),
        "subject": SUBJECTS[notification.kind],
        # The guide: the client says at once when pain grows during the session.
        "speak_up": notification.kind in {Notification.Kind.CONFIRMATION, Notification.Kind.REMINDER},
        # The routine's after-care advice, the same for every client (no health details).
        "aftercare": text_in(appointment.routine, "aftercare")
        if notification.kind == Notification.Kind.FEEDBACK_REQUEST and appointment.routine_id
        else "",
    }


def render(template: str, context: dict) -> str:
    """Templates show times in the current zone; a worker has none, so use the salon's."""
    with timezone.override(context["salon"].zone):
        return render_to_string(template, context)


class _StandIn:
    """The client in a shape (``EmailParts``): each detail read is a marker
    (with an ``&``, which shows whether the template escaped it)."""

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        return f"\x00client.{name}&\x00"


# Times no message names, standing in for the session's start and the
# cancelling deadline while a shape is rendered (in the salon's zone).
STAND_IN_TIMES = {
    "local_start": datetime.datetime(2001, 2, 3, 4, 5),
    "cancel_until": datetime.datetime(2002, 3, 4, 5, 6),
}
STAND_IN_LINKS = ("link", "reschedule_link")


def _time_as(context: dict, times: dict, name: str, formatted) -> str:
    """``context[name]`` as the filter ``formatted`` writes it in the active
    language, formatted once for a run (noted in ``times``): its messages
    often share their times, as the reminders due in one minute are for
    sessions that start at one time."""
    moment = context[name]
    key = (translation.get_language(), formatted, moment, getattr(moment, "tzinfo", None))
    if key not in times:
        times[key] = formatted(moment)
    return times[key]


class _Shape:
    """A part as rendered with stand-ins, and how to put a message's own
    values in their places (a pattern matching every place at once, so a
    value put in is never itself replaced)."""

    def __init__(self, text: str, places: dict):
        self.text, self.places = text, places
        longest_first = sorted(places, key=len, reverse=True)  # a day's date before the same date with its time
        self.pattern = re.compile("|".join(map(re.escape, longest_first))) if places else None

    @classmethod
    def rendered(cls, template: str, context: dict) -> "_Shape":
        zone = context["salon"].zone
        stand_ins = {**context, "client": _StandIn()}
        values = {"\x00client.given_name&\x00": lambda own, times: own["client"].given_name}
        for name in STAND_IN_LINKS:
            if context[name]:
                stand_ins[name] = f"\x00{name}&\x00"
                values[stand_ins[name]] = lambda own, times, name=name: own[name]
        for name, moment in STAND_IN_TIMES.items():
            stand_ins[name] = moment.replace(tzinfo=zone)
            for formatted in client_dates.register.filters.values():
                values[formatted(stand_ins[name])] = lambda own, times, name=name, formatted=formatted: _time_as(
                    own, times, name, formatted
                )
        text = render(template, stand_ins)
        places = {}
        for marker, value in values.items():
            if marker in text:
                places[marker] = value
            if escape(marker) != marker and escape(marker) in text:
                places[escape(marker)] = lambda own, times, value=value: escape(value(own, times))
        return cls(text, places)

    def filled(self, context: dict, times: dict) -> str:
        if self.pattern is None:
            return self.text
        return self.pattern.sub(lambda place: self.places[place.group()](context, times), self.text)


class EmailParts:
    """Renders the text and HTML parts of a run of emails, each template once
    for each shape of message.

    Rendering a part costs about 0.25 ms, most of it in the translation
    tags, while the emails of a run (a send task's chunk, loaded together)
    differ only in the client's name, the session's times and the links. So
    each template is rendered once per shape (language, kind, location,
    routine, which links it carries) with stand-ins for those values, and a
    message's part is that text with its own values in their places,
    escaped where the template escaped the stand-in and each time formatted
    by the filter the template applied (``client_dates``). The templates read
    those values only from ``client``, ``local_start``, ``cancel_until``,
    ``link`` and ``reschedule_link``, and decide nothing on them but
    whether a link is there (part of the shape).

    The first message of each shape is also rendered whole and the two
    compared: a template the stand-ins do not fit (one that shows another
    detail of the client, or formats a time some other way) is rendered
    whole for every message of that shape, as is a course's confirmation
    (its list of dates)."""

    def __init__(self):
        self.shapes = {}
        self.times = {}  # formatted (_time_as)

    def render(self, template: str, context: dict) -> str:
        if context["course_starts"]:
            return render(template, context)
        key = (
            template,
            translation.get_language(),
            context["notification"].kind,
            context["salon"].pk,
            context["appointment"].routine_id,
            *(bool(context[name]) for name in STAND_IN_LINKS),
        )
        if key not in self.shapes:
            shape = _Shape.rendered(template, context)
            whole = render(template, context)
            self.shapes[key] = shape if shape.filled(context, self.times) == whole else None
            return whole
        shape = self.shapes[key]
        return render(template, context) if shape is None else shape.filled(context, self.times)


def send_email(
    notification: Notification, *, link: str = "", reschedule_link: str = "", connection=None, parts=None
) -> None:
    """By ``connection`` when given (one kept open for a run of messages),
    else a fresh one; its parts by ``parts`` (``EmailParts``) when given."""
    if not notification.appointment.client.email:
        raise Undeliverable("The client has no email address.")
    render_part = parts.render if parts is not None else render
    with translation.override(client_language(notification.appointment)):
        context = context_for(notification, link, reschedule_link)
        text = render_part("sessions/email/message.txt", context)
        html = render_part("sessions/email/message.html", context)
        email = EmailMultiAlternatives(
            subject=f"{context['subject']} · {context['salon'].name}",
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.appointment.client.email],
            headers={"Message-ID": message_id(notification)},
            connection=connection,
        )
        email.attach_alternative(html, "text/html")
        if notification.kind in CALENDAR_KINDS:
            ics = calendar_file(
                notification.appointment,
                cancelled=notification.kind == "cancellation",
                sessions=context["course_sessions"] or None,
            )
            email.attach("appointment.ics", ics, "text/calendar; charset=utf-8")
    email.send()


def sms_segments(text: str) -> int:
    """How many SMS parts ``text`` takes. Parts are filled unit by unit, and
    a character is never split between two parts (an extension character's
    two units or a UTF-16 surrogate pair), as phones and gateways do."""
    if all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text):
        sizes = [2 if char in GSM7_EXTENSION else 1 for char in text]
        single, part = 160, 153
    else:
        sizes = [len(char.encode("utf-16-le")) // 2 for char in text]
        single, part = 70, 67
    if sum(sizes) <= single:
        return 1
    parts, used = 1, 0
    for size in sizes:
        if used + size > part:
            parts, used = parts + 1, 0
        used += size
    return parts


# An SMS's times, as ``short_datetime`` writes them: the 24-hour clock in every language.
SMS_TIME_FORMAT = "H:i"


def course_dates(starts: list, shown: int) -> str:
    """A course's dates (local starts, in order) for an SMS, as short as
    they stay clear: the weekday only on the first date when all fall on
    the same weekday, the time once when all share it ("Mon 7 Dec, 14 Dec,
    21 Dec at 10:00"), else after each date; past the first ``shown`` dates,
    how many more there are ("…, +3 more": the email lists them all)."""
    same_weekday = len({start.weekday() for start in starts}) == 1
    same_time = len({start.time() for start in starts}) == 1
    with_weekday = pgettext("date format in an SMS: short weekday and date", "D j M")
    without_weekday = pgettext("date format in an SMS: day and short month", "j M")
    dates = []
    for index, start in enumerate(starts[:shown]):
        date = date_format(start, with_weekday if index == 0 or not same_weekday else without_weekday)
        dates.append(date if same_time else f"{date} {date_format(start, SMS_TIME_FORMAT)}")
    text = ", ".join(dates)
    if same_time:
        text = pgettext("the dates of a course in an SMS", "%(dates)s at %(time)s") % {
            "dates": text,
            "time": date_format(starts[0], SMS_TIME_FORMAT),
        }
    more = len(starts) - shown
    if more > 0:
        text = npgettext(
            "the dates of a course in an SMS", "%(dates)s, +%(more)s more", "%(dates)s, +%(more)s more", more
        ) % {"dates": text, "more": more}
    return text


def sender_names(name: str) -> list[str]:
    """The salon's name to sign an SMS with, then shorter and shorter."""
    return [name] + [name[:length].rstrip() + "." for length in (30, 20, 10) if len(name) > length]


def sms_fitted(template: str, context: dict) -> str:
    """A short text (``template``, signed with ``sender``) within the parts
    allowed, its link whole: the salon's name is shortened, then left out;
    a text that still does not fit is refused rather than cut mid-link."""
    for sender in [*sender_names(context["salon"].name), ""]:
        text = " ".join(render(template, {**context, "sender": sender}).split())
        if sms_segments(text) <= SMS_MAX_SEGMENTS:
            return text
    raise Undeliverable(f"The SMS does not fit in {SMS_MAX_SEGMENTS} parts: {scrub_text(text)}")


def sms_text(notification: Notification, *, link: str = "") -> str:
    """The SMS, within two parts, with any link whole. Only the salon's name
    can make it long, or push it out of the GSM alphabet (an emoji, a
    Polish letter), so the name is shortened, then left out; only then is a
    move-or-cancel link dropped (the text still ends with the phone
    number). A text that still does not fit is refused rather than cut
    mid-link."""
    with translation.override(client_language(notification.appointment)):
        return _sms_text(notification, link=link)


def _sms_text(notification: Notification, *, link: str) -> str:
    context = context_for(notification, link)
    tries = sender_names(context["salon"].name)
    links = [link, ""] if context["cancel_link"] else [link]
    # The request to speak up about pain goes before the salon's name does.
    speak_up = [True, False] if context["speak_up"] else [False]
    starts = context["course_starts"]
    # A course's dates give way ("…, +2 more") before the salon's name does:
    # each count of dates is tried with the name shortened step by step, and
    # only when a single date does not fit is the name left out.
    counts = range(len(starts), 0, -1) if starts else [0]
    dates_and_senders = [(shown, sender) for shown in counts for sender in tries] + [(shown, "") for shown in counts]
    for keep_link in links:
        for advice in speak_up:
            for shown, sender in dates_and_senders:
                context.update(
                    sender=sender,
                    link=keep_link,
                    cancel_link=bool(keep_link) and context["cancel_link_kind"],
                    speak_up=advice,
                    course_dates=course_dates(starts, shown) if starts else "",
                )
                text = " ".join(render("sessions/sms/message.txt", context).split())
                if sms_segments(text) <= SMS_MAX_SEGMENTS:
                    return text
    # The error is kept on the notification and logged: without the link's token.
    raise Undeliverable(f"The SMS does not fit in {SMS_MAX_SEGMENTS} parts: {scrub_text(text)}")


def send_sms(notification: Notification, *, link: str = "") -> None:
    """Through the gateway at SMS_URL (JSON POST), or to the log when unset."""
    if not notification.appointment.client.phone:
        raise Undeliverable("The client has no phone number.")
    sms_send_text(to=notification.appointment.client.phone, text=sms_text(notification, link=link))


class Outgoing:
    """Sends a run of notifications over one mail server connection, opened
    for the first email (texts go one request each to the gateway), their
    parts rendered once for each shape of message (``EmailParts``). A
    message that fails for any reason but its own (a refused recipient, no
    address) drops the connection, and the next message opens a new one: a
    broken connection fails one message, never the rest of the run."""

    KEEPS_CONNECTION = (Undeliverable, smtplib.SMTPRecipientsRefused)

    def __init__(self):
        self.mail = None
        self.parts = EmailParts()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def send(self, notification: Notification, *, link: str = "", reschedule_link: str = "") -> None:
        if notification.channel != Notification.Channel.EMAIL:
            send_sms(notification, link=link)
            return
        try:
            if self.mail is None:
                mail = get_connection()
                mail.open()
                self.mail = mail
            send_email(notification, link=link, reschedule_link=reschedule_link, connection=self.mail, parts=self.parts)
        except self.KEEPS_CONNECTION:
            raise
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        mail, self.mail = self.mail, None
        if mail is not None:
            try:
                mail.close()
            except Exception:  # already broken: dropping it is all that was wanted
                logger.debug("Closing the mail connection failed", exc_info=True)


def sms_send_text(*, to: str, text: str) -> None:
    """One text through the gateway at SMS_URL (JSON POST), or to the log when unset."""
    body = {"to": to, "text": text}
    if not settings.SMS_URL.startswith(("http://", "https://")):
        # A log keeps no credentials, not even a developer's: the link's token
        # is masked (salon.redaction); the rest of the text shows as sent.
        logger.info("SMS to %s: %s", body["to"], scrub_text(body["text"]))
        return
    request = urllib.request.Request(  # noqa: S310 (the configured gateway)
        settings.SMS_URL, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310
        pass


def hold_confirmation_send(*, hold_id: int) -> None:
    """The link that confirms an online booking, by email, or by SMS when
    only a phone number was given (``link_channel``); nothing when the hold
    is no longer waiting for it. Sent at once, not through the outbox: the
    outbox's rows belong to a booking and its client, and a hold has
    neither until this link is answered (nor waits out the quiet hours:
    the client asked a moment ago)."""
    from sessions.models import BookingHold
    from sessions.services.online import hold_token, link_channel

    hold = BookingHold.objects.select_related("salon", "routine", "therapist").filter(pk=hold_id).first()
    if hold is None or hold.status != BookingHold.Status.HELD or hold.expires_at <= timezone.now():
        return
    salon = hold.salon
    context = {
        "hold": hold,
        "salon": salon,
        "local_start": hold.start.astimezone(salon.zone),
        "local_expiry": hold.expires_at.astimezone(salon.zone),
        "link": settings.SITE_URL + reverse("book-confirm", args=[hold_token(hold)]),
    }
    with translation.override(guest_language(record=hold, salon=salon)):
        if link_channel(hold) == "sms":
            sms_send_text(to=hold.phone, text=sms_fitted("sessions/sms/hold_confirmation.txt", context))
            return
        email = EmailMultiAlternatives(
            subject=gettext("Please confirm your booking · %(salon)s") % {"salon": salon.name},
            body=render("sessions/email/hold_confirmation.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[hold.email],
        )
    email.send()


WAITLIST_SUBJECTS = {
    "offer": _("A time you are waiting for is free"),
    "gone": _("The time offered to you was taken"),
    "joined": _("You are on the waitlist"),
}


def _waitlist_send(*, entry, kind: str, context: dict) -> None:
    """By email when the entry has an address, else by SMS (the short text)."""
    salon = entry.salon
    context = {**context, "entry": entry, "salon": salon, "subject": WAITLIST_SUBJECTS[kind]}
    with translation.override(guest_language(record=entry, salon=salon)):
        if entry.email:
            email = EmailMultiAlternatives(
                subject=f"{context['subject']} · {salon.name}",
                body=render(f"sessions/email/waitlist_{kind}.txt", context),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[entry.email],
            )
            email.send()
        elif entry.phone:
            sms_send_text(to=entry.phone, text=sms_fitted(f"sessions/sms/waitlist_{kind}.txt", context))


def waitlist_offer_message_send(*, offer_id: int) -> None:
    """The offer of a freed time with its link; nothing once it is closed."""
    from sessions.models import WaitlistOffer
    from sessions.services.waitlist import offer_token

    offer = (
        WaitlistOffer.objects.select_related("entry__salon", "entry__routine", "therapist").filter(pk=offer_id).first()
    )
    if offer is None or offer.status != WaitlistOffer.Status.OPEN or offer.expires_at <= timezone.now():
        return
    zone = offer.entry.salon.zone
    context = {
        "offer": offer,
        "local_start": offer.start.astimezone(zone),
        "local_expiry": offer.expires_at.astimezone(zone),
        "link": settings.SITE_URL + reverse("book-offer", args=[offer_token(offer)]),
    }
    _waitlist_send(entry=offer.entry, kind="offer", context=context)


def waitlist_gone_message_send(*, offer_id: int) -> None:
    """The time offered was taken by someone else (only for an offer gone)."""
    from sessions.models import WaitlistEntry, WaitlistOffer
    from sessions.services.waitlist import entry_token

    offer = WaitlistOffer.objects.select_related("entry__salon", "entry__routine").filter(pk=offer_id).first()
    if offer is None or offer.status != WaitlistOffer.Status.GONE:
        return
    entry = offer.entry
    context = {
        "offer": offer,
        "local_start": offer.start.astimezone(entry.salon.zone),
        "still_waiting": entry.status == WaitlistEntry.Status.WAITING,
        "link": settings.SITE_URL + reverse("book-waitlist", args=[entry_token(entry)]),
    }
    _waitlist_send(entry=entry, kind="gone", context=context)


def waitlist_joined_message_send(*, entry_id: int) -> None:
    """On the list, with the link to leave it (only while waiting)."""
    from sessions.models import WaitlistEntry
    from sessions.services.waitlist import entry_token

    entry = WaitlistEntry.objects.select_related("salon", "routine", "therapist").filter(pk=entry_id).first()
    if entry is None or entry.status != WaitlistEntry.Status.WAITING:
        return
    context = {"link": settings.SITE_URL + reverse("book-waitlist", args=[entry_token(entry)])}
    _waitlist_send(entry=entry, kind="joined", context=context)
