from django.apps import AppConfig


class OnlineConfig(AppConfig):
    """Online booking for clients at /book/ (no login): the booking pages,
    the waitlist and the public API. It sits above sessions and books only
    through its services."""

    name = "online"
    label = "online"
    verbose_name = "Online booking"
