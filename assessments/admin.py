from django.contrib import admin

from .models import AuditEvent, Country, Cycle, Invitation, Organisation, Reminder, RoleAssignment, Submission


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "sector"]
    list_filter = ["country", "sector"]
    search_fields = ["name"]
    list_select_related = ["country", "sector"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "country", "organisation"]
    list_filter = ["role", "country"]
    search_fields = ["user__username", "user__email", "organisation__name"]
    list_select_related = ["user", "country", "organisation"]
    autocomplete_fields = ["user", "organisation", "country"]


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ["title", "country", "framework_version", "status", "opens_on", "closes_on"]
    list_filter = ["status", "country"]
    list_select_related = ["country", "framework_version"]
    readonly_fields = ["status", "opened_at", "closed_at", "created_by", "framework_version"]


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Status only: answers are read in the application, where reads are audited."""

    list_display = ["organisation", "cycle", "status", "submitted_at"]
    list_filter = ["status", "cycle__country"]
    list_select_related = ["organisation", "cycle__country"]  # Cycle.__str__ names the country
    fields = ["cycle", "organisation", "status", "submitted_at", "submitted_by", "reviewed_at", "reviewed_by"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["sent_at", "cycle", "organisation", "recipients"]
    list_select_related = ["cycle__country", "organisation"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read only: invitations are made, resent and answered in the application, where the rules are checked."""

    list_display = [
        "email",
        "role",
        "organisation",
        "country",
        "status",
        "created_account",
        "sent_at",
        "send_count",
        "responded_at",
    ]
    list_filter = ["status", "role", "organisation__country"]
    search_fields = ["email", "organisation__name", "country__name"]
    list_select_related = ["organisation", "country"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "action", "country", "submission", "ip_address"]
    list_filter = ["action", "country"]
    list_select_related = ["user", "country", "submission__organisation", "submission__cycle"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
