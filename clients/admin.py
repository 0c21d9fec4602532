from django.contrib import admin

from clients.models import Client


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["family_name", "given_name", "email", "phone", "preferred_channel", "archived"]
    list_filter = ["salon", "preferred_channel", "archived"]
    search_fields = ["family_name", "given_name", "email", "phone"]
