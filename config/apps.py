from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The project itself, installed so that its operator commands (serve,
    seed_demo, backup, restore) and its housekeeping task are found."""

    name = "config"
    label = "config"
    verbose_name = "Salon installation"
