"""Online booking: a client asks for a time at /book/ (or the public API),
the time is held for them, and the booking is made only when they confirm
by the link sent to them: by email, or by SMS when they gave only a phone
number. Until then nobody's record is touched or shown: the address the
link went to is looked up only at confirmation, and only that one, so
typing someone else's email or phone number reads nothing and books
nothing for them.

A hold takes the same locks as a booking (the therapist's row, then the
room's), and availability and every other booking treat a live hold as busy,
so a held time cannot be given away twice; a hold that runs out frees its
time at once (availability reads ``expires_at``) and is marked expired by
beat (``booking_holds_expire``).
"""

import datetime
import secrets

import phonenumbers
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from clients.models import Client
from clients.outcome import Severity
from clients.search import name_keys, normalise_phone
from clients.selectors import client_outcome
from clients.services import client_create
from routines.models import RoutineTemplate
from routines.selectors import routine_offered, routine_spec, service_entry
from salon.errors import Conflict, Gone, InvalidInput, NotFound, validate
from salon.languages import language_supported
from salon.models import Salon, Therapist
from salon.selectors import salon_today
from sessions.availability import booking_terms
from sessions.models import Appointment, BookingHold, WaitlistEntry
from sessions.services.booking import appointment_book, booking_window_check
from sessions.services.placement import appointment_place
from sessions.signals import time_freed

SALT = "salon.sessions.hold"


def hold_token(hold: BookingHold) -> str:
    return signing.dumps(hold.nonce, salt=SALT)


def hold_from_token(token: str) -> BookingHold:
    """The hold a confirmation link names (404 when tampered with or unknown)."""
    try:
        nonce = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise NotFound(gettext("This link is not valid."), code="link_invalid") from None
    hold = BookingHold.objects.select_related("salon__business", "therapist", "room", "routine").filter(nonce=nonce)
    found = hold.first()
    if found is None:
        raise NotFound(gettext("This link is not valid."), code="link_invalid")
    return found


def link_channel(contact) -> str:
    """How the link of an online request (a hold, a waitlist entry) reaches
    its owner: by email when one was given, else by SMS to the phone."""
    return Client.Channel.EMAIL if contact.email else Client.Channel.SMS


TEXTABLE = frozenset({phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE})


def contact_phone(*, salon: Salon, phone: str, texted: bool = False) -> str:
    """A typed phone number in E.164, as client records keep it, so that the
    one confirmed finds its record; a 400 naming ``phone`` when it is none.

    ``texted``: the link will go to it by SMS (no email address was given).
    Then it must be a mobile number of the location's country: each SMS
    costs the salon, and a form anyone may send must not text any number in
    the world (``sms_not_possible``; an email address always works)."""
    try:
        normalised = normalise_phone(phone, region=salon.phone_region)
    except ValidationError as error:
        raise InvalidInput.for_fields({"phone": error.messages}) from None
    if texted and normalised:
        number = phonenumbers.parse(normalised)
        region = phonenumbers.region_code_for_number(number)
        if phonenumbers.number_type(number) not in TEXTABLE or region != salon.phone_region:
            country = salon.phone_region
            raise InvalidInput(
                gettext(
                    "We can send text messages only to mobile numbers in %(country)s; please give an email address."
                )
                % {"country": country},
                code="sms_not_possible",
                fields={
                    "phone": [
                        gettext("Not a mobile number in %(country)s: give an email address instead.")
                        % {"country": country}
                    ]
                },
            )
        texted_links_check(salon=salon)
    return normalised


def texted_links_check(*, salon: Salon, now: datetime.datetime | None = None) -> None:
    """Online requests whose link goes by SMS (holds, waitlist entries with
    no email address) stay within ``ONLINE_SMS_LINKS_PER_DAY`` at the
    location, counted over its day: the forms are open to anyone, and every
    text costs the salon. Two requests at the same moment may both pass the
    last place; a cap on costs allows that."""
    day_began = datetime.datetime.combine(salon_today(salon, now), datetime.time(), tzinfo=salon.zone)
    texted = {"salon": salon, "email": "", "created_at__gte": day_began}
    sent = BookingHold.objects.filter(**texted).count() + WaitlistEntry.objects.filter(**texted).count()
    if sent >= settings.ONLINE_SMS_LINKS_PER_DAY:
        raise InvalidInput(
            gettext("We cannot send more text messages today; please give an email address."),
            code="sms_daily_limit",
            fields={"email": [gettext("Give an email address: the link goes there.")]},
        )


