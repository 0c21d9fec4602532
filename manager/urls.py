"""The manager's area, /manage/: each part's pages, from its module."""

from manager.views import access_log, hours, rooms, rotas, routines, services, settings, staff, time_off

urlpatterns = [
    *hours.urlpatterns,
    *staff.urlpatterns,
    *rotas.urlpatterns,
    *time_off.urlpatterns,
    *rooms.urlpatterns,
    *services.urlpatterns,
    *routines.urlpatterns,
    *settings.urlpatterns,
    *access_log.urlpatterns,
]
