"""The waitlist: clients who found no free time wait for a service, a date
range and times of day (with a therapist or anyone). When time frees up
(``sessions.signals.time_freed``, after commit), each waiting entry it suits
is offered one free start, in order of joining, by email or SMS; an offer
is open for the location's ``waitlist_offer_minutes``. Offers hold nothing:
whoever accepts first is booked by the booking service (its row locks and
PostgreSQL's exclusion constraints decide), and the others' offers of that
time are gone.
"""

import datetime
import secrets
from collections import defaultdict

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import DateField, Q, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from routines.models import RoutineTemplate
from routines.selectors import routine_spec
from salon.compiled import CompiledQuery
from salon.errors import Conflict, DomainError, Gone, InvalidInput, NotFound, validate
from salon.languages import language_supported
from salon.models import Salon, Therapist
from salon.roles import signed_in_or_none
from sessions.availability import Slot, booking_terms, from_minutes, therapists_at
from sessions.models import Appointment, WaitlistEntry, WaitlistOffer, parse_wall_clock
from sessions.selectors import availability
from sessions.services.booking import appointment_book, routine_offered_check
from sessions.services.online import (
    client_for_contact,
    client_from_contact,
    contact_phone,
    online_rules_refusal,
    online_service_check,
)

ENTRY_SALT = "salon.sessions.waitlist"
OFFER_SALT = "salon.sessions.waitlist-offer"
MAX_RANGE_DAYS = 62
# The times of day the forms offer (label, from, to); none chosen: all day.
WINDOWS = {
    "morning": (_("Mornings (8–12)"), "08:00", "12:00"),
    "midday": (_("Midday (12–15)"), "12:00", "15:00"),
    "afternoon": (_("Afternoons (15–18)"), "15:00", "18:00"),
    "evening": (_("Evenings (18–21)"), "18:00", "21:00"),
}


def entry_token(entry: WaitlistEntry) -> str:
    return signing.dumps(entry.nonce, salt=ENTRY_SALT)


def offer_token(offer: WaitlistOffer) -> str:
    return signing.dumps(offer.nonce, salt=OFFER_SALT)


def _nonce_from(token: str, salt: str) -> str:
    try:
        return signing.loads(token, salt=salt)
    except signing.BadSignature:
        raise NotFound(gettext("This link is not valid."), code="link_invalid") from None


def entry_from_token(token: str) -> WaitlistEntry:
    """The entry a manage link names (404 when tampered with or unknown)."""
    entry = (
        WaitlistEntry.objects.select_related("salon__business", "routine", "therapist")
        .filter(nonce=_nonce_from(token, ENTRY_SALT))
        .first()
    )
    if entry is None:
        raise NotFound(gettext("This link is not valid."), code="link_invalid")
    return entry


def offer_from_token(token: str) -> WaitlistOffer:
    """The offer a link names (404 when tampered with or unknown)."""
    offer = (
        WaitlistOffer.objects.select_related("entry__salon__business", "entry__routine", "therapist", "room")
        .filter(nonce=_nonce_from(token, OFFER_SALT))
        .first()
    )
    if offer is None:
        raise NotFound(gettext("This link is not valid."), code="link_invalid")
    return offer


