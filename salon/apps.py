from django.apps import AppConfig


class SalonConfig(AppConfig):
    name = "salon"
    label = "salon"
    verbose_name = "Salon"

    def ready(self):
        from salon import signals, signin  # noqa: F401 (connects the receivers)
