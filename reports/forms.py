from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

LEVEL_CHOICES = [("", _("— not set —"))] + [(str(n), str(n)) for n in range(5)]


class LevelRationaleForm(forms.Form):
    """A level with its rationale, written out here instead of by crispy-forms.

    The analysis page holds one such form per capability and per enabler (28 with the MNR-2016), and
    crispy's per-field templates were a third of the page's time. ``level_field`` and
    ``rationale_field`` write crispy's bootstrap5 markup for the two fields (tests/reports/
    test_level_form_markup.py compares them), so the page looks and reads as it did.
    """

    def _wrapped(self, bound, control):
        errors = bound.errors
        feedback = (
            format_html(
                ' <div id="{}_error" class="invalid-feedback">{}</div>',
                bound.auto_id,
                format_html_join(
                    "",
                    '<p id="error_{}_{}"><strong>{}</strong></p>',
                    ((i, bound.auto_id, e) for i, e in enumerate(errors, 1)),
                ),
            )
            if errors
            else ""
        )
        return format_html(
            '<div id="div_{}" class="mb-3"> <label for="{}" class="form-label">{}</label> {}{} </div>',
            bound.auto_id,
            bound.auto_id,
            bound.label,
            control,
            feedback,
        )

    def _invalid(self, bound):
        if not bound.errors:
            return ""
        return format_html(' is-invalid" aria-invalid="true" aria-describedby="{}_error', bound.auto_id)

    def level_field(self):
        bound = self["level"]
        value = bound.value()
        current = "" if value is None else str(value)
        options = format_html_join(
            " ",
            '<option value="{}"{}>{}</option>',
            (
                (option, SafeString(" selected") if option == current else "", label)  # constant markup
                for option, label in self.fields["level"].choices
            ),
        )
        control = format_html(
            '<select name="{}" class="select form-select{}" id="{}"> {} </select>',
            bound.html_name,
            self._invalid(bound),
            bound.auto_id,
            options,
        )
        return self._wrapped(bound, control)

    def rationale_field(self):
        bound = self["rationale"]
        widget = self.fields["rationale"]
        control = format_html(
            '<textarea name="{}" cols="40" rows="{}" maxlength="{}" class="textarea form-control{}" id="{}">\n{}'
            "</textarea>",
            bound.html_name,
            widget.widget.attrs["rows"],
            widget.max_length,
            self._invalid(bound),
            bound.auto_id,
            bound.value() or "",
        )
        return self._wrapped(bound, control)


class ValidatedLevelForm(LevelRationaleForm):
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


class EnablerScoreForm(LevelRationaleForm):
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
