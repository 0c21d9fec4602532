from zoneinfo import ZoneInfo

from django.utils import timezone

from salon.selectors import salon_time_zone


class SalonTimeZoneMiddleware:
    """Pages and the API show times in the salon's zone (stored in UTC)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with timezone.override(ZoneInfo(salon_time_zone())):
            return self.get_response(request)
