"""The public booking pages at /book/ (no login, work without JavaScript):
location, service and length, therapist or anyone, day and time, the
client's details, a summary, "hold this time"; the page the emailed link
opens to confirm; moving a booking from the link in its messages.

What the client chose travels in the address (nothing personal: service,
length, therapist, day, time); their name, email and phone only in POST
bodies, signed from the summary on. The flow keeps nothing in the session
and needs no CSRF cookie: in a frame on the salon's website (README,
"Embedding the booking page") the browser sends neither, as both are
``SameSite=Lax``. Its posts are checked by ``booking_posts_only`` instead."""

import datetime
from urllib.parse import urlencode

from django.core import signing
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from clients.links import LinkInvalid, LinkRefused
from clients.models import Client, ClientLink
from clients.views import (
    link_finished,
    link_in_session,
    link_landing,
    private,
    refused_page,
    same_site_posts_only,
    throttled_per_address,
)
from online import selectors
from online.embedding import booking_posts_only
from online.forms import ANYONE, DETAILS_FIELD, ChoiceForm, DetailsForm, details_from_signed, details_signed
from online.language import (
    LANGUAGE_FIELD,
    booking_language,
    language_in,
    link_page_language,
    location_page_language,
    with_language,
)
from online.limits import within_limits
from online.services import appointment_reschedule_by_client, online_booking_confirm
from salon.errors import DomainError, Gone, NotFound, error_words, http_status
from salon.inputs import date_problem
from salon.models import Salon
from salon.selectors import location_default, salon_today
from sessions.availability import therapists_at
from sessions.availability_cache import one_stamp_reading, remembered
from sessions.models import Appointment, BookingHold, Notification
from sessions.selectors import client_cancel_deadline
from sessions.services.lifecycle import appointment_cancel_by_client
from sessions.services.online import booking_hold_create, hold_from_token, link_channel
from sessions.services.outbox import channel_for

HELD_FIELD = "held"
HELD_SALT = "online.book.held"
CHOICES = ("service", "minutes", "therapist", "date", "time")
CONFIRM = "confirm"
CANCEL = "cancel"
PURPOSE = ClientLink.Purpose.RESCHEDULE


def _query(**choices) -> str:
    return urlencode({name: value for name, value in choices.items() if value not in (None, "")})


class Booking:
    """The choices in the address, read against the location's menu: what
    is chosen and valid so far, and the message when something is not."""

    def __init__(self, salon: Salon, query):
        self.salon = salon
        # Kept in every address the steps lead to, like the choices (online.language).
        self.language = language_in(query)
        self.form = ChoiceForm(query)
        self.problem = ""
        self.services = selectors.online_services(salon=salon)
        self.service = self.minutes = self.therapist = None
        self.therapist_value = ""
        self.date = self.start = None
        data = self.form.cleaned_data if self.form.is_valid() else {}
        if self.form.errors:
            self.problem = _("Something in the address was not understood; please choose again.")
        slug = data.get("service") or ""
        if slug:
            self.service = next((service for service in self.services if service.slug == slug), None)
            if self.service is None:
                self.problem = _("That service cannot be booked online here; please choose one from the list.")
        if self.service is None:
            return
        lengths = [minutes for minutes, _ in self.service.lengths]
        minutes = data.get("minutes")
        if minutes in lengths:
            self.minutes = minutes
        elif minutes is None and len(lengths) == 1:
            self.minutes = lengths[0]
        elif minutes is not None:
            self.problem = _("%(service)s is booked for %(lengths)s minutes.") % {
                "service": self.service.routine.name,
                "lengths": ", ".join(map(str, lengths)),
            }
        if self.minutes is None:
            return
        self.therapists = selectors.online_therapists(salon=salon, routine=self.service.routine)
        wanted = data.get("therapist") or ""
        if wanted == ANYONE:
            self.therapist_value = ANYONE
        elif wanted:
            self.therapist = next((person for person in self.therapists if str(person.pk) == wanted), None)
            if self.therapist is None:
                self.problem = _("Please choose a therapist from the list, or anyone.")
                return
            self.therapist_value = str(self.therapist.pk)
        if not self.therapist_value:
            return
        self.date = data.get("date")
        self.start = self.form.start(salon.zone)

    @property
    def therapist_id(self) -> int | None:
        return self.therapist.pk if self.therapist else None

    def query(self, *, upto: str = "time", **changes) -> str:
        """The address's query for the choices up to ``upto``, with ``changes``."""
        values = {
            "service": self.service.slug if self.service else "",
            "minutes": self.minutes or "",
            "therapist": self.therapist_value,
            "date": self.date.isoformat() if self.date else "",
            "time": self.start.astimezone(self.salon.zone).strftime("%H:%M") if self.start else "",
        }
        kept = {name: values[name] for name in CHOICES[: CHOICES.index(upto) + 1]}
        return _query(**{**kept, **changes, LANGUAGE_FIELD: self.language})

    @property
    def query_service(self) -> str:
        return self.query(upto="minutes")

    @property
    def query_therapist(self) -> str:
        return self.query(upto="therapist")

    @property
    def query_day(self) -> str:
        return self.query(upto="date")

    @property
    def complete(self) -> bool:
        return self.start is not None and not self.problem

    def context(self) -> dict:
        return {"salon": self.salon, "booking": self, "price": self.price}

    @property
    def price(self) -> int | None:
        return self.service.entry.prices.get(self.minutes) if self.service and self.minutes else None


