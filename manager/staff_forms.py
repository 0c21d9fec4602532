"""Forms of the manager's staff pages. They check the shape of the input;
the rules (whose locations, which rooms, unique names) are the services'."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salon.locations import granted_location_ids, locations_granted_queryset
from salon.models import Room, User
from salon.roles import Role
from salon.staff_selectors import staff_roles, staff_therapist


# The order people think of them in: most staff are therapists.
class ManagerForm(forms.Form):
    """Labels without a colon, as on every page of /manage/."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)


ROLE_CHOICES = [(role.value, role.label) for role in (Role.THERAPIST, Role.RECEPTIONIST, Role.MANAGER)]


class StaffForm(ManagerForm):
    """A member of staff as the manager ``manager`` may set them up: only
    the manager's own locations (every location only if theirs), and rooms
    at those."""

    first_name = forms.CharField(label=gettext_lazy("Given name"), max_length=150)
    last_name = forms.CharField(label=gettext_lazy("Family name"), max_length=150, required=False)
    email = forms.EmailField(
        label=gettext_lazy("Email"),
        max_length=254,
        required=False,
        help_text=gettext_lazy("The invitation to set a password goes here."),
    )
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("Roles"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    locations = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Locations"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    all_locations = forms.BooleanField(label=gettext_lazy("All locations, also ones opened later"), required=False)
    display_name = forms.CharField(
        label=gettext_lazy("Display name"),
        max_length=80,
        required=False,
        help_text=gettext_lazy("The name clients and the front desk see. Empty: the given and family name."),
    )
    qualified_therapeutic = forms.BooleanField(label=gettext_lazy("Qualified for therapeutic massage"), required=False)
    qualified_pregnancy = forms.BooleanField(label=gettext_lazy("Qualified for pregnancy massage"), required=False)
    rooms = forms.ModelMultipleChoiceField(label=gettext_lazy("Rooms"), queryset=None, required=False)

    def __init__(self, *args, manager: User, person: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locations"].queryset = locations_granted_queryset(manager)
        self.may_grant_every = granted_location_ids(manager) is None
        if not self.may_grant_every:
            del self.fields["all_locations"]
        rooms = Room.objects.filter(salon__in=locations_granted_queryset(manager)).select_related("salon")
        allowed = set()
        if person is not None and (therapist := staff_therapist(person)) is not None:
            allowed = {room.pk for room in therapist.rooms.all()}
        rooms = rooms.order_by("salon__name", "name")
        self.fields["rooms"].queryset = rooms
        self.room_choices = [room for room in rooms if room.active or room.pk in allowed]

    def room_groups(self) -> list[dict]:
        """The rooms by location, each with whether it is ticked, for the
        template (checkboxes labelled with the room's name)."""
        value = self["rooms"].value() or []
        ticked = {str(pk) for pk in value}
        groups: dict[int, dict] = {}
        for room in self.room_choices:
            group = groups.setdefault(room.salon_id, {"location": room.salon, "rooms": []})
            group["rooms"].append({"room": room, "ticked": str(room.pk) in ticked})
        return list(groups.values())

    def clean(self):
        data = super().clean()
        if not data.get("all_locations") and not data.get("locations") and "locations" not in self.errors:
            self.add_error("locations", _("Choose at least one location."))
        return data

    @staticmethod
    def initial_for(person: User) -> dict:
        therapist = staff_therapist(person)
        initial = {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "roles": [role.value for role in staff_roles(person)],
            "locations": list(person.locations.all()),
            "all_locations": person.all_locations,
        }
        if therapist is not None:
            initial.update(
                display_name=therapist.display_name,
                qualified_therapeutic=therapist.qualified_therapeutic,
                qualified_pregnancy=therapist.qualified_pregnancy,
                rooms=[room.pk for room in therapist.rooms.all()],
            )
        return initial

    def changes(self) -> dict:
        """The cleaned data as the staff services take it."""
        data = dict(self.cleaned_data)
        data["locations"] = list(data.get("locations") or [])
        data["rooms"] = list(data.get("rooms") or [])
        data.setdefault("all_locations", False)
        data["all_locations"] = bool(data["all_locations"])
        return data


class StaffInviteForm(StaffForm):
    username = forms.CharField(
        label=gettext_lazy("Login name"),
        max_length=150,
        help_text=gettext_lazy("What they type to sign in: letters, digits and @ . + - _ only."),
    )

    field_order = ["first_name", "last_name", "username", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True


class DeactivateForm(ManagerForm):
    cancel_bookings = forms.BooleanField(required=False)
    reason = forms.CharField(label=gettext_lazy("Reason (the clients are told)"), max_length=300, required=False)
