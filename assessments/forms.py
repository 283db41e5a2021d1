from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from capabilities.models import FrameworkVersion, Sector

from .models import Choice, Cycle, Organisation


class _CrispyForm(forms.Form):
    submit_label = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        if self.submit_label:
            self.helper.add_input(Submit("submit", self.submit_label))


class CycleForm(forms.ModelForm):
    class Meta:
        model = Cycle
        fields = ["country", "framework_version", "title", "period", "opens_on", "closes_on", "report_language"]
        widgets = {
            "opens_on": forms.DateInput(attrs={"type": "date"}),
            "closes_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, countries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = countries
        self.fields["framework_version"].queryset = FrameworkVersion.objects.published()
        self.fields["framework_version"].help_text = _("Only published versions can be assessed against.")
        self.fields["report_language"].required = False  # English unless chosen
        if countries.count() == 1:
            self.fields["country"].initial = countries.first()
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("submit", _("Create cycle")))

    def clean_report_language(self):
        return self.cleaned_data.get("report_language") or "en"

    def clean(self):
        data = super().clean()
        if data.get("opens_on") and data.get("closes_on") and data["closes_on"] < data["opens_on"]:
            self.add_error("closes_on", _("The closing date must be on or after the opening date."))
        return data


class ParticipantForm(_CrispyForm):
    submit_label = _("Add organisation")
    organisation = forms.ModelChoiceField(
        label=_("Existing organisation"), queryset=Organisation.objects.none(), required=False
    )
    name = forms.CharField(label=_("…or a new organisation's name"), max_length=200, required=False)
    sector = forms.ModelChoiceField(label=_("Its sector"), queryset=Sector.objects.all(), required=False)

    def __init__(self, *args, cycle, **kwargs):
        kwargs.setdefault("auto_id", "participant_%s")  # unique ids beside the invitation form
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = (
            Organisation.objects.filter(country=cycle.country_id)
            .exclude(submissions__cycle=cycle)
            .select_related("sector")
        )

    def clean(self):
        data = super().clean()
        if data.get("organisation") and data.get("name"):
            raise forms.ValidationError(_("Choose an existing organisation or name a new one, not both."))
        if not data.get("organisation"):
            if not data.get("name"):
                raise forms.ValidationError(_("Choose an existing organisation or name a new one."))
            if not data.get("sector"):
                self.add_error(
                    "sector", _("A new organisation needs its sector: it decides which indicators it is asked.")
                )
        return data


