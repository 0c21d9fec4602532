from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from salon.models import Room, Salon, Therapist, User
from salon.services import staff_sign_in_unlock, therapist_calendar_feed_reset

admin.site.site_header = "Salon administration"
admin.site.site_title = "Salon admin"


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_staff"]
    list_filter = ["groups", "is_active", "is_staff"]
    actions = ["lift_sign_in_lockout"]

    @admin.action(description="Lift the sign-in lockout of the selected staff")
    def lift_sign_in_lockout(self, request, queryset):
        lifted = sum(staff_sign_in_unlock(username=user.get_username()) for user in queryset)
        self.message_user(request, f"Sign-in lockouts lifted: {lifted}. They can sign in again now.")


@admin.register(Salon)
class SalonAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "phone", "email", "currency"]


@admin.register(Therapist)
class TherapistAdmin(admin.ModelAdmin):
    list_display = ["display_name", "salon", "qualified_therapeutic", "qualified_pregnancy", "active"]
    list_filter = ["salon", "active", "qualified_therapeutic", "qualified_pregnancy"]
    list_select_related = ["salon"]
    search_fields = ["display_name", "user__username"]
    autocomplete_fields = ["user"]
    exclude = ["calendar_feed_version"]
    actions = ["reset_calendar_feed"]

    @admin.action(description="Give the selected therapists a new calendar feed address")
    def reset_calendar_feed(self, request, queryset):
        for therapist in queryset:
            therapist_calendar_feed_reset(therapist=therapist)
        self.message_user(request, f"{len(queryset)} calendar feed address(es) replaced; the old ones no longer work.")


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "salon", "active"]
    list_filter = ["salon", "active"]
    list_select_related = ["salon"]
