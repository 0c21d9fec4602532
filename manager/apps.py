from django.apps import AppConfig


class ManagerConfig(AppConfig):
    """The manager's area at /manage/: setting up the locations without the
    admin. It sits above the other apps and changes things only through
    their services."""

    name = "manager"
    label = "manager"
    verbose_name = "Manager's area"