def _location(request, location: int) -> Salon:
    """The location a booking page is about; 404 unless it books online.
    Its business's sites may frame the page (online.embedding)."""
    salon = selectors.online_location(location)
    if salon is None:
        raise Http404(_("No location takes bookings online under this number."))
    request.frame_origins = selectors.frame_origins(salon=salon)
    location_page_language(request, salon)
    return salon


def _throttled(request, salon: Salon | None):
    return render(request, "online/throttled.html", {"salon": salon}, status=429)


@booking_language
@require_http_methods(["GET"])
def book_start(request):
    """Which location; straight on when there is one."""
    locations = list(selectors.online_locations())
    query = _query(service=request.GET.get("service", "")[:100], **{LANGUAGE_FIELD: request.booking_language})
    if len(locations) == 1:
        target = reverse("book-location", args=[locations[0].pk])
        return redirect(f"{target}?{query}" if query else target)
    return render(
        request,
        "online/locations.html",
        {"locations": locations, "query": query, "salon": location_default()},
    )


@booking_language
@require_http_methods(["GET"])
def book_privacy(request):
    salon = location_default()
    location = request.GET.get("location", "")
    if location.isdigit():
        salon = selectors.online_locations().filter(pk=int(location)).first() or salon
    if salon is not None:
        location_page_language(request, salon)
    return render(request, "online/privacy.html", {"salon": salon})


@booking_language
@require_http_methods(["GET"])
@one_stamp_reading
def book_location(request, location: int):
    """The steps before the client's details: service and length, therapist,
    day and time, each chosen by a link that adds to the address."""
    salon = _location(request, location)
    now = timezone.now()
    booking = Booking(salon, request.GET)
    context = booking.context()
    if booking.service and booking.minutes and booking.therapist_value:
        days = selectors.online_days(
            salon=salon,
            routine=booking.service.routine,
            minutes=booking.minutes,
            therapist_id=booking.therapist_id,
            now=now,
        )
        context["days"] = days
        context["chosen_day"] = chosen_day = next((day for day in days if day.date == booking.date), None)
        on_that_day = {"date": chosen_day.date.isoformat()} if chosen_day else {}
        context["waitlist"] = (
            f"{reverse('book-waitlist-join', args=[salon.pk])}?{booking.query(upto='minutes', **on_that_day)}"
        )
        if booking.date and chosen_day is None:
            booking.problem = _("Please choose one of the days listed.")
    if booking.problem or not _plain_address(request, booking):
        return render(request, "online/book.html", context, status=400 if booking.problem else 200)
    # Visitors open the same few pages again and again, and making the page costs more than working
    # out what is on it: it is remembered like the free times it shows (sessions.availability_cache),
    # under its address and language, which with those decide every word of it.
    question = ("steps-page", request.get_full_path(), translation.get_language())
    page = remembered(
        salon=salon,
        question=question,
        now=now,
        compute=lambda: render_to_string("online/book.html", context, request).encode(),
    )
    return HttpResponse(page)