class InviteForm(_CrispyForm):
    submit_label = _("Invite focal point")
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    # The address becomes the new account's username, which holds at most 150 characters.
    email = forms.EmailField(label=_("E-mail"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)

    def __init__(self, *args, cycle, **kwargs):
        kwargs.setdefault("auto_id", "invite_%s")  # unique ids beside the participant form
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(submissions__cycle=cycle)


class TargetsForm(_CrispyForm):
    submit_label = _("Save targets")

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = targets
        choices = [(level, str(level)) for level in range(5)]
        for target in targets:
            self.fields[f"cap_{target.capability_id}"] = forms.TypedChoiceField(
                label=str(target.capability), choices=choices, coerce=int, initial=target.target_level
            )

    def levels(self):
        return {t.capability_id: self.cleaned_data[f"cap_{t.capability_id}"] for t in self.targets}


class AnswerForm(forms.Form):
    """One indicator's answer; the level descriptors are the choices.

    Rendered by templates/assessments/_answer_fields.html (one per indicator on a page), not crispy-forms.
    """

    choice = forms.ChoiceField(widget=forms.RadioSelect, required=False)
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What exists: a law and article, a unit, a protocol, a figure — with links to public sources."),
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, answer, levels, **kwargs):
        kwargs.setdefault("prefix", f"a{answer.pk}")
        if "data" not in kwargs and not args:
            kwargs["initial"] = {"choice": answer.choice, "evidence": answer.evidence, "comment": answer.comment}
        super().__init__(*args, **kwargs)
        self.answer = answer
        descriptors = {d.level: d.text for d in answer.indicator.descriptors.all()}
        choices = [
            (
                str(level.level),
                format_html(
                    "<strong>{} · {}</strong> — <bdi>{}</bdi>",
                    level.level,
                    level.name,
                    descriptors.get(level.level, ""),
                ),
            )
            for level in levels
        ]
        choices += [(Choice.DONT_KNOW, _("Don't know")), (Choice.NOT_APPLICABLE, _("Not applicable to us"))]
        self.fields["choice"].choices = choices
        self.fields["choice"].label = format_html(
            "{} <span class='visually-hidden'>{}</span>", _("Maturity level"), answer.indicator.code
        )
        error_id = f"err-{answer.pk}"
        self.fields["evidence"].widget.attrs["aria-describedby"] = (
            f"{error_id}-evidence id_{self.prefix}-evidence_helptext"
        )
        self.fields["choice"].widget.attrs["aria-describedby"] = f"{error_id}-choice"
        # No crispy helper: templates/assessments/_answer_fields.html writes this form's markup.

    def choice_options(self):
        """The radio buttons' markup (crispy's bootstrap5 markup for this field), one string per option.

        Built here rather than in the template: a capability page has up to seven options per
        indicator and dozens of indicators, and template variable lookups were most of its cost.
        """
        bound = self["choice"]
        value, errors = bound.value(), bound.errors
        name, describedby = bound.html_name, self.fields["choice"].widget.attrs["aria-describedby"]
        invalid = mark_safe(' aria-invalid="true"') if errors else ""  # noqa: S308  # constant markup
        options = []
        for index, (option_value, label) in enumerate(self.fields["choice"].choices):
            option_id = f"id_{name}_{index}"
            options.append(
                format_html(
                    '<div class="form-check"> <input type="radio" class="form-check-input{}" name="{}" value="{}"'
                    ' aria-describedby="{}"{} id="{}"{}> <label for="{}" class="form-check-label">{}</label>{} </div>',
                    " is-invalid" if errors else "",
                    name,
                    option_value,
                    describedby,
                    invalid,
                    option_id,
                    mark_safe(" checked") if value == option_value else "",  # noqa: S308  # constant markup
                    option_id,
                    label,
                    self._choice_errors(name, errors)
                    if errors and index == len(self.fields["choice"].choices) - 1
                    else "",
                )
            )
        return mark_safe(" ".join(options))  # noqa: S308  # each part built by format_html

    @staticmethod
    def _choice_errors(name, errors):
        return format_html(
            ' <div id="id_{}_error" class="invalid-feedback">{}</div>',
            name,
            format_html_join(
                "", '<p id="error_{}_id_{}"><strong>{}</strong></p>', ((i, name, e) for i, e in enumerate(errors, 1))
            ),
        )


class SubmitForm(forms.Form):
    confirm_unanswered = forms.BooleanField(
        label=_("I confirm we submit without answering the indicators listed above."), required=False
    )


class ReturnForm(_CrispyForm):
    submit_label = _("Return for changes")
    reason = forms.CharField(
        label=_("What should the organisation change?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class WorkbookUploadForm(_CrispyForm):
    submit_label = _("Check and upload")
    workbook = forms.FileField(
        label=_("Filled-in workbook (.xlsx)"),
        help_text=_("The workbook downloaded from this questionnaire, with your answers."),
        widget=forms.FileInput(attrs={"accept": ".xlsx"}),
    )


class ReviewCommentForm(forms.Form):
    """The coordinator's comment on one answer; rendered inside the review page's own form tag."""

    text = forms.CharField(
        label=_("Review comment"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
        help_text=_("The organisation reads it beside this answer once you return the questionnaire."),
    )

    def __init__(self, *args, answer, **kwargs):
        kwargs.setdefault("prefix", f"rc{answer.pk}")
        super().__init__(*args, **kwargs)
        self.fields["text"].label = format_html(
            "{} <span class='visually-hidden'>{}</span>", _("Review comment"), answer.indicator.code
        )
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
