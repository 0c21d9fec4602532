from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


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

        pre_migrate.connect(_availability_triggers_off, sender=self, dispatch_uid="sessions.triggers_off")
        post_migrate.connect(_availability_triggers_on, sender=self, dispatch_uid="sessions.triggers_on")


def _availability_triggers_off(sender, *, using, **kwargs) -> None:
    """SQLite rebuilds a table to alter it, which a trigger naming it would
    break (sessions.availability_triggers); PostgreSQL alters in place."""
    from django.db import connections

    from sessions.availability_triggers import triggers_remove

    connection = connections[using]
    if connection.vendor == "sqlite":
        triggers_remove(connection)


def _availability_triggers_on(sender, *, using, **kwargs) -> None:
    from django.db import connections

    from sessions.availability_triggers import triggers_install

    triggers_install(connections[using])
