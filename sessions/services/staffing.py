"""Staff leaving, coming back, and changes to a therapist that bookings
depend on. The accounts are the salon app's (``salon.services``); this module
sits above it because it looks at the sessions booked ahead: a therapist who
is deactivated, loses the Therapist role, a location, a room or a
qualification must not leave a client booked with no one to see them.

Such a change is refused (409 ``bookings_in_the_way``) with the sessions
named, until they are moved to another therapist on the desk or cancelled;
deactivating can also cancel them itself, through the usual cancellation, so
each client is told (a cancellation notice in the outbox)."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext, pgettext

from salon import services as salon_services
from salon.errors import Conflict, InvalidInput
from salon.models import Therapist, User
from salon.roles import Role
from salon.staff_selectors import staff_roles, staff_therapist
from sessions.models import Appointment
from sessions.services import lifecycle
from sessions.services.placement import qualified

# Sessions still to come: booked, or checked in and not started yet.
AHEAD = (Appointment.Status.BOOKED, Appointment.Status.CHECKED_IN)


def therapist_sessions_ahead(therapist: Therapist, *, now: datetime.datetime | None = None) -> list[Appointment]:
    """The therapist's sessions from ``now`` on, at every location, by start."""
    return list(
        Appointment.objects.filter(therapist=therapist, status__in=AHEAD, start__gte=now or timezone.now())
        .select_related("client", "routine", "room__salon", "therapist")
        .order_by("start", "pk")
    )


def session_words(session: Appointment) -> str:
    """A session as people name it: when (in its location's zone), where, who, what."""
    salon = session.room.salon
    when = session.start.astimezone(salon.zone)
    day = date_format(when, pgettext("date format: short weekday, date and year", "D d M Y"))
    return gettext("%(when)s at %(location)s: %(client)s (%(routine)s)") % {
        "when": f"{day} {when:%H:%M}",
        "location": salon.name,
        "client": session.client,
        "routine": session.routine.name,
    }


def _refuse(sessions: list[Appointment], *, field: str, why: str, remedy: str) -> None:
    named = [session_words(session) for session in sessions]
    raise Conflict(
        ngettext(
            "%(why)s, but %(count)s session is booked ahead; %(remedy)s: %(sessions)s.",
            "%(why)s, but %(count)s sessions are booked ahead; %(remedy)s: %(sessions)s.",
            len(sessions),
        )
        % {"why": why, "count": len(sessions), "remedy": remedy, "sessions": "; ".join(named)},
        code="bookings_in_the_way",
        fields={field: named},
    )


def _lock(therapist: Therapist | None) -> None:
    """Booking locks the therapist's row too: no session slips in meanwhile."""
    if therapist is not None:
        Therapist.objects.select_for_update().filter(pk=therapist.pk).first()


def _stranded(therapist: Therapist, *, now: datetime.datetime | None = None) -> dict[str, list[Appointment]]:
    """Sessions ahead that the therapist, as stored now, could no longer
    give, by the field that would strand them."""
    user = therapist.user
    ahead = therapist_sessions_ahead(therapist, now=now)
    if not ahead:
        return {}
    if not therapist.active or not user.is_active:
        return {"roles": ahead}
    granted = None if user.all_locations else set(user.locations.values_list("pk", flat=True))
    rooms_allowed: dict[int, set[int]] = {}
    for room in therapist.rooms.all():
        rooms_allowed.setdefault(room.salon_id, set()).add(room.pk)
    stranded: dict[str, list[Appointment]] = {}
    for session in ahead:
        location = session.room.salon_id
        if granted is not None and location not in granted:
            stranded.setdefault("locations", []).append(session)
        elif location in rooms_allowed and session.room_id not in rooms_allowed[location]:
            stranded.setdefault("rooms", []).append(session)
        elif not qualified(therapist, session.routine.qualification):
            stranded.setdefault(f"qualified_{session.routine.qualification}", []).append(session)
    return stranded


@transaction.atomic
def staff_update(*, by: User, user: User, now: datetime.datetime | None = None, **changes) -> User:
    """:func:`salon.services.staff_update`, refused (and undone) when the
    change would leave a session booked ahead without its therapist: the
    Therapist role taken away, a location, a room or a qualification that a
    booked session needs."""
    _lock(staff_therapist(User.objects.select_related("therapist").get(pk=user.pk)))
    user = salon_services.staff_update(by=by, user=user, **changes)
    therapist = staff_therapist(User.objects.select_related("therapist__user").get(pk=user.pk))
    if therapist is not None:
        for field, sessions in _stranded(therapist, now=now).items():
            _refuse(
                sessions,
                field=field,
                why=gettext("%(therapist)s would no longer be able to give them")
                % {"therapist": therapist.display_name},
                remedy=gettext("move them to another therapist on the front desk, or cancel them, first"),
            )
    return user


@transaction.atomic
def staff_deactivate(
    *, by: User, user: User, cancel_bookings: bool = False, reason: str = "", now: datetime.datetime | None = None
) -> list[Appointment]:
    """Deactivate a member of staff: they can no longer sign in, their API
    tokens end, and a therapist leaves the desk and availability. Refused
    while they have sessions ahead (at any location), unless
    ``cancel_bookings``: then those are cancelled with ``reason`` first, and
    each client gets the cancellation notice. Returns the sessions cancelled."""
    salon_services.staff_reach_check(by=by, user=user)
    if user.pk == by.pk:
        raise Conflict(gettext("You cannot deactivate your own account; ask another manager."), code="own_account")
    therapist = staff_therapist(User.objects.select_related("therapist").get(pk=user.pk))
    _lock(therapist)
    cancelled = []
    if therapist is not None:
        ahead = therapist_sessions_ahead(therapist, now=now)
        if ahead and not cancel_bookings:
            _refuse(
                ahead,
                field="cancel_bookings",
                why=gettext("%(therapist)s is to be deactivated") % {"therapist": therapist.display_name},
                remedy=gettext(
                    "move them to another therapist on the front desk, or cancel them (and tell the clients)"
                ),
            )
        if ahead and not reason.strip():
            raise InvalidInput.for_fields(
                {"reason": [gettext("Say why the sessions are cancelled: the clients are told.")]}
            )
        for session in ahead:
            cancelled.append(
                lifecycle.appointment_transition(
                    appointment=session, to_status=Appointment.Status.CANCELLED, by=by, reason=reason
                )
            )
        Therapist.objects.filter(pk=therapist.pk).update(active=False)
    user.is_active = False
    fields = ["is_active"]
    if not user.has_usable_password():
        user.set_unusable_password()  # an invitation sent before must not come back to life on reactivation
        fields.append("password")
    user.save(update_fields=fields)
    salon_services.auth_tokens_revoke_all(user=user)
    return cancelled


@transaction.atomic
def staff_reactivate(*, by: User, user: User) -> User:
    """Let a deactivated member of staff sign in again; a therapist (still in
    the Therapist role) is back on the desk, with their rota as it was."""
    salon_services.staff_reach_check(by=by, user=user)
    user.is_active = True
    user.save(update_fields=["is_active"])
    therapist = staff_therapist(User.objects.select_related("therapist").get(pk=user.pk))
    if therapist is not None and Role.THERAPIST in staff_roles(user):
        Therapist.objects.filter(pk=therapist.pk).update(active=True)
    return user
