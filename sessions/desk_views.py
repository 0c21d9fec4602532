"""The front desk's grid at /desk/: the three views, booking from a cell,
next free slot, book again, and moving a booking by dropping it on a cell.
htmx refreshes only the parts that change; every page also works as a
plain link or form. The appointment panel's actions are in sessions/views.py."""

import datetime
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from clients.models import Client
from clients.selectors import client_search
from routines.content import text_in
from routines.models import RoutineTemplate
from routines.selectors import MenuEntry, routine_steps_prefetch, routines_offered, service_menu
from salon.errors import DomainError, InvalidInput, NotFound, error_words, http_status
from salon.inputs import DateTimeFormField, parse_id
from salon.locations import location_check, location_for
from salon.models import Salon
from salon.money import money_format
from salon.roles import Role, role_required
from salon.selectors import requested_day, salon_today
from sessions import selectors
from sessions.availability import therapists_at
from sessions.desk import VIEWS, Wanted, desk_grid
from sessions.models import Appointment
from sessions.services import booking

FRONT_DESK = (Role.RECEPTIONIST, Role.MANAGER)
NEXT_FREE_SHOWN = 6
NEXT_FREE_DAYS = 14


@dataclass(frozen=True)
class Service:
    """One line of the booking form's service list: a routine at one of the
    lengths on the location's menu ("<routine id>:<minutes>"), or a routine
    without lengths there ("<routine id>")."""

    value: str
    label: str
    routine: RoutineTemplate
    minutes: int | None
    entry: MenuEntry | None


def desk_services(salon: Salon) -> list[Service]:
    """Each routine the location offers, once per length on its menu with its
    price, or once when it has no lengths there (two queries). The routines
    come without their steps: :func:`service_chosen` reads the chosen one's."""
    menu = service_menu(salon=salon)
    services = []
    for routine in routines_offered(offered_at=salon):
        # Without lengths on the menu: its typical length and the routine's turnover.
        entry = menu.get(routine.slug) or MenuEntry(routine.slug)
        if not entry.prices:
            services.append(Service(str(routine.pk), text_in(routine, "name"), routine, None, entry))
            continue
        for minutes, price in entry.prices.items():
            label = gettext("%(routine)s · %(minutes)s min · %(price)s") % {
                "routine": text_in(routine, "name"),
                "minutes": minutes,
                "price": money_format(price, currency=salon.currency),
            }
            services.append(Service(f"{routine.pk}:{minutes}", label, routine, minutes, entry))
    return services


def service_chosen(services: list[Service], value: str | None) -> Service | None:
    """The service asked for ("<routine id>" or "<routine id>:<minutes>"),
    else the first on the list: a link to a routine since withdrawn or a
    length since dropped shows the default. A value of another shape is
    refused, naming the field. Its routine's steps are read (one query), once."""
    if value:
        routine, _, minutes = value.partition(":")
        parse_id(routine, field="service")
        parse_id(minutes, field="service")
    chosen = next((service for service in services if service.value == value), services[0] if services else None)
    if chosen is not None:
        routine_steps_prefetch(chosen.routine)
    return chosen