def online_service_check(*, salon: Salon, routine: RoutineTemplate, minutes: int | None):
    """The service is on the location's menu for online booking, at one of
    its lengths; returns its terms."""
    if not salon.online_booking:
        raise Conflict(
            gettext("%(location)s takes no bookings online; please call %(phone)s.")
            % {"location": salon.name, "phone": salon.phone},
            code="online_closed",
        )
    entry = service_entry(salon=salon, slug=routine.slug)
    if entry is None or not entry.online or not routine_offered(routine=routine, salon=salon):
        raise InvalidInput(
            gettext("%(routine)s cannot be booked online at %(location)s.")
            % {"routine": routine.name, "location": salon.name},
            code="not_bookable_online",
            fields={"service": [gettext("Not bookable online.")]},
        )
    return booking_terms(routine_spec(routine), salon, minutes=minutes, entry=entry)


@transaction.atomic
def booking_hold_create(
    *,
    salon: Salon,
    routine: RoutineTemplate,
    start: datetime.datetime,
    minutes: int | None = None,
    therapist: Therapist | None = None,
    given_name: str,
    family_name: str,
    email: str = "",
    phone: str = "",
    consent_reminders: bool = False,
    consent_feedback: bool = False,
    message: str = "",
    language: str = "",
    now: datetime.datetime | None = None,
) -> BookingHold:
    """Hold a time for someone booking online, for the location's
    ``online_hold_minutes``, and send them the link to confirm it (by email,
    else by SMS: ``link_channel``)."""
    now = now or timezone.now()
    phone = contact_phone(salon=salon, phone=phone, texted=not email)
    terms = online_service_check(salon=salon, routine=routine, minutes=minutes)
    booking_window_check(
        start=start,
        salon=salon,
        now=now,
        notice_minutes=salon.online_notice_minutes,
        horizon_days=salon.online_horizon_days,
    )
    start = start.astimezone(datetime.UTC)
    placement = appointment_place(
        salon=salon, spec=routine_spec(routine), terms=terms, start=start, therapist=therapist, room=None
    )
    # Holds that ran out but are not yet marked so would trip the database's
    # own check on overlapping holds: mark them now, under the same locks.
    BookingHold.objects.filter(
        status=BookingHold.Status.HELD,
        expires_at__lte=now,
        start__lt=placement.busy_until,
        busy_until__gt=start,
    ).update(status=BookingHold.Status.EXPIRED)
    hold = BookingHold(
        salon=salon,
        therapist=placement.therapist,
        room=placement.room,
        routine=routine,
        minutes=terms.session_minutes if minutes is not None else None,
        start=start,
        busy_until=placement.busy_until,
        expires_at=now + datetime.timedelta(minutes=salon.online_hold_minutes),
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        email=email.strip().lower(),
        phone=phone,
        consent_reminders=consent_reminders,
        consent_feedback=consent_feedback,
        message=message.strip(),
        # The language they booked in: the link and their new record speak it.
        language=language_supported(language) or "",
        nonce=secrets.token_urlsafe(32),
    )
    validate(hold)
    hold.save()
    from sessions.tasks import booking_hold_send_confirmation

    booking_hold_send_confirmation.delay_on_commit(hold.pk)
    return hold


def client_for_contact(contact) -> Client | None:
    """The client the address on an online request (a hold, a waitlist entry)
    belongs to, read only once its owner has answered the link sent to it.
    Only the address the link went to counts: a phone number typed next to
    one's own email address was never proven, and must not attach the
    booking (or the intake link shown next) to that number's owner.

    A family often shares an address, and the booking's plan is built from
    the client's screening: so the record is the one client at that address
    with the name typed (compared as the search compares names). None when
    no one, or more than one, fits: the booking makes a new record, which
    the desk can merge."""
    clients = Client.objects.filter(business_id=contact.salon.business_id, archived=False, erased_at__isnull=True)
    if link_channel(contact) == Client.Channel.EMAIL:
        clients = clients.filter(email=contact.email)
    elif contact.phone:
        clients = clients.filter(phone=contact.phone)
    else:
        return None
    named = list(clients.filter(name_key=name_keys(contact.given_name, contact.family_name)["name_key"])[:2])
    return named[0] if len(named) == 1 else None


