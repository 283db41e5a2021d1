"""Admin for framework admins. Published and retired versions are shown read-only."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from . import services
from .models import (
    Capability,
    Domain,
    Enabler,
    FrameworkVersion,
    Indicator,
    LevelDescriptor,
    MaturityLevel,
    Sector,
)


class FrozenVersionMixin:
    """Read-only for rows of a published or retired version; new rows only in drafts."""

    def version_of(self, obj):
        return obj.version

    def has_change_permission(self, request, obj=None):
        if obj is not None and self.version_of(obj).is_frozen:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self.version_of(obj).is_frozen:
            return False
        return super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        model = db_field.remote_field.model
        if model is FrameworkVersion:
            kwargs["queryset"] = FrameworkVersion.objects.filter(status=FrameworkVersion.Status.DRAFT)
        elif model in (Domain, Capability):
            kwargs["queryset"] = model.objects.filter(version__status=FrameworkVersion.Status.DRAFT).select_related(
                "version"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class FrozenInlineMixin:
    """Inlines under a frozen parent cannot add, change or delete."""

    def _frozen(self, obj):
        return obj is not None and (obj.is_frozen if isinstance(obj, FrameworkVersion) else obj.version.is_frozen)

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


@admin.register(Sector)
class SectorAdmin(TranslationAdmin):
    list_display = ["name", "code", "order"]
    list_editable = ["order"]
    search_fields = ["name", "code"]
    ordering = ["order", "code"]


class MaturityLevelInline(FrozenInlineMixin, TranslationTabularInline):
    model = MaturityLevel
    extra = 0
    max_num = 5


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "status", "published_at", "indicator_count", "cloned_from"]
    list_filter = ["status"]
    search_fields = ["code", "title"]
    readonly_fields = ["status", "published_at", "cloned_from", "created_at"]
    inlines = [MaturityLevelInline]
    actions = ["clone_as_draft", "publish", "retire"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("cloned_from").annotate(n_indicators=Count("indicators"))

    @admin.display(description=_("indicators"), ordering="n_indicators")
    def indicator_count(self, obj):
        return obj.n_indicators

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description=_("Clone as new draft"), permissions=["add"])
    def clone_as_draft(self, request, queryset):
        for version in queryset:
            n = 1
            while FrameworkVersion.objects.filter(code=f"{version.code}-draft-{n}").exists():
                n += 1
            clone = services.framework_clone(
                version=version, code=f"{version.code}-draft-{n}", title=f"{version.title} (draft {n})"
            )
            self.message_user(
                request,
                _("Cloned %(old)s into the new draft %(new)s; edit it, then publish it.")
                % {"old": version.code, "new": clone.code},
                messages.SUCCESS,
            )

    @admin.action(description=_("Publish (freezes the version)"), permissions=["change"])
    def publish(self, request, queryset):
        published = 0
        for version in queryset:
            try:
                services.framework_publish(version=version)
                published += 1
            except ValidationError as exc:
                for message in exc.messages[:20]:
                    self.message_user(request, f"{version.code}: {message}", messages.ERROR)
        if published:
            self.message_user(
                request,
                ngettext("Published %(n)d version.", "Published %(n)d versions.", published) % {"n": published},
                messages.SUCCESS,
            )

    @admin.action(description=_("Retire"), permissions=["change"])
    def retire(self, request, queryset):
        for version in queryset:
            try:
                services.framework_retire(version=version)
                self.message_user(request, _("Retired %(code)s.") % {"code": version.code}, messages.SUCCESS)
            except ValidationError as exc:
                self.message_user(request, f"{version.code}: {exc.messages[0]}", messages.ERROR)


@admin.register(Domain)
class DomainAdmin(FrozenVersionMixin, TranslationAdmin):
    list_display = ["code", "name", "version", "order"]
    list_filter = ["version"]
    search_fields = ["code", "name", "outcome"]
    ordering = ["version", "order"]
    list_select_related = ["version"]


@admin.register(Capability)
class CapabilityAdmin(FrozenVersionMixin, TranslationAdmin):
    list_display = ["number", "title", "domain", "version"]
    list_display_links = ["number", "title"]
    list_filter = ["version", "domain__name"]
    search_fields = ["title", "summary", "outcome"]
    ordering = ["version", "number"]
    list_select_related = ["version", "domain"]
    exclude = ["version"]

    def save_model(self, request, obj, form, change):
        obj.version = obj.domain.version
        super().save_model(request, obj, form, change)


class LevelDescriptorInline(FrozenInlineMixin, TranslationTabularInline):
    model = LevelDescriptor
    extra = 0
    min_num = 5
    max_num = 5
    ordering = ["level"]


@admin.register(Indicator)
class IndicatorAdmin(FrozenVersionMixin, TranslationAdmin):
    list_display = ["code", "short_question", "capability", "weight", "version"]
    list_filter = ["version", "capability__domain__name", "sectors"]
    search_fields = ["code", "question", "guidance"]
    ordering = ["version", "capability__number", "order"]
    list_select_related = ["version", "capability"]
    filter_horizontal = ["sectors"]
    exclude = ["version"]
    inlines = [LevelDescriptorInline]

    @admin.display(description=_("question"))
    def short_question(self, obj):
        return obj.question if len(obj.question) < 90 else obj.question[:87] + "…"

    def save_model(self, request, obj, form, change):
        obj.version = obj.capability.version
        super().save_model(request, obj, form, change)


@admin.register(Enabler)
class EnablerAdmin(FrozenVersionMixin, TranslationAdmin):
    list_display = ["code", "name", "version", "order"]
    list_filter = ["version"]
    search_fields = ["code", "name", "description"]
    list_select_related = ["version"]
    filter_horizontal = ["capabilities"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "capabilities":
            kwargs["queryset"] = Capability.objects.filter(
                version__status=FrameworkVersion.Status.DRAFT
            ).select_related("version")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(MaturityLevel)
class MaturityLevelAdmin(FrozenVersionMixin, TranslationAdmin):
    list_display = ["level", "name", "version"]
    list_filter = ["version"]
    list_select_related = ["version"]
