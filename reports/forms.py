from django import forms
from django.utils.translation import gettext_lazy as _

LEVEL_CHOICES = [("", _("— not set —"))] + [(str(n), str(n)) for n in range(5)]


class ValidatedLevelForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("Validated level"), choices=LEVEL_CHOICES, coerce=int, empty_value=None, required=False
    )
    rationale = forms.CharField(
        label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000
    )

    def clean(self):
        data = super().clean()
        if data.get("level") is not None and not (data.get("rationale") or "").strip():
            self.add_error("rationale", _("Explain why: the report prints this rationale beside the level."))
        return data


class EnablerScoreForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("Level"), choices=LEVEL_CHOICES, coerce=int, empty_value=None, required=False
    )
    rationale = forms.CharField(
        label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000
    )


class NationalFigureForm(forms.Form):
    """The coordinator's validated national figure for one metric and year (empty value: clear it)."""

    year = forms.IntegerField(label=_("Year"), min_value=2000)
    value = forms.CharField(label=_("National figure"), required=False, max_length=30)
    not_collected = forms.BooleanField(label=_("Not collected"), required=False)
    rationale = forms.CharField(
        label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000
    )