def client_from_contact(contact) -> Client:
    """A new client from an online request: the address confirmed is the one
    typed, and the consents are the ones given."""
    return client_create(
        salon=contact.salon,
        given_name=contact.given_name,
        family_name=contact.family_name,
        email=contact.email,
        phone=contact.phone,
        preferred_channel=link_channel(contact),
        consent_reminders=contact.consent_reminders,
        consent_feedback=contact.consent_feedback,
        language=contact.language,
    )


def online_rules_refusal(*, salon: Salon, client: Client | None, now: datetime.datetime) -> Conflict | None:
    """What the location's rules for online bookings say against booking
    ``client`` (None: someone new) online now, or None: new clients at all,
    the bookings ahead made online (or from the waitlist), the screening."""
    if client is None:
        if not salon.online_new_clients:
            return Conflict(
                gettext("%(location)s books first visits by phone: please call %(phone)s.")
                % {"location": salon.name, "phone": salon.phone},
                code="new_clients_by_phone",
            )
        return None
    open_online = Appointment.objects.filter(
        client=client,
        origin__in=[Appointment.Origin.ONLINE, Appointment.Origin.WAITLIST],
        status=Appointment.Status.BOOKED,
        start__gt=now,
    ).count()
    if open_online >= salon.online_open_bookings:
        return Conflict(
            ngettext(
                "You have %(count)s booking ahead made online; please call %(phone)s to book more.",
                "You have %(count)s bookings ahead made online; please call %(phone)s to book more.",
                open_online,
            )
            % {"count": open_online, "phone": salon.phone},
            code="too_many_online_bookings",
        )
    if not salon.online_screening_blocked and _screening_stops_online(client):
        return Conflict(
            gettext("Please call %(phone)s to book: the salon would like a word with you first.")
            % {"phone": salon.phone},
            code="call_to_book",
        )
    return None


@transaction.atomic
def booking_hold_confirm(*, hold: BookingHold, now: datetime.datetime | None = None) -> Appointment:
    """Book the held time for the client whose address confirmed it (a new
    client when none has it), as an online booking, if the hold is still
    live and the location's rules for online bookings allow it."""
    now = now or timezone.now()
    hold = BookingHold.objects.select_for_update().select_related("salon__business", "routine").get(pk=hold.pk)
    if hold.status == BookingHold.Status.CONFIRMED:
        raise Conflict(gettext("This booking is confirmed already."), code="hold_confirmed")
    if hold.status == BookingHold.Status.EXPIRED or hold.expires_at <= now:
        # Marked expired by beat (a write here would go with the refusal's rollback).
        raise Gone(
            gettext("The time was held for you for a while and has been released; please choose a time again."),
            code="hold_expired",
        )
    salon = hold.salon
    client = client_for_contact(hold)
    refused = online_rules_refusal(salon=salon, client=client, now=now)
    if refused is not None:
        raise refused
    if client is None:
        client = client_from_contact(hold)
    hold.status = BookingHold.Status.CONFIRMED  # no longer busy for the booking below
    hold.save(update_fields=["status"])
    appointment = appointment_book(
        client=client,
        routine=hold.routine,
        start=hold.start,
        salon=salon,
        therapist=hold.therapist,
        room=hold.room,
        minutes=hold.minutes,
        origin=Appointment.Origin.ONLINE,
        now=now,
        notice_minutes=0,  # the time was checked when it was held
        # Past online_rules_refusal, such a client may book: the desk is told, the client never why.
        without_plan_if_screening_forbids=salon.online_screening_blocked,
    )
    hold.appointment = appointment
    hold.save(update_fields=["appointment"])
    return appointment


def _screening_stops_online(client: Client) -> bool:
    outcome = client_outcome(client)
    return any(finding.severity in (Severity.BLOCKED, Severity.REVIEW) for finding in outcome.findings)


@transaction.atomic
def booking_holds_expire(*, now: datetime.datetime | None = None) -> int:
    """Mark the holds that ran out (beat); their time is free already, and
    is offered to the waitlist."""
    ran_out = BookingHold.objects.select_for_update(skip_locked=True, of=("self",)).filter(
        status=BookingHold.Status.HELD, expires_at__lte=now or timezone.now()
    )
    freed = list(ran_out.select_related("salon"))
    BookingHold.objects.filter(pk__in=[hold.pk for hold in freed]).update(status=BookingHold.Status.EXPIRED)
    for hold in freed:
        time_freed.send(sender=BookingHold, salon=hold.salon, start=hold.start, end=hold.busy_until)
    return len(freed)
