from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from salon.models import Salon
from salon.selectors import ZONE_CACHE_KEY


@receiver([post_save, post_delete], sender=Salon)
def forget_cached_time_zone(sender, **kwargs):
    """A salon edited in the admin changes the zone pages are shown in."""
    cache.delete(ZONE_CACHE_KEY)
