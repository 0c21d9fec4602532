from django.apps import AppConfig


class RoutinesConfig(AppConfig):
    name = "routines"
    label = "routines"
    verbose_name = "Routines"
