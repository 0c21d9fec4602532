from celery import shared_task

from clients.services import health_data_purge
from salon.models import Business


@shared_task
def health_data_purge_all() -> None:
    """Daily: apply the business's retention period to health data."""
    for business in Business.objects.all():
        health_data_purge(business=business)
