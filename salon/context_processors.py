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