def _service_value(appointment: Appointment, services: list[Service]) -> str:
    """The menu line an appointment was booked on: its routine at its length."""
    minutes = int((appointment.end - appointment.start).total_seconds() // 60)
    for value in (f"{appointment.routine_id}:{minutes}", str(appointment.routine_id)):
        if any(service.value == value for service in services):
            return value
    return next((s.value for s in services if s.routine.slug == appointment.routine.slug), "")


class BookingForm(forms.Form):
    client = forms.IntegerField(required=False, widget=forms.HiddenInput)
    start = DateTimeFormField(label=_("Start"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    service = forms.ChoiceField(label=_("Service"))
    therapist = forms.TypedChoiceField(label=_("Therapist"), coerce=int, required=False, empty_value=None)
    room = forms.TypedChoiceField(label=_("Room"), coerce=int, required=False, empty_value=None)
    new_given_name = forms.CharField(label=_("Given name"), required=False, max_length=80)
    new_family_name = forms.CharField(label=_("Family name"), required=False, max_length=80)
    new_phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    new_email = forms.EmailField(label=_("Email"), required=False)
    new_preferred_channel = forms.ChoiceField(
        label=_("Send messages by"), choices=Client.Channel.choices, initial=Client.Channel.EMAIL, required=False
    )
    new_consent_reminders = forms.BooleanField(label=_("Agrees to appointment reminders"), required=False)

    def __init__(self, *args, salon: Salon, services: list[Service], therapists, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.salon = salon
        self.services = services
        self.fields["service"].choices = [(service.value, service.label) for service in services]
        self.fields["therapist"].choices = [("", gettext("Any qualified therapist"))] + [
            (therapist.pk, therapist.display_name) for therapist in therapists
        ]
        rooms = salon.rooms.filter(active=True).order_by("name")
        self.fields["room"].choices = [("", gettext("Any free room"))] + [(room.pk, room.name) for room in rooms]

    def clean(self):
        data = super().clean()
        if not data.get("client") and not (data.get("new_given_name") and data.get("new_family_name")):
            raise ValidationError(gettext("Choose a client, or add a new one with a given and a family name."))
        return data

    def show_domain_error(self, error: DomainError) -> None:
        """Mark the fields a refusal names (the new client's phone is
        ``new_phone`` here), so the form shows them next to the message."""
        for name, messages in (getattr(error, "fields", None) or {}).items():
            field = name if name in self.fields else f"new_{name}"
            if field in self.fields and field not in self.errors:
                self.errors[field] = self.error_class(messages)


def local_start(value: datetime.datetime, salon: Salon) -> datetime.datetime:
    return timezone.make_aware(value.replace(tzinfo=None), salon.zone) if timezone.is_naive(value) else value


def _grid_context(request, salon: Salon, *, day=None, message: str = "") -> dict:
    params = request.GET if request.method == "GET" else request.POST
    view = params.get("view") if params.get("view") in VIEWS else "therapists"
    services = desk_services(salon)
    service = service_chosen(services, params.get("service"))
    now = timezone.now()
    grid = None
    if service is not None:
        wanted = Wanted.of(routine=service.routine, salon=salon, minutes=service.minutes, entry=service.entry, now=now)
        grid = desk_grid(
            salon=salon,
            day=day or requested_day(params.get("date"), salon=salon),
            view=view,
            wanted=wanted,
            today=salon_today(salon, now),
            therapist_id=parse_id(params.get("therapist"), field="therapist") if view == "week" else None,
        )
    return {
        "grid": grid,
        "salon": salon,
        "views": VIEWS,
        "services": services,
        "service": service,
        "message": message,
        # After a change the side panel goes back to its hint (an htmx out-of-band swap).
        "reset_panel": bool(message) and request.htmx,
    }


def grid_response(request, salon: Salon, *, day=None, message: str = "", status: int = 200) -> HttpResponse:
    """The grid (the whole page, or only the grid for htmx), after a change
    with ``message`` and the panel put back to its hint."""
    context = _grid_context(request, salon, day=day, message=message)
    if request.htmx and message:
        response = render(request, "sessions/_desk_grid.html", context, status=status)
        response["HX-Retarget"] = "#desk-grid"
        response["HX-Reswap"] = "outerHTML"
        return response
    template = "sessions/_desk_grid.html" if request.htmx else "sessions/desk.html"
    return render(request, template, context, status=status)


@role_required(*FRONT_DESK)
@require_GET
def desk(request):
    return grid_response(request, location_for(request.user))


@role_required(*FRONT_DESK)
@require_GET
def desk_clients(request):
    """Client search for the booking form (radio buttons to choose one)."""
    salon = location_for(request.user)
    query = request.GET.get("client_query", "").strip()[:100]
    clients = list(client_search(salon=salon, query=query)[:8]) if query else []
    return render(request, "sessions/_client_choices.html", {"clients": clients, "query": query})


def _client_of(salon: Salon, pk) -> Client | None:
    return Client.objects.filter(pk=pk, business_id=salon.business_id, archived=False).first() if pk else None


def _again(salon: Salon, request, services) -> tuple[dict, Client | None]:
    """What "book again" fills in: the same client, service, length and
    therapist, at the next start that fits (with anyone when that therapist
    has none in the next two weeks)."""
    pk = parse_id(request.GET.get("again"), field="again")
    before = (
        Appointment.objects.select_related("client", "routine", "room")
        .filter(pk=pk, room__salon=salon, client__business_id=salon.business_id)
        .first()
    )
    if before is None:
        raise NotFound(gettext("That appointment is not at this location."), code="appointment_not_found")
    value = _service_value(before, services)
    service = service_chosen(services, value)
    initial = {"service": value, "therapist": before.therapist_id, "client": before.client_id}
    if service is not None:
        for therapist_id in (before.therapist_id, None):
            slots = _free_slots(salon, service, therapist_id=therapist_id, client=before.client)
            if slots:
                initial["start"] = slots[0]["start"].strftime("%Y-%m-%dT%H:%M")
                initial["therapist"] = slots[0]["therapist"]
                break
    return initial, before.client


@role_required(*FRONT_DESK)
@require_http_methods(["GET", "POST"])
def desk_book(request):
    salon = location_for(request.user)
    services = desk_services(salon)
    therapists = list(therapists_at(salon).order_by("display_name"))
    chosen_client = None
    if request.method == "GET" and request.GET.get("again"):
        initial, chosen_client = _again(salon, request, services)
    else:
        initial = {key: request.GET.get(key) for key in ("therapist", "start", "service", "room")}
        initial["service"] = initial["service"] or (services[0].value if services else None)
    posted = request.POST if request.method == "POST" else None  # an empty post is refused, not a blank form
    form = BookingForm(posted, salon=salon, services=services, therapists=therapists, initial=initial)
    problem, status = "", 200
    if request.method == "POST":
        chosen_client = _client_of(salon, parse_id(request.POST.get("client"), field="client"))
        if form.is_valid():
            try:
                appointment = _book(request, salon, form, services, therapists)
            except DomainError as error:
                problem, status = error_words(error), http_status(error)
                form.show_domain_error(error)
            else:
                local = appointment.start.astimezone(salon.zone)
                message = gettext("Booked %(client)s at %(time)s.") % {
                    "client": appointment.client,
                    "time": f"{local:%H:%M}",
                }
                return grid_response(request, salon, day=local.date(), message=message)
        else:
            status = 400
    context = {
        "form": form,
        "problem": problem,
        "chosen_client": chosen_client,
        "chosen_client_list": [chosen_client] if chosen_client else [],
        "salon": salon,
    }
    return render(request, "sessions/_book_form.html", context, status=status)


def _book(request, salon: Salon, form: BookingForm, services, therapists) -> Appointment:
    data = form.cleaned_data
    service = service_chosen(services, data["service"])
    details = {
        "routine": service.routine,
        "minutes": service.minutes,
        "start": local_start(data["start"], salon),
        "therapist": next((t for t in therapists if t.pk == data["therapist"]), None),
        "room": salon.rooms.filter(pk=data["room"]).first() if data["room"] else None,
        "booked_by": request.user,
    }
    if data.get("client"):
        client = _client_of(salon, data["client"])
        if client is None:
            raise NotFound(
                gettext("That client no longer exists."), code="client_not_found", fields={"client": [gettext("Gone.")]}
            )
        return booking.appointment_book(client=client, salon=salon, **details)
    new_client = {
        "given_name": data["new_given_name"],
        "family_name": data["new_family_name"],
        "phone": data["new_phone"],
        "email": data["new_email"],
        "preferred_channel": data["new_preferred_channel"] or Client.Channel.EMAIL,
        "consent_reminders": data["new_consent_reminders"],
    }
    return booking.appointment_book_new_client(salon=salon, client_fields=new_client, **details)


def _free_slots(salon: Salon, service: Service, *, therapist_id=None, client=None) -> list[dict]:
    today = salon_today(salon)
    found, _ = selectors.availability(
        salon=salon,
        routine=service.routine,
        minutes=service.minutes,
        first_day=today,
        last_day=today + datetime.timedelta(days=NEXT_FREE_DAYS - 1),
        therapist_id=therapist_id,
        client=client,
    )
    return [slot.as_dict(salon.zone) for slot in found]


def spread_across_therapists(slots: list[dict], *, count: int) -> list[dict]:
    """The earliest starts, but one per therapist before a second for
    anyone: six back-to-back starts of one therapist help nobody choose."""
    chosen, offered = [], set()
    for slot in slots:
        if slot["therapist"] not in offered:
            chosen.append(slot)
            offered.add(slot["therapist"])
            if len(chosen) == count:
                break
    if len(chosen) < count:
        # Fewer therapists than places: later starts, an hour or more after the last one offered of theirs.
        last = {slot["therapist"]: slot["start"] for slot in chosen}
        for slot in slots:
            if slot["start"] >= last[slot["therapist"]] + datetime.timedelta(hours=1):
                chosen.append(slot)
                last[slot["therapist"]] = slot["start"]
                if len(chosen) == count:
                    break
    return sorted(chosen, key=lambda slot: slot["start"])


@role_required(*FRONT_DESK)
@require_GET
def desk_next_free(request):
    """The next free starts for a service at a length (and a therapist), from
    now on, spread across therapists; each opens the booking form filled in."""
    salon = location_for(request.user)
    services = desk_services(salon)
    service = service_chosen(services, request.GET.get("service"))
    therapist_id = parse_id(request.GET.get("therapist"), field="therapist")
    slots = []
    if service is not None:
        slots = spread_across_therapists(_free_slots(salon, service, therapist_id=therapist_id), count=NEXT_FREE_SHOWN)
        names = {therapist.pk: therapist.display_name for therapist in therapists_at(salon)}
        for slot in slots:
            slot["therapist_name"] = names.get(slot["therapist"], "")
    return render(request, "sessions/_next_free.html", {"slots": slots, "service": service})


def start_field(value: str | None) -> datetime.datetime:
    try:
        return DateTimeFormField().clean(value)
    except ValidationError as error:
        raise InvalidInput(
            gettext("Give the new start as a date and time."), fields={"start": error.messages}
        ) from None


def desk_appointment_of(request, pk) -> Appointment:
    """An appointment at a location the desk user is granted; else 403."""
    appointment = get_object_or_404(
        Appointment.objects.select_related("client", "therapist", "room__salon__business", "routine"), pk=pk
    )
    location_check(user=request.user, location=appointment.room.salon)
    return appointment


@role_required(*FRONT_DESK)
@require_GET
def desk_move(request, pk):
    """A booking dropped on a cell: check that it can move there, then ask
    to confirm (the move itself is the panel's reschedule action)."""
    appointment = desk_appointment_of(request, pk)
    salon = appointment.room.salon
    context = {"appointment": appointment, "salon": salon}
    try:
        start = local_start(start_field(request.GET.get("start")), salon)
        therapist_id = parse_id(request.GET.get("therapist"), field="therapist")
        therapist = therapists_at(salon).filter(pk=therapist_id).first() if therapist_id else None
        room_id = parse_id(request.GET.get("room"), field="room")
        room = salon.rooms.filter(pk=room_id).first() if room_id else None
        placement = booking.appointment_reschedule_check(
            appointment=appointment, start=start, therapist=therapist, room=room
        )
    except DomainError as error:
        context["problem"] = error_words(error)
        return render(request, "sessions/_move_confirm.html", context, status=http_status(error))
    context.update({"start": start.astimezone(salon.zone), "placement": placement})
    return render(request, "sessions/_move_confirm.html", context)
