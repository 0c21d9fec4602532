from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from salon.models import Room, Salon, Therapist, User

admin.site.site_header = "Salon administration"
admin.site.site_title = "Salon admin"


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_staff"]
    list_filter = ["groups", "is_active", "is_staff"]


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


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "salon", "active"]
    list_filter = ["salon", "active"]
    list_select_related = ["salon"]
