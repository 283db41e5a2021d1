"""Admin for framework admins. Published and retired versions are shown read-only."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline, TranslationTabularInline

from . import services, translationfiles, translationpacks
from .crosswalkformat import consistency_problems, crosswalk_as_dict, crosswalk_problems, version_codes
from .models import (
    Capability,
    Crosswalk,
    CrosswalkEntry,
    Domain,
    Enabler,
    FrameworkVersion,
    Indicator,
    LevelDescriptor,
    MaturityLevel,
    Metric,
    Sector,
    Tag,
    TranslationPack,
)
from .translation import other_languages


class VersionFilter(admin.SimpleListFilter):
    """Rows of one framework version, the newest draft by default (else the newest version), or of all.

    Lists of several versions mix rows that look alike (every version has a C04.1); an editor works
    in one version at a time.
    """

    title = _("version")
    parameter_name = "version"
    ALL = "all"

    def __init__(self, request, params, model, model_admin):
        versions = list(FrameworkVersion.objects.order_by("-created_at", "-pk"))
        self.versions = {str(v.pk): v for v in versions}
        newest_draft = next((v for v in versions if v.is_draft), None)
        default = newest_draft or (versions[0] if versions else None)
        self.default = str(default.pk) if default else self.ALL
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return [(pk, f"{v.code} · {v.get_status_display()}") for pk, v in self.versions.items()]

    def value(self):
        value = super().value()
        return value if value == self.ALL or value in self.versions else self.default

    def has_output(self):
        return True

    def queryset(self, request, queryset):
        value = self.value()
        return queryset if value == self.ALL else queryset.filter(version_id=value)

    def choices(self, changelist):
        yield {
            "selected": self.value() == self.ALL,
            "query_string": changelist.get_query_string({self.parameter_name: self.ALL}),
            "display": _("All versions"),
        }
        for pk, label in self.lookup_choices:
            yield {
                "selected": self.value() == pk,
                "query_string": changelist.get_query_string({self.parameter_name: pk}),
                "display": label,
            }


class FrozenVersionMixin:
    """Read-only for rows of a published or retired version; new rows only in drafts.

    Every page of a row says which version it belongs to (``version_part_change_form.html``).
    """

    change_form_template = "admin/capabilities/version_part_change_form.html"

    def version_of(self, obj):
        return obj.version

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["framework_version"] = self.version_of(obj) if obj is not None else None
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    @admin.display(description=_("version"), ordering="version__code")
    def version_code(self, obj):
        return obj.version.code

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
        elif model in (Domain, Capability, Tag):
            kwargs["queryset"] = model.objects.filter(version__status=FrameworkVersion.Status.DRAFT).select_related(
                "version"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SameVersionTagsMixin:
    """Tags only of draft versions in the picker, and only of the row's own version on save."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "tags":
            kwargs["queryset"] = Tag.objects.filter(version__status=FrameworkVersion.Status.DRAFT).select_related(
                "version"
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        parent_field = self.tag_parent_field

        class Form(form):
            def clean(self):
                cleaned = super().clean()
                parent = cleaned.get(parent_field)
                tags = cleaned.get("tags")
                if parent is not None and tags:
                    strangers = [t.code for t in tags if t.version_id != parent.version_id]
                    if strangers:
                        self.add_error(
                            "tags",
                            _("Tags of another framework version: %(codes)s.") % {"codes": ", ".join(strangers)},
                        )
                return cleaned

        return Form


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


# A text per language side by side: narrow boxes, so that the four fit in a laptop's window.
NARROW_TEXT = {
    models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 20})},
    models.CharField: {"widget": forms.TextInput(attrs={"size": 14})},
}


class MaturityLevelInline(FrozenInlineMixin, TranslationStackedInline):
    """Stacked: a name and a description in four languages are too many columns for a table."""

    model = MaturityLevel
    extra = 0
    max_num = 5
    formfield_overrides = NARROW_TEXT


