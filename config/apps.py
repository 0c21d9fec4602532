from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class ProjectConfig(AppConfig):
    """The project itself, installed so that its operator commands (serve,
    seed_demo, backup, restore) and its housekeeping task are found."""

    name = "config"
    label = "config"
    verbose_name = "Salon installation"


class SalonAdminConfig(AdminConfig):
    """Django's admin with the installation's site: for superusers only
    (``config.admin_site``)."""

    default_site = "config.admin_site.SalonAdminSite"
