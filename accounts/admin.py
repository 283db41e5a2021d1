from django.contrib import admin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "scope", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["scope"]
    list_select_related = ["user"]
    search_fields = ["name", "prefix", "user__username"]
    # The hash is useless to read and must not be edited: a token is created by its owner only.
    readonly_fields = ["user", "prefix", "key_hash", "scope", "created_at", "expires_at", "last_used_at"]

    def has_add_permission(self, request):
        return False
