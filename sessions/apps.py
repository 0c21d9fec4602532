from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    """Appointments and what happens in them.

    The package is called ``sessions`` but its label is ``treatments``:
    ``django.contrib.sessions`` already owns the label ``sessions`` and stays
    installed for logins.
    """

    name = "sessions"
    label = "treatments"
    verbose_name = "Sessions"

    def ready(self):
        from sessions import receivers  # noqa: F401 (connects the receivers)
