import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from assessments.models import Country
from capabilities.models import Capability

from .models import ExchangeRequest, Practice, Region


class ExchangeConsentForm(forms.Form):
    capabilities = forms.ModelMultipleChoiceField(
        label=_("Capabilities we can share our experience of"),
        queryset=Capability.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capabilities"].queryset = Capability.objects.filter(version=version).order_by("number")


class PracticeForm(forms.ModelForm):
    class Meta:
        model = Practice
        fields = [
            "title",
            "summary",
            "context",
            "what_was_done",
            "results",
            "resources",
            "language",
            "capabilities",
            "tags",
            "show_country",
        ]
        widgets = {
            "capabilities": forms.CheckboxSelectMultiple,
            "resources": forms.Textarea(attrs={"dir": "ltr", "rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capabilities"].queryset = (
            Capability.objects.filter(version__status="published")
            .select_related("version")
            .order_by("version", "number")
        )
        # Two published versions list the same numbers: each box names its version.
        self.fields["capabilities"].label_from_instance = lambda c: f"{c.number}. {c.title} ({c.version.code})"

    def clean_resources(self):
        lines = [line.strip() for line in self.cleaned_data["resources"].splitlines() if line.strip()]
        bad = [line for line in lines if not line.startswith(("https://", "http://"))]
        if bad:
            raise forms.ValidationError(
                _("Each resource is a link starting with https:// (one per line): %(line)s") % {"line": bad[0]}
            )
        return "\n".join(lines)


class PracticeReturnForm(forms.Form):
    reason = forms.CharField(label=_("What should the author change?"), widget=forms.Textarea(attrs={"rows": 3}))


class LibrarySearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    capability = forms.IntegerField(label=_("Capability number"), required=False, min_value=1, max_value=99)
    domain = forms.CharField(label=_("Domain code"), required=False, max_length=4)
    region = forms.ModelChoiceField(label=_("Region"), queryset=None, required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=60)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.all()
        self.fields["language"].choices = [("", _("Any language")), *settings.LANGUAGES]


class ExchangeRequestForm(forms.Form):
    capability = forms.ModelChoiceField(label=_("Capability"), queryset=Capability.objects.none())
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=None, required=False, empty_label=_("The whole network")
    )
    message = forms.CharField(label=_("What would you like to learn?"), widget=forms.Textarea(attrs={"rows": 3}))
    route = forms.ChoiceField(label=_("Send"), choices=())

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capability"].queryset = Capability.objects.filter(version=version).order_by("number")
        self.fields["region"].queryset = Region.objects.all()
        self.fields["route"].choices = ExchangeRequest.Route.choices


class CountryForm(forms.ModelForm):
    """A country's name, ISO code and regions; the regions offered are the secretariat's own."""

    regions = forms.ModelMultipleChoiceField(
        label=_("Regions"), queryset=Region.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Country
        fields = ["name", "code"]
        help_texts = {"code": _("Two capital letters, as in ISO 3166 (for example KE).")}

    def __init__(self, *args, regions, whole, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regions"].queryset = regions.order_by("name")
        if not whole:
            self.fields["regions"].required = True
            self.fields["regions"].help_text = _("Choose at least one of your regions.")
        if self.instance.pk:
            self.initial.setdefault("regions", list(self.instance.regions.filter(pk__in=regions.values("pk"))))

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", code):
            raise forms.ValidationError(_("Enter the two-letter ISO 3166 code, for example KE."))
        return code


class CoordinatorInviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    first_name = forms.CharField(label=_("First name"), required=False, max_length=150)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=150)
