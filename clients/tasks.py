from celery import shared_task

from clients.services import health_data_purge
from salon.selectors import salon_list


@shared_task
def health_data_purge_all() -> None:
    """Daily: apply each salon's retention period to health data."""
    for salon in salon_list():
        health_data_purge(salon=salon)
