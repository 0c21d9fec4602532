"""The client's pain before a session, from the intake step."""

from django.db import transaction

from clients.models import Client
from clients.selectors import client_session_ahead
from salon.errors import validate
from sessions.models import PainReport


@transaction.atomic
def pain_before_record(*, client: Client, pain_before: int, areas: list[str]) -> PainReport | None:
    """Keep today's pain with the client's next session not yet started; a
    second answer before the same session replaces the first. Without a
    session ahead there is nothing to keep it with (the form does not ask
    then), and None is returned."""
    appointment = client_session_ahead(client)
    if appointment is None:
        return None
    report = PainReport.objects.filter(appointment=appointment).first() or PainReport(appointment=appointment)
    report.pain_before = pain_before
    report.areas = areas
    validate(report)
    report.save()
    return report
