"""Staff: adding therapists, receptionists and managers by invitation, their
roles, qualifications and rooms, deactivating and reactivating, lifting a
sign-in lockout."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from manager.staff_forms import DeactivateForm, StaffForm, StaffInviteForm
from salon import services as salon_services
from salon.errors import DomainError, error_words, http_status
from salon.locations import location_for
from salon.models import Salon
from salon.roles import Role, role_required
from salon.selectors import second_factor_devices
from salon.staff_selectors import (
    STATE_LABELS,
    StaffState,
    staff_at,
    staff_get,
    staff_queryset,
    staff_roles,
    staff_state,
    staff_therapist,
    staff_visible_to,
)
from sessions.services import staffing

MANAGERS = (Role.MANAGER,)


def _row(user) -> dict:
    """What the pages show of a member of staff (no queries for rows read
    with ``staff_queryset``)."""
    state = staff_state(user)
    return {
        "user": user,
        "name": user.get_full_name() or user.username,
        "roles": staff_roles(user),
        "therapist": staff_therapist(user),
        "locations": list(user.locations.all()),
        "state": state,
        "state_label": STATE_LABELS[state],
    }


def _several_locations() -> bool:
    return Salon.objects.count() > 1


@role_required(*MANAGERS)
def staff_list(request):
    location = location_for(request.user)
    # The list shows no therapist's rooms: reading them would cost a query for nothing.
    staff = staff_at(location, staff_visible_to(request.user, staff_queryset(rooms=False)))
    context = {
        "salon": location,
        "rows": [_row(user) for user in staff],
        "several_locations": _several_locations(),
        "manage_section": "staff",
    }
    return render(request, "manager/staff.html", context)


@role_required(*MANAGERS)
@require_http_methods(["GET", "POST"])
def staff_new(request):
    location = location_for(request.user)
    form = StaffInviteForm(request.POST or None, manager=request.user, initial={"locations": [location]})
    problem, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            try:
                user = salon_services.staff_invite(by=request.user, **form.changes())
            except DomainError as refusal:
                _fields_to_form(form, refusal)
                problem, status = error_words(refusal), http_status(refusal)
            else:
                words = {"name": user.get_full_name(), "email": user.email}
                messages.success(
                    request, _("%(name)s is added. The invitation to set a password goes to %(email)s.") % words
                )
                return redirect("manage-staff-detail", staff=user.pk)
        else:
            status = 400
    context = {"form": form, "problem": problem, "manage_section": "staff", "several_locations": _several_locations()}
    return render(request, "manager/staff_new.html", context, status=status)


def _fields_to_form(form, refusal: DomainError) -> None:
    """A service's refusal of a field, shown beside that field too."""
    for name, words in refusal.fields.items():
        if name in form.fields:
            form.add_error(name, words)


def _detail_page(
    request, person, *, form=None, problem="", status=200, sessions=None, deactivate_form=None, offer_cancel=False
):
    if form is None:
        form = StaffForm(manager=request.user, person=person, initial=StaffForm.initial_for(person))
    location = location_for(request.user)
    context = {
        "row": _row(person),
        "person": person,
        "form": form,
        "problem": problem,
        "sessions_ahead": [
            {"session": session, "words": staffing.session_words(session), "local": _local(session)}
            for session in sessions or []
        ],
        "deactivate_form": deactivate_form or DeactivateForm(),
        # Cancelling them all goes with deactivating; a refused change only lists them.
        "offer_cancel": offer_cancel,
        "current_location": location,
        "is_self": person.pk == request.user.pk,
        "invited": staff_state(person) == StaffState.INVITED,
        "has_second_factor": bool(second_factor_devices(person)),
        "several_locations": _several_locations(),
        "outside_locations": [
            place for place in person.locations.all() if place not in form.fields["locations"].queryset
        ],
        "manage_section": "staff",
    }
    return render(request, "manager/staff_detail.html", context, status=status)


def _local(session):
    return session.start.astimezone(session.room.salon.zone)


def _person(request, staff):
    return staff_get(manager=request.user, pk=staff)


@role_required(*MANAGERS)
@require_http_methods(["GET", "POST"])
def staff_detail(request, staff: int):
    person = _person(request, staff)
    if request.method == "GET":
        return _detail_page(request, person)
    form = StaffForm(request.POST, manager=request.user, person=person)
    if not form.is_valid():
        return _detail_page(request, person, form=form, status=400)
    try:
        staffing.staff_update(by=request.user, user=person, **form.changes())
    except DomainError as refusal:
        _fields_to_form(form, refusal)
        sessions = _sessions_in_the_way(person, refusal)
        return _detail_page(
            request, _person(request, staff), form=form, problem=_in_short(person, refusal, sessions),
            status=http_status(refusal), sessions=sessions,
        )  # fmt: skip
    messages.success(request, _("Saved."))
    return redirect("manage-staff-detail", staff=staff)


def _in_short(person, refusal: DomainError, sessions: list, *, cancel_here: bool = False) -> str:
    """What the page says about a refusal; the sessions in the way are listed
    below it, so it does not name them again."""
    if refusal.code != "bookings_in_the_way" or not sessions:
        return error_words(refusal)
    name = person.get_full_name() or person.username
    words = {"name": name, "count": len(sessions)}
    if cancel_here:
        return (
            ngettext(
                "%(name)s has %(count)s session booked ahead that stands in the way. Move it to another therapist "
                "on the front desk, or cancel it here; the client is told.",
                "%(name)s has %(count)s sessions booked ahead that stand in the way. Move them to another therapist "
                "on the front desk, or cancel them here; each client is told.",
                len(sessions),
            )
            % words
        )
    return (
        ngettext(
            "%(name)s has %(count)s session booked ahead that stands in the way. Move it to another therapist "
            "on the front desk, or cancel it there; the client is told.",
            "%(name)s has %(count)s sessions booked ahead that stand in the way. Move them to another therapist "
            "on the front desk, or cancel them there; each client is told.",
            len(sessions),
        )
        % words
    )


