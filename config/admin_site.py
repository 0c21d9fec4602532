"""Django's admin, for superusers only.

Managers set the salon up in the manager's area, ``/manage/``, whose pages
go through the services and their rules (a rota that would strand a booking,
a time zone under booked sessions, a grant beyond one's own locations). The
admin writes rows directly and sees everything, so it is left to superusers,
the installation's operators: being a superuser is the one thing that opens
it (``is_staff`` plays no part). A manager who opens it anyway is sent to
``/manage/`` and told why; other staff get the admin's own "not authorised"
login page.
"""

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salon.roles import Role, has_role


class SalonAdminSite(admin.AdminSite):
    site_header = gettext_lazy("Salon administration")
    site_title = gettext_lazy("Salon admin")

    def has_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def login(self, request, extra_context=None):
        """Every admin page sends a signed-in user it refuses here; a
        manager's work is in /manage/."""
        if request.user.is_authenticated and not self.has_permission(request) and has_role(request.user, Role.MANAGER):
            messages.info(request, _("The admin is for superusers. Managers set the salon up here, in Manage."))
            return redirect("manage")
        return super().login(request, extra_context)
