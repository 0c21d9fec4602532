"""The front desk at /desk/: the day grid, booking, moving, cancelling and
checking in, with htmx refreshing only the parts that changed."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from clients.models import Client
from clients.selectors import client_search
from routines.selectors import routine_list, service_menu
from salon.errors import DomainError, InvalidInput, NotFound, error_words, http_status
from salon.inputs import DateTimeFormField, parse_id
from salon.locations import location_check, location_for
from salon.money import money_format
from salon.roles import Role, role_required
from salon.selectors import requested_day, salon_today
from sessions import selectors
from sessions.availability import therapists_at
from sessions.desk import desk_day
from sessions.models import Appointment
from sessions.services import booking, lifecycle

FRONT_DESK = (Role.RECEPTIONIST, Role.MANAGER)


def service_choices(salon) -> list[tuple[str, str]]:
    """The booking form's services: each routine the location offers, once
    per length on its menu with the price ("<routine id>:<minutes>"), or
    once ("<routine id>") when it has no lengths there."""
    menu = service_menu(salon=salon)
    choices = []
    for routine in routine_list(offered_at=salon):
        entry = menu.get(routine.slug)
        if entry is None or not entry.prices:
            choices.append((str(routine.pk), routine.name))
            continue
        for minutes, price in entry.prices.items():
            label = f"{routine.name} · {minutes} min · {money_format(price, currency=salon.currency)}"
            choices.append((f"{routine.pk}:{minutes}", label))
    return choices


def _routine_and_length(value: str) -> tuple[int, int | None]:
    routine, _, minutes = value.partition(":")
    return int(routine), int(minutes) if minutes else None


class BookingForm(forms.Form):
    start = DateTimeFormField(label="Start", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    routine = forms.TypedChoiceField(label="Service", coerce=_routine_and_length)
    therapist = forms.TypedChoiceField(label="Therapist", coerce=int, required=False, empty_value=None)
    room = forms.TypedChoiceField(label="Room", coerce=int, required=False, empty_value=None)
    client = forms.IntegerField(required=False, widget=forms.HiddenInput)
    new_given_name = forms.CharField(label="Given name", required=False, max_length=80)
    new_family_name = forms.CharField(label="Family name", required=False, max_length=80)
    new_phone = forms.CharField(label="Phone", required=False, max_length=40)
    new_email = forms.EmailField(label="Email", required=False)

    def __init__(self, *args, salon, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.salon = salon
        self.fields["routine"].choices = service_choices(salon)
        therapists = therapists_at(salon).order_by("display_name")
        self.fields["therapist"].choices = [("", "Any qualified therapist")] + [
            (therapist.pk, therapist.display_name) for therapist in therapists
        ]
        rooms = salon.rooms.filter(active=True).order_by("name")
        self.fields["room"].choices = [("", "Any free room")] + [(room.pk, room.name) for room in rooms]

    def clean(self):
        data = super().clean()
        if not data.get("client") and not (data.get("new_given_name") and data.get("new_family_name")):
            raise ValidationError("Choose a client, or add a new one with a given and a family name.")
        return data


def _local(value: datetime.datetime, salon) -> datetime.datetime:
    return timezone.make_aware(value.replace(tzinfo=None), salon.zone) if timezone.is_naive(value) else value


def _grid(request, salon, day, *, message="", status=200):
    context = {
        "desk": desk_day(salon=salon, day=day),
        "salon": salon,
        "message": message,
        "desk_routines": routine_list(offered_at=salon),
        # After a change the side panel goes back to its hint (an htmx out-of-band swap).
        "reset_panel": bool(message) and request.htmx,
    }
    template = "sessions/_desk_grid.html" if request.htmx else "sessions/desk.html"
    return render(request, template, context, status=status)


@role_required(*FRONT_DESK)
def desk(request):
    salon = location_for(request.user)
    return _grid(request, salon, requested_day(request.GET.get("date"), salon=salon))


@role_required(*FRONT_DESK)
def desk_clients(request):
    """Client search for the booking form (radio buttons to choose one)."""
    salon = location_for(request.user)
    query = request.GET.get("client_query", "").strip()
    clients = list(client_search(salon=salon, query=query)[:8]) if query else []
    return render(request, "sessions/_client_choices.html", {"clients": clients, "query": query})


@role_required(*FRONT_DESK)
@require_http_methods(["GET", "POST"])
def desk_book(request):
    salon = location_for(request.user)
    initial = {"therapist": request.GET.get("therapist"), "start": request.GET.get("start")}
    form = BookingForm(request.POST or None, salon=salon, initial=initial)
    problem = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        routine_id, minutes = data["routine"]
        details = {
            "routine": routine_list(offered_at=salon).get(pk=routine_id),
            "minutes": minutes,
            "start": _local(data["start"], salon),
            "therapist": therapists_at(salon).filter(pk=data["therapist"]).first() if data["therapist"] else None,
            "room": salon.rooms.filter(pk=data["room"]).first() if data["room"] else None,
            "booked_by": request.user,
        }
        try:
            if data.get("client"):
                client = Client.objects.filter(pk=data["client"], business_id=salon.business_id).first()
                if client is None:
                    raise NotFound("That client no longer exists.", code="client_not_found")
                appointment = booking.appointment_book(client=client, salon=salon, **details)
            else:
                new_client = {
                    "given_name": data["new_given_name"],
                    "family_name": data["new_family_name"],
                    "phone": data["new_phone"],
                    "email": data["new_email"],
                }
                appointment = booking.appointment_book_new_client(salon=salon, client_fields=new_client, **details)
        except DomainError as error:
            problem = error_words(error)
        else:
            day = appointment.start.astimezone(salon.zone).date()
            message = f"Booked {appointment.client} at {appointment.start.astimezone(salon.zone):%H:%M}."
            response = _grid(request, salon, day, message=message)
            response["HX-Retarget"] = "#desk-grid"
            response["HX-Reswap"] = "outerHTML"
            return response
    status = 400 if (form.errors or problem) else 200
    return render(request, "sessions/_book_form.html", {"form": form, "problem": problem}, status=status)


@role_required(*FRONT_DESK)
def desk_appointment(request, pk):
    appointment = _desk_appointment(request, pk)
    salon = appointment.room.salon
    return render(
        request,
        "sessions/_appointment_panel.html",
        {"appointment": appointment, "salon": salon, "therapists": therapists_at(salon)},
    )


def _desk_appointment(request, pk) -> Appointment:
    """An appointment at a location the desk user is granted; else 403."""
    appointment = get_object_or_404(
        Appointment.objects.select_related("client", "therapist", "room__salon__business", "routine"), pk=pk
    )
    location_check(user=request.user, location=appointment.room.salon)
    return appointment


ACTIONS = {
    "check-in": Appointment.Status.CHECKED_IN,
    "no-show": Appointment.Status.NO_SHOW,
    "cancel": Appointment.Status.CANCELLED,
}


def _start_field(value: str | None) -> datetime.datetime:
    try:
        return DateTimeFormField().clean(value)
    except ValidationError as error:
        raise InvalidInput("Give the new start as a date and time.", fields={"start": error.messages}) from None


@role_required(*FRONT_DESK)
@require_POST
def desk_action(request, pk, action):
    if action != "reschedule" and action not in ACTIONS:
        raise Http404("No such action.")
    appointment = _desk_appointment(request, pk)
    salon = appointment.room.salon
    try:
        if action == "reschedule":
            start = _start_field(request.POST.get("start"))
            therapist_id = parse_id(request.POST.get("therapist"), field="therapist")
            appointment = booking.appointment_reschedule(
                appointment=appointment,
                start=_local(start, salon),
                therapist=therapists_at(salon).filter(pk=therapist_id).first() if therapist_id else None,
                by=request.user,
            )
            message = f"Moved to {appointment.start.astimezone(salon.zone):%a %d %b %H:%M}."
        else:
            appointment = lifecycle.appointment_transition(
                appointment=appointment,
                to_status=ACTIONS[action],
                by=request.user,
                reason=request.POST.get("reason", ""),
            )
            message = f"{appointment.client}: {appointment.get_status_display().lower()}."
    except DomainError as error:
        return render(
            request,
            "sessions/_appointment_panel.html",
            {"appointment": appointment, "salon": salon, "problem": error_words(error),
             "therapists": therapists_at(salon)},
            status=http_status(error),
        )  # fmt: skip
    response = _grid(request, salon, appointment.start.astimezone(salon.zone).date(), message=message)
    response["HX-Retarget"] = "#desk-grid"
    response["HX-Reswap"] = "outerHTML"
    return response


@role_required(*FRONT_DESK)
def desk_next_free(request):
    """The next free starts for a routine (and therapist), from now on."""
    salon = location_for(request.user)
    routine_id = parse_id(request.GET.get("routine"), field="routine")
    therapist_id = parse_id(request.GET.get("therapist"), field="therapist")
    routine = routine_list(offered_at=salon).filter(pk=routine_id).first() if routine_id else None
    slots = []
    if routine:
        today = salon_today(salon)
        found, _ = selectors.availability(
            salon=salon,
            routine=routine,
            first_day=today,
            last_day=today + datetime.timedelta(days=13),
            therapist_id=therapist_id,
        )
        names = {t.pk: t.display_name for t in therapists_at(salon)}
        slots = [{**slot.as_dict(salon.zone), "therapist_name": names.get(slot.therapist)} for slot in found[:6]]
    return render(request, "sessions/_next_free.html", {"slots": slots, "routine": routine})
