from django.contrib import admin, messages

from clients import services
from clients.models import CLIENT_FIELDS, Client, ClientConsentChange, HealthDataAccess
from clients.selectors import front_desk_notes_warning
from salon.locations import location_for


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["family_name", "given_name", "email", "phone", "preferred_channel", "archived"]
    list_filter = ["preferred_channel", "archived"]
    search_fields = ["family_name", "given_name", "email", "phone"]
    # Contact data only: health answers are read through the logged pages and API.
    exclude = ["business", "name_key", "family_key"]

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in CLIENT_FIELDS}
        if change:
            services.client_update(client=obj, by=request.user, via=ClientConsentChange.Via.ADMIN, **fields)
        else:
            created = services.client_create(
                salon=location_for(request.user),
                by=request.user,
                via=ClientConsentChange.Via.ADMIN,
                **{name: form.cleaned_data[name] for name in CLIENT_FIELDS if name in form.cleaned_data},
            )
            obj.pk = created.pk
        obj.refresh_from_db()
        warning = front_desk_notes_warning(obj)
        if warning:
            self.message_user(request, warning, level=messages.WARNING)


@admin.register(HealthDataAccess)
class HealthDataAccessAdmin(admin.ModelAdmin):
    """Read-only: who touched which client's health data, and when."""

    list_display = ["at", "actor", "action", "client_label"]
    list_filter = ["action"]
    search_fields = ["actor", "client_label"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