class FrameworkCloneForm(forms.Form):
    """The new version's name, asked before cloning: it is the name coordinators will see once published."""

    code = forms.CharField(
        label=capfirst(_("code")),
        max_length=40,
        widget=forms.TextInput(attrs={"class": "vTextField", "dir": "ltr"}),  # codes read left to right
        help_text=_("Stable code of the new version, e.g. MNR-2026. Letters, digits and hyphens; not “draft”."),
    )
    title = forms.CharField(
        label=capfirst(_("title")),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "vTextField"}),
        help_text=_("As coordinators will see it."),
    )
    description = forms.CharField(
        label=capfirst(_("description")), required=False, widget=forms.Textarea(attrs={"class": "vLargeTextField"})
    )


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "status", "published_at", "indicator_count", "cloned_from"]
    list_filter = ["status"]
    search_fields = ["code", "title"]
    readonly_fields = ["status", "published_at", "cloned_from", "created_at"]
    inlines = [MaturityLevelInline]
    actions = ["clone_as_draft", "publish", "retire"]
    change_form_template = "admin/capabilities/frameworkversion/change_form.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/clone/",
                self.admin_site.admin_view(self.clone_view),
                name="{}_{}_clone".format(*info),
            ),
            path(
                "<path:object_id>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name="{}_{}_publish".format(*info),
            ),
            path(
                "<path:object_id>/translations/",
                self.admin_site.admin_view(self.translations_view),
                name="{}_{}_translations".format(*info),
            ),
            path(
                "<path:object_id>/translations/<str:language>/workbook/",
                self.admin_site.admin_view(self.translation_workbook_view),
                name="{}_{}_translation_workbook".format(*info),
            ),
        ] + super().get_urls()

    def _version_or_404(self, request, object_id):
        version = self.get_object(request, unquote(object_id))
        if version is None:
            raise Http404(_("No such framework version."))
        return version

    def _page(self, request, template, version, **context):
        return TemplateResponse(
            request,
            f"admin/capabilities/frameworkversion/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": version,
                "has_view_permission": True,
                **context,
            },
        )

    def clone_view(self, request, object_id):
        """Ask the new draft's code and title, then copy the version into it."""
        version = self._version_or_404(request, object_id)
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = FrameworkCloneForm(request.POST or None, initial={"description": version.description})
        if request.method == "POST" and form.is_valid():
            try:
                clone = services.framework_clone(version=version, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.log_addition(request, clone, [{"added": {}}])
                self.message_user(
                    request,
                    _("Cloned %(old)s into the new draft %(new)s; edit it, then publish it.")
                    % {"old": version.code, "new": clone.code},
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:capabilities_frameworkversion_change", args=[clone.pk]))
        return self._page(
            request,
            "clone.html",
            version,
            title=_("Clone %(code)s as a new draft") % {"code": version.code},
            form=form,
            media=self.media + form.media,
        )

    def publish_view(self, request, object_id):
        """The publishing checks, and a confirmation: publishing freezes the version for good."""
        version = self._version_or_404(request, object_id)
        if not self.has_change_permission(request):
            raise PermissionDenied
        problems = services.publishing_problems(version) if version.is_draft else []
        if request.method == "POST":
            try:
                services.framework_publish(version=version)
            except ValidationError as exc:
                problems = exc.messages
                version.refresh_from_db()
            else:
                self.log_change(request, version, [{"changed": {"fields": ["status"]}}])
                self.message_user(
                    request, _("Published %(code)s: it is frozen now.") % {"code": version.code}, messages.SUCCESS
                )
                return redirect(reverse("admin:capabilities_frameworkversion_change", args=[version.pk]))
        counts = FrameworkVersion.objects.filter(pk=version.pk).aggregate(
            domains=Count("domains", distinct=True),
            capabilities=Count("capabilities", distinct=True),
            indicators=Count("indicators", distinct=True),
        )
        return self._page(
            request,
            "publish.html",
            version,
            title=_("Publish %(code)s") % {"code": version.code},
            problems=problems,
            counts=counts,
        )

    def translations_view(self, request, object_id):
        """Every language of the version: its live pack and its pack in work, with completeness; a workbook to
        start or continue a translation, and the upload that makes a filled one the draft pack."""
        version = self._version_or_404(request, object_id)
        if not request.user.has_perm("capabilities.view_translationpack"):
            raise PermissionDenied
        may_change = request.user.has_perm("capabilities.change_translationpack")
        current = translationpacks.framework_texts(version)
        packs = TranslationPack.objects.filter(version=version).exclude(status=TranslationPack.Status.SUPERSEDED)
        rows = []
        for language, name in settings.LANGUAGES:
            if language == settings.MODELTRANSLATION_DEFAULT_LANGUAGE:
                continue
            mine = [p for p in packs if p.language == language]
            rows.append(
                {
                    "language": language,
                    "name": name,
                    "packs": [(p, translationpacks.completeness(p, current)) for p in mine],
                }
            )
        form = PackUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST":
            if not may_change:
                raise PermissionDenied
            if form.is_valid():
                pack = _import_upload(self, request, form, version=version)
                if pack is not None:
                    return redirect(reverse("admin:capabilities_translationpack_change", args=[pack.pk]))
        return self._page(
            request,
            "translations.html",
            version,
            title=_("Translations of %(code)s") % {"code": version.code},
            rows=rows,
            total=len(current),
            form=form,
            may_change=may_change,
        )

    def translation_workbook_view(self, request, object_id, language):
        """A workbook for ``language``: prefilled from the pack in work, else the live one, else empty."""
        version = self._version_or_404(request, object_id)
        if not request.user.has_perm("capabilities.view_translationpack"):
            raise PermissionDenied
        if language not in other_languages():
            raise Http404(_("No such language."))
        packs = TranslationPack.objects.filter(version=version, language=language)
        pack = (
            packs.filter(status__in=TranslationPack.WORKING).first()
            or packs.filter(status__in=TranslationPack.LIVE).first()
        )
        data = translationfiles.dump_xlsx(
            version,
            language,
            translationpacks.framework_texts(version),
            {t.key: t.text for t in pack.texts.all()} if pack else {},
            translator=pack.translator if pack else "",
        )
        return _workbook_response(data, f"{version.code}.{language}.xlsx")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        version = self.get_object(request, unquote(object_id))
        if version is not None:
            extra_context = (extra_context or {}) | {
                "may_translate": request.user.has_perm("capabilities.view_translationpack"),
                "indicator_count": version.indicators.count(),
                "may_clone": self.has_add_permission(request),
                "may_publish": version.is_draft and self.has_change_permission(request),
            }
        return super().change_view(request, object_id, form_url, extra_context)

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
        """Goes on to the page that asks the new version's code and title."""
        versions = list(queryset[:2])
        if len(versions) != 1:
            self.message_user(
                request,
                _("Select one version to clone: the new draft needs its own code and title."),
                messages.ERROR,
            )
            return None
        return redirect(reverse("admin:capabilities_frameworkversion_clone", args=[versions[0].pk]))

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
    list_display = ["code", "name", "version_code", "order"]
    list_filter = [VersionFilter]
    search_fields = ["code", "name", "outcome"]
    ordering = ["version", "order"]
    list_select_related = ["version"]


@admin.register(Capability)
class CapabilityAdmin(SameVersionTagsMixin, FrozenVersionMixin, TranslationAdmin):
    list_display = ["number", "title", "domain", "version_code"]
    list_display_links = ["number", "title"]
    list_filter = [VersionFilter, "domain__name", "tags"]
    filter_horizontal = ["tags"]
    tag_parent_field = "domain"
    search_fields = ["title", "summary", "outcome"]
    ordering = ["version", "number"]
    list_select_related = ["version", "domain"]
    exclude = ["version"]

    def save_model(self, request, obj, form, change):
        obj.version = obj.domain.version
        super().save_model(request, obj, form, change)


class LevelDescriptorInline(FrozenInlineMixin, TranslationTabularInline):
    model = LevelDescriptor
    formfield_overrides = NARROW_TEXT
    extra = 0
    min_num = 5
    max_num = 5
    ordering = ["level"]


@admin.register(Indicator)
class IndicatorAdmin(SameVersionTagsMixin, FrozenVersionMixin, TranslationAdmin):
    list_display = ["code", "version_code", "short_question", "capability", "weight", "source"]
    list_filter = [VersionFilter, "source", "capability__domain__name", "sectors", "tags"]
    search_fields = ["code", "question", "guidance"]
    ordering = ["version", "capability__number", "order"]
    list_select_related = ["version", "capability"]
    filter_horizontal = ["sectors", "tags"]
    tag_parent_field = "capability"
    exclude = ["version"]
    inlines = [LevelDescriptorInline]

    @admin.display(description=_("question"))
    def short_question(self, obj):
        return obj.question if len(obj.question) < 70 else obj.question[:67] + "…"

    def save_model(self, request, obj, form, change):
        obj.version = obj.capability.version
        super().save_model(request, obj, form, change)


@admin.register(Enabler)
class EnablerAdmin(FrozenVersionMixin, TranslationAdmin):
    list_display = ["code", "name", "version_code", "order", "source", "links_source"]
    list_filter = [VersionFilter, "source"]
    search_fields = ["code", "name", "description"]
    list_select_related = ["version"]
    filter_horizontal = ["capabilities"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "capabilities":
            kwargs["queryset"] = Capability.objects.filter(
                version__status=FrameworkVersion.Status.DRAFT
            ).select_related("version")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class MetricAdminForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        version, capability = data.get("version"), data.get("capability")
        if version and capability and capability.version_id != version.pk:
            self.add_error("capability", _("Choose a capability of the same framework version."))
        return data


@admin.register(Metric)
class MetricAdmin(FrozenVersionMixin, TranslationAdmin):
    form = MetricAdminForm
    list_display = ["code", "name", "version_code", "capability", "unit", "higher_is_better"]
    list_filter = [VersionFilter, "unit"]
    search_fields = ["code", "name", "definition"]
    list_select_related = ["version", "capability"]
    filter_horizontal = ["sectors"]


@admin.register(MaturityLevel)
class MaturityLevelAdmin(FrozenVersionMixin, TranslationAdmin):
    list_display = ["level", "name", "version_code", "source"]
    list_filter = [VersionFilter, "source"]
    list_select_related = ["version"]


@admin.register(Tag)
class TagAdmin(FrozenVersionMixin, TranslationAdmin):
    list_display = ["code", "name", "lens", "version_code", "order", "capability_count", "indicator_count"]
    list_filter = [VersionFilter]
    search_fields = ["code", "name", "lens"]
    list_select_related = ["version"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_capabilities=Count("capabilities", distinct=True), n_indicators=Count("indicators", distinct=True)
            )
        )

    @admin.display(description=_("capabilities"), ordering="n_capabilities")
    def capability_count(self, obj):
        return obj.n_capabilities

    @admin.display(description=_("indicators"), ordering="n_indicators")
    def indicator_count(self, obj):
        return obj.n_indicators


class CrosswalkEntryFormSet(forms.BaseInlineFormSet):
    """The entries of one crosswalk must name codes of its two versions and agree with each other.

    The same checks as ``load_crosswalk``, but coverage (every code mapped) is reported as a warning on
    the page rather than refused, so that a crosswalk can be completed over several edits.
    """

    def clean(self):
        super().clean()
        crosswalk = self.instance
        if any(self.errors) or crosswalk.source_id is None or crosswalk.target_id is None:
            return
        rows = {"capabilities": [], "indicators": []}
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            data = form.cleaned_data
            section = "capabilities" if data["kind"] == CrosswalkEntry.Kind.CAPABILITY else "indicators"
            row = {"relation": data["relation"]}
            for key in ("source", "target"):
                code = (data.get(f"{key}_code") or "").strip()
                if code:
                    if section == "capabilities":
                        if not code.isdigit():
                            raise ValidationError(
                                _("A capability code is its number, e.g. 4; found %(code)s.") % {"code": code}
                            )
                        code = int(code)
                    row[key] = code
            rows[section].append(row)
        data = {"source": crosswalk.source.code, "target": crosswalk.target.code} | rows
        problems = [p for section in rows for p in consistency_problems(section, rows[section])]
        problems += [
            p
            for p in crosswalk_problems(data, version_codes(crosswalk.source), version_codes(crosswalk.target))
            if "not mapped" not in p
        ]
        if problems:
            raise ValidationError(problems)


class CrosswalkEntryInline(admin.TabularInline):
    model = CrosswalkEntry
    formset = CrosswalkEntryFormSet
    extra = 1
    fields = ["kind", "source_code", "target_code", "relation", "note"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 1, "cols": 50})}}


