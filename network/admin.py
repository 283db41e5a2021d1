from django.contrib import admin

from .models import Consent, Practice, Region, SecretariatRegion


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    filter_horizontal = ["countries"]
    search_fields = ["name", "code"]


@admin.register(SecretariatRegion)
class SecretariatRegionAdmin(admin.ModelAdmin):
    list_display = ["assignment", "region"]
    list_select_related = ["assignment__user", "region"]


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    """Read-only: consents are the coordinators' own decisions, recorded through their page."""

    list_display = ["cycle", "kind", "given_by", "given_at", "withdrawn_at"]
    list_select_related = ["cycle__country", "given_by"]
    list_filter = ["kind"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "language", "updated_at"]
    list_filter = ["status", "language"]
    search_fields = ["title", "summary"]
    filter_horizontal = ["capabilities", "indicators"]
    raw_id_fields = ["translation_of", "author", "country"]
