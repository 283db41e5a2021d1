from django.contrib import admin

from .models import Action, Funding, Milestone, Plan, PlanRevision, ProgressUpdate


class FundingInline(admin.TabularInline):
    model = Funding
    extra = 0


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["cycle", "currency", "revision", "created_at"]
    list_select_related = ["cycle__country"]
    readonly_fields = ["revision", "created_by"]


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["title", "plan", "capability", "lead_organisation", "status", "due_on", "estimated_cost"]
    list_filter = ["status", "priority"]
    list_select_related = ["plan__cycle__country", "capability", "lead_organisation"]
    search_fields = ["title"]
    raw_id_fields = ["plan", "carried_from", "suggested_from"]
    readonly_fields = ["version", "updated_by", "updated_at"]
    inlines = [FundingInline, MilestoneInline]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(admin.ModelAdmin):
    list_display = ["action", "status", "progress", "by", "at"]
    list_select_related = ["action", "by"]
    raw_id_fields = ["action", "milestone"]


@admin.register(PlanRevision)
class PlanRevisionAdmin(admin.ModelAdmin):
    list_display = ["plan", "number", "endorsed_on", "endorsed_by"]
    readonly_fields = ["snapshot", "recorded_by"]
