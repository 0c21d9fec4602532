"""Rooms of the location: add, rename and re-equip, take out of use and
back, and out-of-service periods (a room's time off: "new table, 3–5 March")."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from manager.forms import ManagerForm
from salon.errors import DomainError, InvalidInput, error_words, http_status
from salon.locations import location_for
from salon.models import Room
from salon.roles import Role, role_required
from salon.services import room_create, room_update
from sessions.services import rooms as room_services
from sessions.services import time_off as time_off_services
from sessions.time_off import rooms_out_of_service, time_off_form

MANAGERS = (Role.MANAGER,)


class RoomForm(ManagerForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=80)
    equipment = forms.CharField(
        label=gettext_lazy("Equipment (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("What the room has, e.g. massage table, heated towels."),
    )


def out_of_service_form(kind: str, salon, data=None):
    rooms = Room.objects.filter(salon=salon).order_by("name")
    form = time_off_form(kind, data, whose=("room", forms.ModelChoiceField(rooms, label=_("Room"))))
    for name, label in (("first_day", _("First day out of service")), ("last_day", _("Last day out of service"))):
        if name in form.fields:
            form.fields[name].label = label
    return form


def _page(request, *, add_form=None, edit=None, away_form=None, problem: str = "", status: int = 200):
    """The rooms page; ``edit`` is (room id, bound form) of a rename that was refused."""
    salon = location_for(request.user)
    rooms = list(Room.objects.filter(salon=salon).order_by("-active", "name"))
    for room in rooms:
        room.form = RoomForm(prefix=f"room-{room.pk}", initial={"name": room.name, "equipment": room.equipment})
        room.open = False
        if edit is not None and edit[0] == room.pk:
            room.form, room.open = edit[1], True
    shown = {"days": out_of_service_form("days", salon), "hours": out_of_service_form("hours", salon)}
    if away_form is not None:
        shown[away_form.kind] = away_form
    context = {
        "salon": salon,
        "rooms": rooms,
        "add_form": add_form or RoomForm(prefix="new"),
        "out_of_service": rooms_out_of_service(salon),
        "days_form": shown["days"],
        "hours_form": shown["hours"],
        "problem": problem,
        "manage_section": "rooms",
    }
    return render(request, "manager/rooms.html", context, status=status)


def _room(request, room: int) -> Room:
    """A room of the manager's location (another location's: 404)."""
    return get_object_or_404(Room.objects.select_related("salon"), pk=room, salon=location_for(request.user))


@role_required(*MANAGERS)
def rooms(request):
    return _page(request)


@role_required(*MANAGERS)
@require_POST
def room_add(request):
    form = RoomForm(request.POST, prefix="new")
    if not form.is_valid():
        return _page(request, add_form=form, status=400)
    try:
        room = room_create(salon=location_for(request.user), **form.cleaned_data)
    except DomainError as refusal:
        return _page(request, add_form=form, problem=error_words(refusal), status=http_status(refusal))
    messages.success(request, _("Room %(room)s added.") % {"room": room.name})
    return redirect("manage-rooms")


@role_required(*MANAGERS)
@require_POST
def room_edit(request, room: int):
    chosen = _room(request, room)
    form = RoomForm(request.POST, prefix=f"room-{chosen.pk}")
    if not form.is_valid():
        return _page(request, edit=(chosen.pk, form), status=400)
    try:
        room_update(room=chosen, **form.cleaned_data)
    except DomainError as refusal:
        return _page(request, edit=(chosen.pk, form), problem=error_words(refusal), status=http_status(refusal))
    messages.success(request, _("Room %(room)s saved.") % {"room": chosen.name})
    return redirect("manage-rooms")


@role_required(*MANAGERS)
@require_POST
def room_in_use(request, room: int):
    """``active=yes``: back in use; ``active=no``: out of use (refused while
    sessions are booked in it, with them named)."""
    chosen = _room(request, room)
    wanted = {"yes": True, "no": False}.get(request.POST.get("active", ""))
    try:
        if wanted is None:
            raise InvalidInput(_("Say whether the room is in use."), fields={"active": [_("Give yes or no.")]})
        room_services.room_active_set(room=chosen, active=wanted)
    except DomainError as refusal:
        return _page(request, problem=error_words(refusal), status=http_status(refusal))
    messages.success(
        request,
        (_("%(room)s is back in use.") if wanted else _("%(room)s is out of use: nothing more is booked in it."))
        % {"room": chosen.name},
    )
    return redirect("manage-rooms")


@role_required(*MANAGERS)
@require_POST
def room_out_of_service(request):
    """A room out of service for a while (repairs, a new table)."""
    salon = location_for(request.user)
    form = out_of_service_form(request.POST.get("kind", ""), salon, request.POST)
    if not form.is_valid():
        return _page(request, away_form=form, status=400)
    start, end = form.span(salon.zone)
    room = form.cleaned_data["room"]
    try:
        time_off_services.time_off_add(
            room=room, start=start, end=end, reason=form.cleaned_data["reason"], by=request.user
        )
    except DomainError as refusal:
        return _page(request, away_form=form, problem=error_words(refusal), status=http_status(refusal))
    when = time_off_services.span_words(start, end, salon.zone)
    messages.success(request, _("%(room)s is out of service %(when)s.") % {"room": room.name, "when": when})
    return redirect("manage-rooms")


urlpatterns = [
    path("manage/rooms/", rooms, name="manage-rooms"),
    path("manage/rooms/add/", room_add, name="manage-room-add"),
    path("manage/rooms/out-of-service/", room_out_of_service, name="manage-room-out-of-service"),
    path("manage/rooms/<int:room>/", room_edit, name="manage-room-edit"),
    path("manage/rooms/<int:room>/in-use/", room_in_use, name="manage-room-in-use"),
]