def _plain_address(request, booking: Booking) -> bool:
    """Whether the address holds only the choices, each once and as the page
    understood them: only such pages are remembered, so that there are as
    many as there are choices, not as many as addresses anyone can type."""
    understood = {
        "service": booking.service.slug if booking.service else None,
        "minutes": str(booking.minutes) if booking.minutes else None,
        "therapist": booking.therapist_value or None,
        "date": booking.date.isoformat() if booking.date else None,
        LANGUAGE_FIELD: booking.language,
    }
    return all(len(values) == 1 and values[0] == understood.get(name) for name, values in request.GET.lists())


def _details_page(request, booking: Booking, form: DetailsForm, *, status: int = 200, problem: str = ""):
    context = {**booking.context(), "form": form, "problem": problem}
    return render(request, "online/details.html", context, status=status)


def _summary_page(request, booking: Booking, details: dict, *, status: int = 200, problem: str = "", code: str = ""):
    context = {
        **booking.context(),
        "details": details,
        "signed": details_signed(location=booking.salon.pk, details=details),
        "problem": problem,
        "code": code,
    }
    return render(request, "online/summary.html", context, status=status)


def _incomplete(booking: Booking):
    """Back to the step still open (the choices kept; nothing personal)."""
    return redirect(f"{reverse('book-location', args=[booking.salon.pk])}?{booking.query(upto='date')}")


@booking_language
@csrf_exempt  # no CSRF cookie in a frame on another site; see booking_posts_only
@booking_posts_only
@require_http_methods(["GET", "POST"])
def book_details(request, location: int):
    """The client's details for the chosen time; sent, the summary. The
    summary's "change" posts them back (signed) to fill the form in again."""
    salon = _location(request, location)
    booking = Booking(salon, request.GET)
    if not booking.complete:
        return _incomplete(booking)
    if request.method == "GET":
        return _details_page(request, booking, DetailsForm())
    if "change" in request.POST:
        earlier = details_from_signed(request.POST.get(DETAILS_FIELD, ""), location=salon.pk)
        return _details_page(request, booking, DetailsForm(initial=earlier))
    form = DetailsForm(request.POST, phone_region=salon.phone_region)
    if form.is_robot():
        # Answered as if it worked, so a robot learns nothing; nothing is held or sent.
        return render(request, "online/held.html", {"salon": salon, "robot": True})
    if not form.is_valid():
        return _details_page(request, booking, form, status=400)
    return _summary_page(request, booking, form.details())


def _held_page(request, salon: Salon):
    """The page after holding: ``?held=`` names the hold, signed, and only
    while the hold lasts (the address carries nothing personal; the page
    shows the email the link went to, so the link to it expires)."""
    try:
        hold_id = signing.loads(
            request.GET.get(HELD_FIELD, "")[:100], salt=HELD_SALT, max_age=salon.online_hold_minutes * 60
        )
    except signing.BadSignature:
        hold_id = None
    hold = BookingHold.objects.filter(pk=hold_id, salon=salon).first() if isinstance(hold_id, int) else None
    if hold is None:
        return redirect(with_language(request, reverse("book-location", args=[salon.pk])))
    held = {
        "email": hold.email,
        "phone": hold.phone,
        "by_sms": link_channel(hold) == Client.Channel.SMS,
        "start": hold.start,
        "expires_at": hold.expires_at,
        "minutes": salon.online_hold_minutes,
    }
    return render(request, "online/held.html", {"salon": salon, "held": held})


