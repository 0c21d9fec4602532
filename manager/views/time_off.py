"""Time off: therapists' requests to approve or decline, time off entered by managers, rooms out of service."""

urlpatterns = []