@transaction.atomic
def waitlist_join(
    *,
    salon: Salon,
    routine: RoutineTemplate,
    first_day: datetime.date,
    last_day: datetime.date,
    given_name: str,
    family_name: str,
    email: str = "",
    phone: str = "",
    minutes: int | None = None,
    therapist: Therapist | None = None,
    windows: list | None = None,
    consent_reminders: bool = False,
    consent_feedback: bool = False,
    language: str = "",
    by=None,
    now: datetime.datetime | None = None,
) -> WaitlistEntry:
    """Put someone on the location's waitlist: from /book/ (``by`` None; the
    service must be bookable online) or by staff at the desk (``by``).
    They are told by email how to leave the list again."""
    now = now or timezone.now()
    if by is None:
        online_service_check(salon=salon, routine=routine, minutes=minutes)
        horizon = salon.online_horizon_days
    else:
        routine_offered_check(routine=routine, salon=salon)
        booking_terms(routine_spec(routine), salon, minutes=minutes)
        horizon = salon.booking_horizon_days
    today = now.astimezone(salon.zone).date()
    if first_day < today:
        raise InvalidInput(
            gettext("The first day has passed."), code="in_the_past", fields={"first_day": [gettext("In the past.")]}
        )
    if last_day > today + datetime.timedelta(days=horizon):
        raise InvalidInput(
            ngettext("Bookings open %(days)s day ahead.", "Bookings open %(days)s days ahead.", horizon)
            % {"days": horizon},
            code="too_far_ahead",
            fields={"last_day": [gettext("Too far ahead.")]},
        )
    if (last_day - first_day).days > MAX_RANGE_DAYS:
        raise InvalidInput(
            gettext("Wait for %(days)s days at most.") % {"days": MAX_RANGE_DAYS},
            code="invalid",
            fields={"last_day": [gettext("Too long a range.")]},
        )
    if therapist is not None and not therapists_at(salon).filter(pk=therapist.pk).exists():
        raise InvalidInput(
            gettext("%(therapist)s does not work at %(location)s.")
            % {"therapist": therapist.display_name, "location": salon.name},
            code="invalid",
            fields={"therapist": [gettext("Does not work at this location.")]},
        )
    # As clients' numbers are kept, so that accepting an offer finds the client; online, a number the offers
    # would be texted to must be one the salon texts.
    phone = contact_phone(salon=salon, phone=phone, texted=by is None and not email)
    entry = WaitlistEntry(
        salon=salon,
        routine=routine,
        minutes=minutes,
        therapist=therapist,
        first_day=first_day,
        last_day=last_day,
        windows=list(windows or []),
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        email=email.strip().lower(),
        phone=phone,
        consent_reminders=consent_reminders,
        consent_feedback=consent_feedback,
        # The language of the page they joined on; staff adding someone read their own, not the client's.
        language=(language_supported(language) or "") if by is None else "",
        added_by=signed_in_or_none(by),
        nonce=secrets.token_urlsafe(32),
    )
    validate(entry)
    entry.save()
    from sessions.tasks import waitlist_joined_send

    waitlist_joined_send.delay_on_commit(entry.pk)
    return entry


@transaction.atomic
def waitlist_withdraw(*, entry: WaitlistEntry) -> WaitlistEntry:
    """Take someone off the waitlist (their link, or the desk); offers still
    open to them close."""
    entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status != WaitlistEntry.Status.WAITING:
        raise Conflict(
            gettext("This entry is %(status)s already.") % {"status": entry.get_status_display().lower()},
            code="not_waiting",
        )
    entry.status = WaitlistEntry.Status.WITHDRAWN
    entry.save(update_fields=["status"])
    entry.offers.filter(status=WaitlistOffer.Status.OPEN).update(status=WaitlistOffer.Status.GONE)
    return entry


def waitlist_expire(*, now: datetime.datetime | None = None) -> int:
    """Close offers past their time, and entries whose last day has passed
    (``today`` in each location's zone is at least the UTC date minus one)."""
    now = now or timezone.now()
    closed = WaitlistOffer.objects.filter(status=WaitlistOffer.Status.OPEN, expires_at__lte=now).update(
        status=WaitlistOffer.Status.EXPIRED
    )
    waiting = WaitlistEntry.objects.filter(
        status=WaitlistEntry.Status.WAITING, last_day__lt=now.date() + datetime.timedelta(days=1)
    ).select_related("salon")
    ended = [entry.pk for entry in waiting if entry.last_day < now.astimezone(entry.salon.zone).date()]
    closed += WaitlistEntry.objects.filter(pk__in=ended, status=WaitlistEntry.Status.WAITING).update(
        status=WaitlistEntry.Status.EXPIRED
    )
    return closed


def _within_windows(entry: WaitlistEntry, slot: Slot, zone) -> bool:
    """The session (not its turnover) lies in one of the entry's times of
    day, on one of its days."""
    start, end = from_minutes(slot.start).astimezone(zone), from_minutes(slot.end).astimezone(zone)
    if not entry.first_day <= start.date() <= entry.last_day:
        return False
    if not entry.windows:
        return True
    if end.date() != start.date():
        return False
    return any(
        parse_wall_clock(window["from"]) <= start.time() and end.time() <= parse_wall_clock(window["to"])
        for window in entry.windows
    )


def _days_freed(salon: Salon, start: datetime.datetime, end: datetime.datetime) -> tuple[datetime.date, datetime.date]:
    """The location's days the range ``start``–``end`` touches."""
    zone = salon.zone
    return start.astimezone(zone).date(), (end - datetime.timedelta(microseconds=1)).astimezone(zone).date()


def _waiting_on(salon: int, first_day: str, last_day: str):
    # The days come as text, cast by the database: a date would be prepared for each backend, a marker not.
    return (
        WaitlistEntry.objects.filter(
            salon_id=salon,
            status=WaitlistEntry.Status.WAITING,
            first_day__lte=Cast(Value(last_day), DateField()),
            last_day__gte=Cast(Value(first_day), DateField()),
        )
        .order_by()
        .values_list("pk")[:1]
    )


