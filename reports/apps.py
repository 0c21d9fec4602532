from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Managers' reports at /reports/: figures read from the other apps'
    tables, aggregated in the database; it writes nothing."""

    name = "reports"
    label = "reports"
    verbose_name = "Reports"
