from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from salon.models import Salon, User
from salon.selectors import salon_defaults_forget
from salon.services import auth_tokens_revoke_all


@receiver([post_save, post_delete], sender=Salon)
def forget_cached_time_zone(sender, **kwargs):
    """A location saved anywhere (its settings, the admin) may change the zone
    and the language of pages without a signed-in user."""
    salon_defaults_forget()


@receiver(pre_save, sender=User)
def revoke_tokens_of_changed_account(sender, instance, raw=False, **kwargs):
    """A new password or a deactivated account ends every API token, wherever
    the change was made (the admin, ``changepassword``, a password reset):
    whoever held the old password may have taken a token with it. Sessions
    end by Django's own rule (the password hash is part of them)."""
    if raw or instance.pk is None:
        return
    before = User.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if before and (before["password"] != instance.password or (before["is_active"] and not instance.is_active)):
        auth_tokens_revoke_all(user=instance)
