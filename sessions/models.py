"""Appointments and what happens in them. The Appointment arrives with the
booking issue; a SessionPlan exists already, as a snapshot."""

from django.db import models

from routines.models import RoutineTemplate


class SessionPlan(models.Model):
    """A plan as it was built: the routine version, the screening outcome and
    the steps, all copied. Later edits to the template change nothing here."""

    routine = models.ForeignKey(RoutineTemplate, on_delete=models.PROTECT, related_name="session_plans")
    booked_minutes = models.PositiveSmallIntegerField()
    routine_snapshot = models.JSONField(help_text="The routine version the plan was built from.")
    outcome = models.JSONField(help_text="The screening outcome the plan was built from.")
    plan = models.JSONField(help_text="Position, supports, oil, precautions and the steps as built.")
    built_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-built_at"]

    def __str__(self) -> str:
        return f"Plan {self.pk}: {self.plan.get('routine_name', '')}"
