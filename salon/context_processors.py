from salon.roles import Role, user_roles


def roles(request):
    """The signed-in user's roles, for navigation in templates."""
    held = user_roles(request.user)
    return {
        "is_receptionist": Role.RECEPTIONIST in held,
        "is_therapist": Role.THERAPIST in held,
        "is_manager": Role.MANAGER in held,
    }
