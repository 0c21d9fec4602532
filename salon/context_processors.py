from salon.locations import location_for, locations_granted
from salon.roles import Role, user_roles
from salon.signin import second_factor_owed


def roles(request):
    """The signed-in user's roles, for navigation in templates; none while
    the session still owes its second factor (the links would only lead back)."""
    held = frozenset() if second_factor_owed(request) else user_roles(request.user)
    return {
        "is_receptionist": Role.RECEPTIONIST in held,
        "is_therapist": Role.THERAPIST in held,
        "is_manager": Role.MANAGER in held,
        "owes_second_factor": second_factor_owed(request),
    }


def locations(request):
    """The location switcher in the header: the locations the user is granted,
    when there is more than one to choose from, and the one in use."""
    user = request.user
    if not user.is_authenticated or second_factor_owed(request):
        return {}
    granted = locations_granted(user)
    if len(granted) < 2:
        return {}
    return {"switchable_locations": granted, "current_location": location_for(user)}
