from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.models import Organisation
from capabilities.models import Capability, Indicator

from .models import MONEY, Action, Funding, Milestone

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def money_field(label, required=True):
    return forms.DecimalField(
        label=label,
        min_value=Decimal("0"),
        max_digits=MONEY["max_digits"],
        decimal_places=MONEY["decimal_places"],
        required=required,
        error_messages={
            "invalid": _("Enter an amount such as 12500 or 12500.50 (a point before the cents, no spaces)."),
            "max_decimal_places": _("Enter the amount with at most two decimals."),
            "max_digits": _("The amount is too large."),
            "min_value": _("Enter an amount of zero or more."),
        },
    )


class PlanCreateForm(forms.Form):
    currency = forms.CharField(
        label=_("Currency (ISO 4217)"), max_length=3, min_length=3, help_text=_("For example EUR, USD or XOF.")
    )

    def clean_currency(self):
        code = self.cleaned_data["currency"].strip().upper()
        if not (code.isascii() and code.isalpha()):
            raise forms.ValidationError(_("Enter the currency as its three-letter ISO 4217 code, e.g. EUR."))
        return code


class ActionForm(forms.ModelForm):
    """The coordinator's form for one action; ``version`` carries the optimistic lock."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    estimated_cost = money_field(_("Estimated cost"))

    class Meta:
        model = Action
        fields = [
            "title",
            "capability",
            "other_capabilities",
            "indicators",
            "description",
            "expected_result",
            "lead_organisation",
            "supporting_organisations",
            "starts_on",
            "due_on",
            "priority",
            "status",
            "status_reason",
            "estimated_cost",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "expected_result": forms.Textarea(attrs={"rows": 2}),
            "status_reason": forms.Textarea(attrs={"rows": 2}),
            "starts_on": DATE,
            "due_on": DATE,
            "other_capabilities": forms.SelectMultiple(attrs={"size": 4}),
            "indicators": forms.SelectMultiple(attrs={"size": 4}),
            "supporting_organisations": forms.SelectMultiple(attrs={"size": 4}),
        }

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        version_id = plan.cycle.framework_version_id
        capabilities = Capability.objects.filter(version_id=version_id).order_by("number")
        organisations = Organisation.objects.filter(country_id=plan.cycle.country_id).order_by("name")
        self.fields["capability"].queryset = capabilities
        self.fields["other_capabilities"].queryset = capabilities
        self.fields["indicators"].queryset = Indicator.objects.filter(version_id=version_id).order_by(
            "capability__number", "order", "code"
        )
        self.fields["indicators"].label_from_instance = lambda i: i.code
        self.fields["lead_organisation"].queryset = organisations
        self.fields["lead_organisation"].empty_label = _("— not assigned yet —")
        self.fields["supporting_organisations"].queryset = organisations
        for name in ("other_capabilities", "indicators", "supporting_organisations"):
            self.fields[name].help_text = _("Hold Ctrl (or ⌘) to choose several.")
        self.fields["status_reason"].help_text = _("Required when the action is blocked or dropped.")
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    def clean(self):
        data = super().clean()
        starts, due = data.get("starts_on"), data.get("due_on")
        if starts and due and due < starts:
            self.add_error("due_on", _("The due date must be on or after the start date."))
        if data.get("status") in Action.NEEDS_REASON and not (data.get("status_reason") or "").strip():
            self.add_error("status_reason", _("Say why the action is blocked or dropped."))
        return data

    def service_values(self):
        d = self.cleaned_data
        return {
            "values": {
                k: d[k]
                for k in d
                if k not in ("other_capabilities", "indicators", "supporting_organisations", "version")
            },
            "other_capabilities": list(d.get("other_capabilities") or []),
            "indicators": list(d.get("indicators") or []),
            "supporting_organisations": list(d.get("supporting_organisations") or []),
        }


class ActionQuickForm(forms.ModelForm):
    """The fields edited in place on the plan page."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    estimated_cost = money_field(_("Estimated cost"))

    class Meta:
        model = Action
        fields = ["lead_organisation", "due_on", "priority", "status", "status_reason", "estimated_cost"]
        widgets = {"due_on": DATE, "status_reason": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_organisation"].queryset = Organisation.objects.filter(
            country_id=plan.cycle.country_id
        ).order_by("name")
        self.fields["lead_organisation"].empty_label = _("— not assigned yet —")
        if not self.is_bound:
            self.initial["version"] = self.instance.version

    def clean(self):
        data = super().clean()
        if data.get("status") in Action.NEEDS_REASON and not (data.get("status_reason") or "").strip():
            self.add_error("status_reason", _("Say why the action is blocked or dropped."))
        return data

    def service_values(self):
        d = self.cleaned_data
        return {"values": {k: d[k] for k in d if k != "version"}}


class FundingForm(forms.ModelForm):
    amount = money_field(_("Amount"))

    class Meta:
        model = Funding
        fields = ["source", "funder", "amount"]


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due_on"]
        widgets = {"due_on": DATE}


class ProgressForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Action.Status.choices)
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        error_messages={
            "min_value": _("Enter a percentage from 0 to 100."),
            "max_value": _("Enter a percentage from 0 to 100."),
        },
    )
    milestone = forms.ModelChoiceField(label=_("Milestone reached"), queryset=Milestone.objects.none(), required=False)
    note = forms.CharField(
        label=_("What happened"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For a blocked or dropped action, say why: the note is kept as the reason."),
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("A document, decision or figure that shows it, with where to find it."),
    )
    spent = money_field(_("Spent so far"), required=False)

    def __init__(self, *args, action, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = Milestone.objects.filter(action=action).order_by("due_on", "pk")
        if not self.is_bound:
            self.initial.update({"status": action.status, "progress": action.progress})


class EndorseForm(forms.Form):
    endorsed_on = forms.DateField(label=_("Endorsed on"), widget=DATE)
    endorsed_by = forms.CharField(
        label=_("Endorsed by"),
        max_length=200,
        help_text=_("The body that approved the plan, e.g. the National Committee on Child Online Protection."),
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