def _sessions_in_the_way(person, refusal: DomainError) -> list:
    if refusal.code != "bookings_in_the_way":
        return []
    therapist = staff_therapist(person)
    return staffing.therapist_sessions_ahead(therapist) if therapist else []


@role_required(*MANAGERS)
@require_POST
def staff_invitation_resend(request, staff: int):
    person = _person(request, staff)
    try:
        salon_services.staff_invitation_resend(by=request.user, user=person)
    except DomainError as refusal:
        return _detail_page(request, person, problem=error_words(refusal), status=http_status(refusal))
    messages.success(
        request,
        _("A new invitation goes to %(email)s. The links sent before no longer work.") % {"email": person.email},
    )
    return redirect("manage-staff-detail", staff=staff)


@role_required(*MANAGERS)
@require_POST
def staff_password_reset(request, staff: int):
    person = _person(request, staff)
    try:
        salon_services.staff_password_reset(by=request.user, user=person)
    except DomainError as refusal:
        return _detail_page(request, person, problem=error_words(refusal), status=http_status(refusal))
    messages.success(
        request,
        _("The old password no longer works. A link to choose a new one goes to %(email)s.") % {"email": person.email},
    )
    return redirect("manage-staff-detail", staff=staff)


@role_required(*MANAGERS)
@require_POST
def staff_second_factor_reset(request, staff: int):
    person = _person(request, staff)
    try:
        salon_services.staff_second_factor_reset(by=request.user, user=person)
    except DomainError as refusal:
        return _detail_page(request, person, problem=error_words(refusal), status=http_status(refusal))
    name = person.get_full_name() or person.username
    messages.success(
        request,
        _(
            "%(name)s's authenticator app and recovery codes no longer work; "
            "they set up a new app at their next sign-in."
        )
        % {"name": name},
    )
    return redirect("manage-staff-detail", staff=staff)


@role_required(*MANAGERS)
@require_POST
def staff_deactivate(request, staff: int):
    person = _person(request, staff)
    form = DeactivateForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        cancelled = staffing.staff_deactivate(
            by=request.user,
            user=person,
            cancel_bookings=bool(data.get("cancel_bookings")),
            reason=data.get("reason", ""),
        )
    except DomainError as refusal:
        therapist = staff_therapist(person)
        sessions = []
        if therapist and (refusal.code == "bookings_in_the_way" or data.get("cancel_bookings")):
            sessions = staffing.therapist_sessions_ahead(therapist)
        if "reason" in refusal.fields:
            form.add_error("reason", refusal.fields["reason"])
        return _detail_page(
            request, person, problem=_in_short(person, refusal, sessions, cancel_here=True),
            status=http_status(refusal), sessions=sessions, deactivate_form=form, offer_cancel=True,
        )  # fmt: skip
    name = person.get_full_name() or person.username
    if cancelled:
        messages.success(
            request,
            ngettext(
                "%(name)s is deactivated; %(count)s session is cancelled and its client is told.",
                "%(name)s is deactivated; %(count)s sessions are cancelled and their clients are told.",
                len(cancelled),
            )
            % {"name": name, "count": len(cancelled)},
        )
    else:
        messages.success(request, _("%(name)s is deactivated and can no longer sign in.") % {"name": name})
    return redirect("manage-staff-detail", staff=staff)


@role_required(*MANAGERS)
@require_POST
def staff_reactivate(request, staff: int):
    person = _person(request, staff)
    try:
        staffing.staff_reactivate(by=request.user, user=person)
    except DomainError as refusal:
        return _detail_page(request, person, problem=error_words(refusal), status=http_status(refusal))
    messages.success(request, _("%(name)s can sign in again.") % {"name": person.get_full_name() or person.username})
    return redirect("manage-staff-detail", staff=staff)


@role_required(*MANAGERS)
@require_POST
def staff_lockout_lift(request, staff: int):
    person = _person(request, staff)
    try:
        lifted = salon_services.staff_lockout_lift_for(by=request.user, user=person)
    except DomainError as refusal:
        return _detail_page(request, person, problem=error_words(refusal), status=http_status(refusal))
    name = person.get_full_name() or person.username
    messages.success(
        request,
        (_("%(name)s may sign in again: the lockout is lifted.") if lifted else _("%(name)s was not locked out."))
        % {"name": name},
    )
    return redirect("manage-staff-detail", staff=staff)


urlpatterns = [
    path("manage/staff/", staff_list, name="manage-staff"),
    path("manage/staff/new/", staff_new, name="manage-staff-new"),
    path("manage/staff/<int:staff>/", staff_detail, name="manage-staff-detail"),
    path("manage/staff/<int:staff>/invitation/", staff_invitation_resend, name="manage-staff-resend"),
    path("manage/staff/<int:staff>/deactivate/", staff_deactivate, name="manage-staff-deactivate"),
    path("manage/staff/<int:staff>/reactivate/", staff_reactivate, name="manage-staff-reactivate"),
    path("manage/staff/<int:staff>/lockout/", staff_lockout_lift, name="manage-staff-lockout"),
    path("manage/staff/<int:staff>/password/", staff_password_reset, name="manage-staff-password"),
    path("manage/staff/<int:staff>/second-factor/", staff_second_factor_reset, name="manage-staff-second-factor"),
]