# Every move and cancellation asks this way: compiled once, the location and the days change.
_WAITING_ON = CompiledQuery(_waiting_on, salon=-1, first_day="\0first", last_day="\0last")


def waitlist_may_want(*, salon: Salon, start: datetime.datetime, end: datetime.datetime) -> bool:
    """Whether an entry waits that :func:`waitlist_offers_for_freed_time`
    would consider for the range (one query): False only when none could
    be offered it, so that most moves and cancellations send no task. It
    counts entries whose days the offer later clips to now, or that expire
    meanwhile: those the task itself passes over."""
    if start >= end:
        return False
    first_day, last_day = _days_freed(salon, start, end)
    return bool(_WAITING_ON.values(salon=salon.pk, first_day=first_day.isoformat(), last_day=last_day.isoformat()))


@transaction.atomic
def waitlist_offers_for_freed_time(
    *, salon: Salon, start: datetime.datetime, end: datetime.datetime, now: datetime.datetime | None = None
) -> list[WaitlistOffer]:
    """Offer a freed range of time to the waiting entries it suits: each gets
    the earliest start in the range that is free now (by availability, which
    counts bookings and holds) for its service, length and therapist, on its
    days and times of day, in order of joining. A start offered to an entry
    once is not offered to it again, so a rerun offers nothing twice."""
    now = now or timezone.now()
    waitlist_expire(now=now)
    start = max(start, now)
    if start >= end:
        return []
    zone = salon.zone
    first_day, last_day = _days_freed(salon, start, end)
    entries = list(
        WaitlistEntry.objects.filter(
            salon=salon, status=WaitlistEntry.Status.WAITING, first_day__lte=last_day, last_day__gte=first_day
        )
        .select_related("routine", "salon")
        .order_by("created_at", "pk")
    )
    groups: dict[tuple, list[WaitlistEntry]] = defaultdict(list)
    for entry in entries:
        groups[entry.routine_id, entry.minutes, entry.therapist_id].append(entry)
    slots_for: dict[tuple, list[Slot]] = {}
    for key, members in groups.items():
        routine, minutes, therapist_id = members[0].routine, key[1], key[2]
        try:
            slots, _ = availability(
                salon=salon,
                routine=routine,
                first_day=max(first_day, min(member.first_day for member in members)),
                last_day=min(last_day, max(member.last_day for member in members)),
                therapist_id=therapist_id,
                minutes=minutes,
                now=now,
                online=True,
            )
        except InvalidInput:  # the length or the service left the menu meanwhile
            slots = []
        begin, finish = int(start.timestamp()) // 60, int(end.timestamp()) // 60
        slots_for[key] = [slot for slot in slots if begin <= slot.start < finish]
    lasting = datetime.timedelta(minutes=salon.waitlist_offer_minutes)
    offered = set(
        WaitlistOffer.objects.filter(entry__in=entries, start__gte=start, start__lt=end).values_list(
            "entry_id", "start"
        )
    )
    made = []
    for entry in entries:
        slot = next(
            (
                s
                for s in slots_for[entry.routine_id, entry.minutes, entry.therapist_id]
                if _within_windows(entry, s, zone)
            ),
            None,
        )
        if slot is None:
            continue
        slot_start = from_minutes(slot.start)
        if (entry.pk, slot_start) in offered:
            continue
        terms = booking_terms(routine_spec(entry.routine), salon, minutes=entry.minutes)
        offer = WaitlistOffer(
            entry=entry,
            therapist_id=slot.therapist,
            room_id=slot.room,
            start=slot_start,
            busy_until=slot_start + datetime.timedelta(minutes=terms.slot_minutes),
            expires_at=min(now + lasting, slot_start),
            nonce=secrets.token_urlsafe(32),
        )
        try:
            with transaction.atomic():  # a concurrent rerun may have made it a moment ago
                offer.save()
        except IntegrityError:
            continue
        made.append(offer)
    from sessions.tasks import waitlist_offer_send

    for offer in made:
        waitlist_offer_send.delay_on_commit(offer.pk)
    return made


def waitlist_offer_accept(*, offer: WaitlistOffer, now: datetime.datetime | None = None) -> Appointment:
    """Book the offered time for the entry's client (found by its address
    now, else a new client), as a waitlist booking, if the offer is open and
    the time still free: the first to accept gets it. Whoever comes later
    gets 409 ``offer_taken`` and their offer is gone; an offer past its time
    is 410 ``offer_expired``."""
    now = now or timezone.now()
    with transaction.atomic():
        # The refusal is returned, not raised, so that the offer's new status
        # is kept when the booking is refused.
        outcome = _offer_accept(offer_id=offer.pk, now=now)
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome


