"""Writes for client records."""

import datetime

from django.db import transaction

from clients.models import Client
from salon.models import Salon


@transaction.atomic
def client_create(
    *,
    salon: Salon,
    given_name: str,
    family_name: str,
    email: str = "",
    phone: str = "",
    date_of_birth: datetime.date | None = None,
    preferred_channel: str = Client.Channel.EMAIL,
    consent_reminders: bool = False,
    consent_feedback: bool = False,
    notes: str = "",
) -> Client:
    client = Client(
        salon=salon,
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        email=email.strip().lower(),
        phone=phone.strip(),
        date_of_birth=date_of_birth,
        preferred_channel=preferred_channel,
        consent_reminders=consent_reminders,
        consent_feedback=consent_feedback,
        notes=notes,
    )
    client.full_clean()
    client.save()
    return client