@admin.register(Crosswalk)
class CrosswalkAdmin(admin.ModelAdmin):
    """Editable whatever the versions' status: a crosswalk is not part of either version."""

    list_display = ["__str__", "relation_summary", "created_at"]
    list_select_related = ["source", "target"]
    inlines = [CrosswalkEntryInline]
    readonly_fields = ["created_at", "relation_summary", "coverage"]
    fields = ["source", "target", "note", "relation_summary", "coverage", "created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("entries")

    @admin.display(description=_("relations"))
    def relation_summary(self, obj):
        counts = {}
        for entry in obj.entries.all():
            counts.setdefault(entry.get_kind_display(), {}).setdefault(entry.get_relation_display(), 0)
            counts[entry.get_kind_display()][entry.get_relation_display()] += 1
        return " · ".join(
            f"{kind}: " + ", ".join(f"{n} {relation.lower()}" for relation, n in sorted(by_relation.items()))
            for kind, by_relation in sorted(counts.items())
        )

    @admin.display(description=_("coverage"))
    def coverage(self, obj):
        if obj.pk is None:
            return "—"
        data = crosswalk_as_dict(obj)
        missing = crosswalk_problems(data, version_codes(obj.source), version_codes(obj.target))
        if not missing:
            return _("Every capability and indicator of both versions is mapped.")
        return _("Not mapped yet: %(problems)s") % {"problems": "; ".join(missing[:20])}


class PackReviewForm(forms.Form):
    reviewer = forms.CharField(
        label=_("Reviewer"),
        max_length=200,
        help_text=_("The native-speaking child-protection professional who checked the translation."),
    )


class PackUploadForm(forms.Form):
    workbook = forms.FileField(
        label=_("Translated workbook (.xlsx)"),
        help_text=_("The workbook downloaded from this page or made by export_translation, with column E filled."),
    )
    translator = forms.CharField(label=_("Translator"), max_length=200, required=False)


@admin.register(TranslationPack)
class TranslationPackAdmin(admin.ModelAdmin):
    """Packs per version and language: completeness, what is missing, the workbook round trip, review and going live.

    Texts are not edited one by one here: a correction goes through the translator's workbook (download,
    fill in, upload), which checks every text the way ``import_translation`` does.
    """

    list_display = ["version", "language", "status", "completeness_figure", "translator", "reviewer", "published_at"]
    list_filter = ["status", "language", "version"]
    search_fields = ["version__code", "translator", "reviewer"]
    readonly_fields = ["version", "language", "status", "reviewer", "reviewed_at", "published_at", "created_at"]
    fields = ["version", "language", "status", "translator", "reviewer", "note", "reviewed_at", "published_at"]
    change_form_template = "admin/capabilities/translationpack/change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("version")
            .annotate(n_done=Count("texts", filter=~models.Q(texts__text="")))
        )

    def has_add_permission(self, request):
        return False  # a pack starts from a workbook: import_translation, or the upload on a pack's page

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_live:
            return False  # its texts are in the framework's columns; supersede it with a new pack instead
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("translated"), ordering="n_done")
    def completeness_figure(self, obj):
        return f"{obj.n_done}"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/workbook/", view(self.workbook_view), name="{}_{}_workbook".format(*info)),
            path("<path:object_id>/upload/", view(self.upload_view), name="{}_{}_upload".format(*info)),
            path("<path:object_id>/review/", view(self.review_view), name="{}_{}_review".format(*info)),
            path("<path:object_id>/go-live/", view(self.go_live_view), name="{}_{}_go_live".format(*info)),
        ] + super().get_urls()

    def _pack_or_404(self, request, object_id):
        pack = self.get_object(request, unquote(object_id))
        if pack is None:
            raise Http404(_("No such translation pack."))
        return pack

    def _back(self, pack):
        return redirect(reverse("admin:capabilities_translationpack_change", args=[pack.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        pack = self.get_object(request, unquote(object_id))
        if pack is not None:
            current = translationpacks.framework_texts(pack.version)
            figure = translationpacks.completeness(pack, current)
            missing = [current[key] for row in figure["rows"] for key in row["missing"]]
            may_change = self.has_change_permission(request, pack)
            extra_context = (extra_context or {}) | {
                "completeness": figure,
                "missing": missing[:300],
                "missing_more": max(0, len(missing) - 300),
                "may_change": may_change,
                "review_form": PackReviewForm(),
                "upload_form": PackUploadForm(initial={"translator": pack.translator}),
                "other_packs": TranslationPack.objects.filter(version=pack.version, language=pack.language)
                .exclude(pk=pack.pk)
                .order_by("-created_at"),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def workbook_view(self, request, object_id):
        pack = self._pack_or_404(request, object_id)
        if not self.has_view_permission(request, pack):
            raise PermissionDenied
        texts = translationpacks.framework_texts(pack.version)
        data = translationfiles.dump_xlsx(
            pack.version, pack.language, texts, {t.key: t.text for t in pack.texts.all()}, translator=pack.translator
        )
        return _workbook_response(data, f"{pack.version.code}.{pack.language}.xlsx")

    def upload_view(self, request, object_id):
        pack = self._pack_or_404(request, object_id)
        if request.method != "POST":
            return self._back(pack)
        if not self.has_change_permission(request, pack):
            raise PermissionDenied
        form = PackUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    self.message_user(request, error, messages.ERROR)
            return self._back(pack)
        new = _import_upload(self, request, form, version=pack.version, language=pack.language)
        return self._back(new or pack)

    def review_view(self, request, object_id):
        pack = self._pack_or_404(request, object_id)
        if request.method != "POST":
            return self._back(pack)
        if not self.has_change_permission(request, pack):
            raise PermissionDenied
        form = PackReviewForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(_("Name the reviewer who approved this translation."))
            pack = translationpacks.pack_review(pack=pack, reviewer=form.cleaned_data["reviewer"])
        except ValidationError as exc:
            for message in exc.messages:
                self.message_user(request, message, messages.ERROR)
            return self._back(pack)
        self.log_change(request, pack, [{"changed": {"fields": ["status", "reviewer"]}}])
        self.message_user(
            request,
            _("Recorded the review by %(reviewer)s: the pack is %(status)s.")
            % {"reviewer": pack.reviewer, "status": pack.get_status_display()},
            messages.SUCCESS,
        )
        return self._back(pack)

    def go_live_view(self, request, object_id):
        pack = self._pack_or_404(request, object_id)
        if request.method != "POST":
            return self._back(pack)
        if not self.has_change_permission(request, pack):
            raise PermissionDenied
        try:
            pack = translationpacks.pack_publish(pack=pack, provisional=request.POST.get("provisional") == "1")
        except ValidationError as exc:
            for message in exc.messages[:30]:
                self.message_user(request, message, messages.ERROR)
            return self._back(pack)
        self.log_change(request, pack, [{"changed": {"fields": ["status"]}}])
        self.message_user(
            request,
            _("%(version)s in %(lang)s now shows this pack (%(status)s).")
            % {"version": pack.version.code, "lang": pack.language, "status": pack.get_status_display()},
            messages.SUCCESS,
        )
        return self._back(pack)


def _workbook_response(data, filename):
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _import_upload(modeladmin, request, form, *, version, language=None):
    """The uploaded workbook as the draft pack of ``version`` (and ``language``, when given), or messages."""
    upload = form.cleaned_data["workbook"]
    try:
        if upload.size > translationfiles.MAX_BYTES:
            raise translationpacks.PackProblems([(upload.name, _("the file is larger than 20 MB"))])
        pack_file = translationfiles.parse_xlsx(upload.read(), source=upload.name)
        wrong_version = pack_file.version != version.code
        if wrong_version or (language is not None and pack_file.language != language):
            raise translationpacks.PackProblems(
                [
                    (
                        upload.name,
                        _("this workbook is for %(version)s in %(lang)s, not %(this_version)s in %(this_lang)s")
                        % {
                            "version": pack_file.version,
                            "lang": pack_file.language,
                            "this_version": version.code,
                            "this_lang": language or pack_file.language,
                        },
                    )
                ]
            )
        pack, incomplete = translationpacks.pack_import(
            version=version,
            language=pack_file.language,
            entries=pack_file.entries,
            translator=form.cleaned_data["translator"] or pack_file.translator,
            note=translationpacks.DRAFT_NOTE,
            where=upload.name,
        )
    except translationpacks.PackProblems as exc:
        modeladmin.message_user(
            request,
            ngettext("Nothing was imported: %(n)d problem.", "Nothing was imported: %(n)d problems.", len(exc.problems))
            % {"n": len(exc.problems)},
            messages.ERROR,
        )
        for message in exc.messages[:30]:
            modeladmin.message_user(request, message, messages.ERROR)
        return None
    modeladmin.log_change(request, pack, [{"changed": {"fields": ["texts"]}}])
    if incomplete:
        modeladmin.message_user(
            request,
            ngettext(
                "Imported as the draft pack: %(missing)d text still without translation shows in English.",
                "Imported as the draft pack: %(missing)d texts still without translation show in English.",
                len(incomplete),
            )
            % {"missing": len(incomplete)},
            messages.WARNING,
        )
    else:
        modeladmin.message_user(
            request, _("Imported as the draft pack: every text has its translation."), messages.SUCCESS
        )
    return pack
