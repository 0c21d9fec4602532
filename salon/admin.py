from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from salon.locations import locations_granted_queryset
from salon.models import Business, OpeningHours, Room, Salon, SpecialDay, Therapist, User, WorkingHours
from salon.roles import Role
from salon.services import staff_lockout_lift, staff_user_roles_set, therapist_calendar_feed_reset

admin.site.site_header = "Salon administration"
admin.site.site_title = "Salon admin"


def roles_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Manager also opens this admin.",
    )


class StaffRolesChangeForm(UserChangeForm):
    roles = roles_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["roles"] = list(
                self.instance.groups.filter(name__in=Role.values).values_list("name", flat=True)
            )


class StaffRolesCreationForm(AdminUserCreationForm):
    roles = roles_field()


# What a manager (staff, not superuser) sees of an account: rights come only
# from the roles; the flags and lists that grant more are shown, not edited.
MANAGER_READ_ONLY = ["is_staff", "is_superuser", "groups", "user_permissions", "last_login", "date_joined"]


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """Superusers get Django's full user admin. A manager assigns roles
    (Receptionist, Therapist, Manager) and nothing else that grants rights,
    and cannot change or delete a superuser's account (nor its password),
    so no manager can make themselves, or anyone, a superuser."""

    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_staff"]
    list_filter = ["groups", "locations", "is_active", "is_staff"]
    filter_horizontal = [*UserAdmin.filter_horizontal, "locations"]
    fieldsets = [*UserAdmin.fieldsets, ("Locations", {"fields": ("all_locations", "locations")})]
    actions = ["lift_sign_in_lockout"]

    @admin.action(description="Lift the sign-in lockout of the selected staff")
    def lift_sign_in_lockout(self, request, queryset):
        lifted = sum(staff_lockout_lift(username=user.get_username()) for user in queryset)
        self.message_user(request, f"Sign-in lockouts lifted: {lifted}. They can sign in again now.")

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        # A manager of some locations grants only those, never all of them.
        return MANAGER_READ_ONLY + ([] if request.user.all_locations else ["all_locations"])

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "locations":
            kwargs["queryset"] = locations_granted_queryset(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        if obj is None:
            return (
                (
                    None,
                    {
                        "classes": ("wide",),
                        "fields": ("username", "usable_password", "password1", "password2", "roles", "locations"),
                    },
                ),
            )
        return (
            (None, {"fields": ("username", "password")}),
            ("Personal info", {"fields": ("first_name", "last_name", "email")}),
            ("Roles", {"fields": ("is_active", "roles", "is_staff", "is_superuser", "groups", "user_permissions")}),
            ("Locations", {"fields": ("all_locations", "locations")}),
            ("Important dates", {"fields": ("last_login", "date_joined")}),
        )

    def get_form(self, request, obj=None, **kwargs):
        if not request.user.is_superuser:
            kwargs["form"] = StaffRolesCreationForm if obj is None else StaffRolesChangeForm
        return super().get_form(request, obj, **kwargs)

    def save_related(self, request, form, formsets, change):
        # Locations the manager cannot see in the form stay granted as they were.
        beyond = list(form.instance.locations.exclude(pk__in=locations_granted_queryset(request.user)))
        super().save_related(request, form, formsets, change)
        form.instance.locations.add(*beyond)
        if "roles" in form.cleaned_data and not request.user.is_superuser:
            staff_user_roles_set(user=form.instance, roles=[Role(name) for name in form.cleaned_data["roles"]])

    def _manager_over_superuser(self, request, obj) -> bool:
        return obj is not None and obj.is_superuser and not request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        if self._manager_over_superuser(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self._manager_over_superuser(request, obj):
            return False
        return super().has_delete_permission(request, obj)


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


class StaffDevicesOnly:
    """A manager resets a lost phone by deleting the person's device; the
    secrets stay hidden (``OTP_ADMIN_HIDE_SENSITIVE_DATA``), and superusers'
    devices are out of a manager's reach, as their accounts are."""

    def get_queryset(self, request):
        devices = super().get_queryset(request)
        return devices if request.user.is_superuser else devices.exclude(user__is_superuser=True)


class StaffTOTPDeviceAdmin(StaffDevicesOnly, TOTPDeviceAdmin):
    pass


class StaffStaticDeviceAdmin(StaffDevicesOnly, StaticDeviceAdmin):
    pass


for model, model_admin in [(TOTPDevice, StaffTOTPDeviceAdmin), (StaticDevice, StaffStaticDeviceAdmin)]:
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