@booking_language
@csrf_exempt  # no CSRF cookie in a frame on another site; see booking_posts_only
@booking_posts_only
@require_http_methods(["GET", "POST"])
def book_hold(request, location: int):
    """POST: hold the chosen time for the details the summary signed and send
    the link that confirms it; then (GET) the page that says to check the email."""
    salon = _location(request, location)
    if request.method == "GET":
        return _held_page(request, salon)
    booking = Booking(salon, request.GET)
    details = details_from_signed(request.POST.get(DETAILS_FIELD, ""), location=salon.pk)
    if not booking.complete or not details:
        return (
            _incomplete(booking)
            if not booking.complete
            else redirect(f"{reverse('book-details', args=[salon.pk])}?{booking.query()}")
        )
    if not within_limits(request, scope="online_hold", email=details.get("email", ""), phone=details.get("phone", "")):
        return _throttled(request, salon)
    try:
        hold = booking_hold_create(
            salon=salon,
            routine=booking.service.routine,
            start=booking.start,
            minutes=booking.minutes,
            therapist=booking.therapist,
            language=translation.get_language(),
            **details,
        )
    except DomainError as refusal:
        return _summary_page(
            request, booking, details, status=http_status(refusal), problem=error_words(refusal), code=refusal.code
        )
    held = _query(**{HELD_FIELD: signing.dumps(hold.pk, salt=HELD_SALT), LANGUAGE_FIELD: booking.language})
    return redirect(f"{reverse('book-hold', args=[salon.pk])}?{held}")


def _hold_context(request, hold: BookingHold) -> dict:
    salon = hold.salon
    again = {"service": hold.routine.slug, "minutes": hold.minutes or ""}
    return {
        "hold": hold,
        "salon": salon,
        "again": with_language(request, f"{reverse('book-location', args=[salon.pk])}?{_query(**again)}"),
    }


@booking_language
@private
@csrf_exempt  # the token in the address is the proof; see clients.views.same_site_posts_only
@throttled_per_address(purpose=CONFIRM)
@same_site_posts_only(purpose=CONFIRM)
@require_http_methods(["GET", "POST"])
def book_confirm(request, token):
    """The page the emailed link opens: a GET only shows the booking (mail
    scanners open links); the button confirms it and answers with the
    booked page, which offers the intake link then (no session keeps it
    for a later GET; the email has it too)."""
    try:
        hold = hold_from_token(token)
    except NotFound:
        return refused_page(request, LinkInvalid(), purpose=CONFIRM)
    # No client yet (the hold is confirmed into one): the location's language.
    link_page_language(request, salon=hold.salon, asked_in=hold.language)
    context = _hold_context(request, hold)
    if hold.status == BookingHold.Status.CONFIRMED:
        return _booked_page(request, hold.appointment_id, context)
    if hold.status == BookingHold.Status.EXPIRED or hold.expires_at <= timezone.now():
        return render(request, "online/expired.html", context, status=410)
    if request.method == "GET":
        return render(request, "online/confirm.html", context)
    if not within_limits(request, scope="online_confirm", email=hold.email, phone=hold.phone):
        return _throttled(request, hold.salon)
    try:
        appointment, intake = online_booking_confirm(hold=hold)
    except Gone:
        return render(request, "online/expired.html", context, status=410)
    except DomainError as refusal:
        if refusal.code == "hold_confirmed":
            return redirect(with_language(request, request.path))
        context["problem"] = _words_for_client(refusal, hold.salon)
        return render(request, "online/confirm.html", context, status=http_status(refusal))
    return _booked_page(request, appointment.pk, context, intake=intake)


# Refusals from the client's screening are worded for staff and may hint at
# why; the client is asked to call instead.
SCREENING_CODES = {"contraindicated", "core_step_lost", "routine_blocked", "screening_required", "call_to_book"}


def _words_for_client(refusal: DomainError, salon: Salon) -> str:
    if refusal.code in SCREENING_CODES:
        if salon.phone:
            return _(
                "This treatment cannot be booked online for you; please call us on %(phone)s: "
                "we would like a word first."
            ) % {"phone": salon.phone}
        return _("This treatment cannot be booked online for you; please call us: we would like a word first.")
    return error_words(refusal)


