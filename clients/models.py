"""Clients of the salon. Health screening arrives with the screening issue."""

from django.db import models
from django.db.models import Q

from salon.models import Salon


class Client(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "SMS"

    salon = models.ForeignKey(Salon, on_delete=models.PROTECT, related_name="clients")
    given_name = models.CharField(max_length=80)
    family_name = models.CharField(max_length=80)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True, help_text="International format, e.g. +49 30 1234567.")
    date_of_birth = models.DateField(null=True, blank=True)
    preferred_channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    consent_reminders = models.BooleanField(default=False, help_text="Agreed to appointment reminders.")
    consent_feedback = models.BooleanField(default=False, help_text="Agreed to feedback requests.")
    notes = models.TextField(blank=True)
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(email="") | ~Q(phone=""),
                name="client_has_email_or_phone",
                violation_error_message="Give an email address or a phone number.",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"
