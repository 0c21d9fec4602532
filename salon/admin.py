"""The admin's pages for the salon's structure and staff accounts. Only
superusers open the admin (``config.admin_site``); managers work in /manage/."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salon.models import Business, OpeningHours, Room, Salon, SpecialDay, Therapist, User, WorkingHours
from salon.services import staff_lockout_lift, therapist_calendar_feed_reset


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """Django's full user admin, with the locations a person is granted and
    a way to lift a sign-in lockout."""

    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_superuser"]
    list_filter = ["groups", "locations", "is_active", "is_superuser"]
    filter_horizontal = [*UserAdmin.filter_horizontal, "locations"]
    fieldsets = [
        *UserAdmin.fieldsets,
        (gettext_lazy("Locations and language"), {"fields": ("all_locations", "locations", "language")}),
    ]
    actions = ["lift_sign_in_lockout"]

    @admin.action(description=gettext_lazy("Lift the sign-in lockout of the selected staff"))
    def lift_sign_in_lockout(self, request, queryset):
        lifted = sum(staff_lockout_lift(username=user.get_username()) for user in queryset)
        message = _("Sign-in lockouts lifted: %(lifted)s. They can sign in again now.") % {"lifted": lifted}
        self.message_user(request, message)


@admin.register(Business)
class BusinessAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "travel_minutes"]


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class SpecialDayInline(admin.TabularInline):
    """Closures and special hours, read here; they are changed through the
    API (and the manager's pages), which refuse a change that would strand a
    booked session."""

    model = SpecialDay
    extra = 0
    can_delete = False
    readonly_fields = ["day", "opens", "closes", "reason"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Salon)
class SalonAdmin(admin.ModelAdmin):
    list_display = ["name", "business", "time_zone", "phone", "email", "currency"]
    list_select_related = ["business"]
    inlines = [OpeningHoursInline, SpecialDayInline]


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0


@admin.register(Therapist)
class TherapistAdmin(admin.ModelAdmin):
    list_display = ["display_name", "business", "qualified_therapeutic", "qualified_pregnancy", "active"]
    list_filter = ["working_hours__salon", "active", "qualified_therapeutic", "qualified_pregnancy"]
    list_select_related = ["business"]
    inlines = [WorkingHoursInline]
    search_fields = ["display_name", "user__username"]
    autocomplete_fields = ["user"]
    exclude = ["calendar_feed_version"]
    actions = ["reset_calendar_feed"]

    @admin.action(description=gettext_lazy("Give the selected therapists a new calendar feed address"))
    def reset_calendar_feed(self, request, queryset):
        for therapist in queryset:
            therapist_calendar_feed_reset(therapist=therapist)
        self.message_user(
            request,
            _("%(count)s calendar feed address(es) replaced; the old ones no longer work.") % {"count": len(queryset)},
        )


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "salon", "active"]
    list_filter = ["salon", "active"]
    list_select_related = ["salon"]