def _offer_accept(*, offer_id: int, now: datetime.datetime) -> Appointment | DomainError:
    offer = (
        WaitlistOffer.objects.select_for_update(of=("self",))
        .select_related("entry__salon__business", "entry__routine", "therapist", "room")
        .get(pk=offer_id)
    )
    entries = WaitlistEntry.objects.select_for_update(of=("self",)).select_related("salon__business", "routine")
    entry = entries.get(pk=offer.entry_id)
    if offer.status == WaitlistOffer.Status.TAKEN:
        return Conflict(gettext("You have booked this time already."), code="offer_accepted")
    if offer.status == WaitlistOffer.Status.GONE or entry.status != WaitlistEntry.Status.WAITING:
        _close(offer, WaitlistOffer.Status.GONE)
        return Conflict(gettext("Someone else took this time a moment ago."), code="offer_taken")
    if offer.status == WaitlistOffer.Status.EXPIRED or offer.expires_at <= now:
        _close(offer, WaitlistOffer.Status.EXPIRED)
        return Gone(gettext("This offer has run out; you are still on the waitlist."), code="offer_expired")
    salon = entry.salon
    client = client_for_contact(entry)
    if entry.added_by_id is None:
        refused = online_rules_refusal(salon=salon, client=client, now=now)
        if refused is not None:
            return refused
    try:
        with transaction.atomic():  # a refused booking keeps no new client either
            if client is None:
                client = client_from_contact(entry)
            appointment = appointment_book(
                client=client,
                routine=entry.routine,
                start=offer.start,
                salon=salon,
                therapist=offer.therapist,
                room=offer.room,
                minutes=entry.minutes,
                origin=Appointment.Origin.WAITLIST,
                now=now,
                notice_minutes=0,  # the time was checked when it was offered
                # As for online bookings: the desk is told, the client never why.
                without_plan_if_screening_forbids=salon.online_screening_blocked,
            )
    except (Conflict, InvalidInput) as refused:
        _close(offer, WaitlistOffer.Status.GONE)
        if isinstance(refused, InvalidInput):
            return Conflict(
                gettext("This time can no longer be booked: %(reason)s") % {"reason": refused.detail},
                code="offer_taken",
            )
        return Conflict(gettext("Someone else took this time a moment ago."), code="offer_taken")
    offer.status, offer.appointment = WaitlistOffer.Status.TAKEN, appointment
    offer.save(update_fields=["status", "appointment"])
    entry.status, entry.client = WaitlistEntry.Status.BOOKED, client
    entry.save(update_fields=["status", "client"])
    entry.offers.filter(status=WaitlistOffer.Status.OPEN).update(status=WaitlistOffer.Status.GONE)
    # Offers of the same therapist's or room's time to others are gone now.
    # Offers being accepted at this moment are locked by their acceptors, who
    # will find the time taken themselves: skipping them cannot deadlock.
    others = list(
        WaitlistOffer.objects.select_for_update(skip_locked=True)
        .filter(status=WaitlistOffer.Status.OPEN, start__lt=offer.busy_until, busy_until__gt=offer.start)
        .filter(Q(therapist=offer.therapist) | Q(room=offer.room))
        .values_list("pk", flat=True)
    )
    WaitlistOffer.objects.filter(pk__in=others).update(status=WaitlistOffer.Status.GONE)
    from sessions.tasks import waitlist_offer_gone_send

    for other in others:
        waitlist_offer_gone_send.delay_on_commit(other)
    return appointment


def _close(offer: WaitlistOffer, status: str) -> None:
    offer.status = status
    offer.save(update_fields=["status"])


def waiting_entries(*, salon: Salon):
    """The location's waiting entries with their offers, oldest first (the desk)."""
    return (
        WaitlistEntry.objects.filter(salon=salon, status=WaitlistEntry.Status.WAITING)
        .select_related("routine", "therapist")
        .prefetch_related("offers")
        .order_by("created_at", "pk")
    )


def waitlist_offer_freed_time(*, salon_id: int, start_iso: str, end_iso: str) -> int:
    """:func:`waitlist_offers_for_freed_time` for a task's arguments; how many offers were made."""
    salon = Salon.objects.select_related("business").filter(pk=salon_id).first()
    if salon is None:
        return 0
    start, end = datetime.datetime.fromisoformat(start_iso), datetime.datetime.fromisoformat(end_iso)
    return len(waitlist_offers_for_freed_time(salon=salon, start=start, end=end))