def _booked_page(request, appointment_id: int | None, context: dict, *, intake: str = ""):
    appointment = (
        Appointment.objects.select_related("routine", "therapist", "room__salon", "client")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None:  # erased since
        return refused_page(request, LinkInvalid(), purpose=CONFIRM)
    by_sms = channel_for(appointment.client) == Notification.Channel.SMS
    context.update(appointment=appointment, intake=intake, by_sms=by_sms)
    return render(request, "online/booked.html", context)


@booking_language
@private
@throttled_per_address(purpose=PURPOSE)
@require_http_methods(["GET"])
def reschedule_link(request, token):
    return link_landing(request, token, purpose=PURPOSE, form_url="book-reschedule")


def _parse_choice(value: str, salon: Salon):
    """A time from the list: ``<ISO start with offset>/<therapist id>``."""
    start_text, _, therapist_text = value.partition("/")
    try:
        start = datetime.datetime.fromisoformat(start_text)
    except ValueError:
        return None, None
    if timezone.is_naive(start) or date_problem(start) or not therapist_text.isdigit():
        return None, None
    therapist = therapists_at(salon).filter(pk=int(therapist_text)).first()
    return (start, therapist) if therapist else (None, None)


@booking_language
@private
@csrf_exempt  # see clients.views.same_site_posts_only
@throttled_per_address(purpose=PURPOSE)
@same_site_posts_only(purpose=PURPOSE)
@require_http_methods(["GET", "POST"])
def reschedule_form(request):
    """Move the appointment of the link opened: a day, then a time from the
    free ones for the same service and length, until the cancel cut-off;
    or cancel it (``action=cancel``) until then."""
    try:
        link = link_in_session(request, purpose=PURPOSE)
    except LinkRefused as refused:
        return refused_page(request, refused, purpose=PURPOSE)
    appointment = (
        Appointment.objects.select_related("routine", "therapist", "client", "room__salon")
        .filter(pk=link.reference, client_id=link.client_id)
        .first()
    )
    if appointment is None:
        return refused_page(request, LinkInvalid(_("No such appointment.")), purpose=PURPOSE)
    salon = appointment.room.salon
    link_page_language(request, client=appointment.client, salon=salon)
    deadline = client_cancel_deadline(appointment)
    context = {"appointment": appointment, "salon": salon, "deadline": deadline, "link": link, "problem": ""}
    open_to_move = appointment.status == Appointment.Status.BOOKED and timezone.now() <= deadline
    context["open_to_move"] = open_to_move
    status = 200
    if open_to_move and request.method == "POST" and request.POST.get("action") == CANCEL:
        # An SMS carries this page's link alone (no room for a second), so it cancels too, until the same cut-off.
        try:
            appointment_cancel_by_client(link=link)
        except LinkRefused as refused:
            return refused_page(request, refused, purpose=PURPOSE)
        except DomainError as refusal:
            context["problem"] = error_words(refusal)
            status = http_status(refusal)
        else:
            link_finished(request, purpose=PURPOSE)
            return render(request, "sessions/cancel_done.html", {"appointment": appointment})
    elif open_to_move and request.method == "POST":
        start, therapist = _parse_choice(request.POST.get("time", "")[:80], salon)
        if start is None:
            context["problem"] = _("Please choose one of the times listed.")
            status = 400
        else:
            try:
                moved = appointment_reschedule_by_client(link=link, start=start, therapist=therapist)
            except LinkRefused as refused:
                return refused_page(request, refused, purpose=PURPOSE)
            except DomainError as refusal:
                context["problem"] = error_words(refusal)
                status = http_status(refusal)
            else:
                link_finished(request, purpose=PURPOSE)
                return render(request, "online/rescheduled.html", {"appointment": moved, "salon": salon})
    elif request.method == "POST":
        status = 409
    if open_to_move:
        minutes = int((appointment.end - appointment.start).total_seconds() // 60)
        try:
            days = selectors.online_days(
                salon=salon,
                routine=appointment.routine,
                minutes=minutes,
                prefer=appointment.therapist_id,
                moving=appointment.pk,
            )
        except DomainError:  # the length is no longer on the menu: its default length
            days = selectors.online_days(salon=salon, routine=appointment.routine, minutes=None, moving=appointment.pk)
        wanted = request.GET.get("date", "")[:10]
        context["days"] = days
        context["chosen_day"] = next((day for day in days if day.date.isoformat() == wanted), None)
        context["today"] = salon_today(salon)
    return render(request, "online/reschedule.html", context, status=status)
