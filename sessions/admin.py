from django.contrib import admin, messages

from sessions.models import Notification
from sessions.services import outbox


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox, read-only; failed messages can be sent again."""

    list_display = ["due_at", "kind", "channel", "status", "attempts", "appointment_id", "sent_at"]
    list_filter = ["status", "kind", "channel"]
    date_hierarchy = "due_at"
    readonly_fields = [field.name for field in Notification._meta.fields]
    actions = ["retry_failed"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Send again (failed messages)")
    def retry_failed(self, request, queryset):
        retried = sum(outbox.notification_retry(notification=notification) for notification in queryset)
        self.message_user(request, f"{retried} message(s) will be sent again.", messages.SUCCESS)
