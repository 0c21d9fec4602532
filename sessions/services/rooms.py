"""Changes to a location's rooms that must look at the bookings: taking a
room out of use (refused while sessions are booked in it), and the API's
one call that may rename, re-equip and take out of use at once. Adding a
room, renaming it and its equipment are ``salon.services``' (no bookings
involved); a room out of service for a while is time off
(``sessions.services.time_off``)."""

from django.db import transaction
from django.utils import timezone

from salon.models import Room
from salon.services import room_update
from sessions.models import Appointment
from sessions.services.closures import refuse_if_booked


def sessions_ahead_in(room: Room) -> list[Appointment]:
    """The sessions booked in ``room`` that have not finished (turnover included), by start."""
    return list(
        Appointment.objects.filter(room=room, status__in=Appointment.HOLDS_TIME, busy_until__gt=timezone.now())
        .select_related("client", "therapist")
        .order_by("start")
    )


@transaction.atomic
def room_active_set(*, room: Room, active: bool) -> Room:
    """Take ``room`` out of use (nothing more is booked in it; it leaves the
    desk) or back in use. Out of use is refused, with the sessions named
    (409 ``bookings_in_the_way``), while sessions are booked in it: the desk
    moves them to another room first."""
    Room.objects.select_for_update().filter(pk=room.pk).first()  # as booking locks it
    if not active:
        refuse_if_booked(room.salon, sessions_ahead_in(room), field="active")
    Room.objects.filter(pk=room.pk).update(active=active)
    room.active = active
    return room


@transaction.atomic
def room_change(
    *, room: Room, name: str | None = None, equipment: str | None = None, active: bool | None = None
) -> Room:
    """Any of: a new name, new equipment, in use or not (None: as it is).
    All or nothing."""
    if name is not None or equipment is not None:
        room_update(room=room, name=name, equipment=equipment)
    if active is not None and active != room.active:
        room_active_set(room=room, active=active)
    return room
