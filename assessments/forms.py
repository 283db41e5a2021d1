import csv
import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from capabilities.models import FrameworkVersion, Sector
from capabilities.translation import fw_text

from .models import Choice, Cycle, Organisation
from .participants import OrganisationRow


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
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)

    def __init__(self, *args, cycle, **kwargs):
        kwargs.setdefault("auto_id", "invite_%s")  # unique ids beside the participant form
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(submissions__cycle=cycle)


IMPORT_MAX_ROWS = 500
IMPORT_MAX_BYTES = 512 * 1024
HEADER_WORDS = {"organisation", "organization", "name", "sector", "secteur", "organisme", "organización"}


def sector_lookup():
    """Sector by its code or its name in any interface language, case-insensitive (1 query)."""
    sectors = {}
    for sector in Sector.objects.all():
        sectors[sector.code.lower()] = sector
        for code, _name in settings.LANGUAGES:
            name = getattr(sector, f"name_{code}", None)
            if name:
                sectors[name.strip().lower()] = sector
    return sectors


class OrganisationsImportForm(_CrispyForm):
    """Many organisations at once: pasted lines or a CSV file of organisation, sector, focal-point e-mails.

    Checked as a whole: any bad row refuses the list, each problem named by its row, and the text
    stays in the box to be corrected (a file's text is put there too).
    """

    submit_label = _("Check and add the organisations")
    rows = forms.CharField(
        label=_("Organisations, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "dir": "auto", "spellcheck": "false"}),
        help_text=_(
            "Organisation, sector, focal-point e-mails — separated by commas, semicolons or tabs (as a "
            "spreadsheet copies them). Several e-mails may share the last column, separated by spaces."
        ),
    )
    file = forms.FileField(
        label=_("…or a CSV file with the same columns"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.form_tag = False  # the page's own form tag carries the action and the file encoding
        self.cycle = cycle
        self.parsed = []

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        if upload.size > IMPORT_MAX_BYTES:
            raise ValidationError(_("The file is larger than %(kb)d KB; split it.") % {"kb": IMPORT_MAX_BYTES // 1024})
        raw = upload.read()
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise ValidationError(_("The file could not be read as text; save it as CSV (UTF-8)."))

    def clean(self):
        data = super().clean()
        text = data.get("file") or data.get("rows") or ""
        if data.get("file"):
            # What the file held goes into the box, so a refused file can be corrected there.
            self.data = self.data.copy()
            self.data["rows"] = text
        if not text.strip():
            raise ValidationError(_("Paste the organisations or choose a CSV file."))
        self.parsed = self._parse(text)
        return data

    def _parse(self, text):
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) > IMPORT_MAX_ROWS:
            raise ValidationError(
                _("At most %(n)d organisations at once; this list has %(count)d.")
                % {"n": IMPORT_MAX_ROWS, "count": len(lines)}
            )
        sectors = sector_lookup()
        existing = {
            o.name.lower(): o
            for o in Organisation.objects.filter(country=self.cycle.country_id).select_related("sector")
        }
        taking_part = set(self.cycle.submissions.values_list("organisation_id", flat=True))
        problems, rows, seen = [], [], {}
        for number, line in enumerate(lines, start=1):
            # Each line as a spreadsheet would copy it: tabs, else semicolons (French, Spanish), else commas.
            delimiter = next((d for d in ("\t", ";") if d in line), ",")
            cells = next(csv.reader([line], delimiter=delimiter))
            cells = [c.strip() for c in cells]
            if number == 1 and cells and cells[0].lower() in HEADER_WORDS | {gettext("Organisation").lower()}:
                continue
            name = cells[0] if cells else ""
            sector_text = cells[1] if len(cells) > 1 else ""
            emails = [e for cell in cells[2:] for e in re.split(r"[\s,;]+", cell) if e]

            def problem(message, number=number):
                problems.append(gettext("Row %(n)d: %(problem)s") % {"n": number, "problem": message})

            if not name:
                problem(gettext("the organisation's name is missing."))
                continue
            if len(name) > 200:
                problem(gettext("the name is longer than 200 characters."))
                continue
            if name.lower() in seen:
                problem(gettext("%(org)s is listed already in row %(row)d.") % {"org": name, "row": seen[name.lower()]})
                continue
            seen[name.lower()] = number
            sector = sectors.get(sector_text.lower())
            if sector is None:
                problem(
                    gettext("unknown sector “%(sector)s”; use one of the sectors listed below.")
                    % {"sector": sector_text}
                    if sector_text
                    else gettext("the sector is missing.")
                )
            bad = []
            for email in emails:
                try:
                    validate_email(email)
                except ValidationError:
                    bad.append(email)
                else:
                    if len(email) > 150:
                        bad.append(email)
            if bad:
                problem(gettext("not a valid e-mail address: %(emails)s.") % {"emails": ", ".join(bad)})
            if len(set(e.lower() for e in emails)) != len(emails):
                problem(gettext("the same e-mail address is given twice."))
            known = existing.get(name.lower())
            if known is not None and known.pk in taking_part:
                problem(gettext("%(org)s already takes part in this cycle.") % {"org": known})
            elif known is not None and sector is not None and known.sector_id != sector.pk:
                problem(
                    gettext("%(org)s exists already with the sector “%(sector)s”.")
                    % {"org": known, "sector": known.sector}
                )
            if sector is not None:
                rows.append(
                    OrganisationRow(
                        number=number,
                        name=known.name if known else name,
                        sector=sector,
                        emails=[e.lower() for e in emails],
                        organisation=known,
                    )
                )
        if problems:
            raise ValidationError(problems)
        if not rows:
            raise ValidationError(_("The list holds no organisation."))
        return rows


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
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=_("What exists: a law and article, a unit, a protocol, a figure — with links to public sources."),
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"})
    )

    def __init__(self, *args, answer, levels, **kwargs):
        kwargs.setdefault("prefix", f"a{answer.pk}")
        if "data" not in kwargs and not args:
            kwargs["initial"] = {"choice": answer.choice, "evidence": answer.evidence, "comment": answer.comment}
        super().__init__(*args, **kwargs)
        self.answer = answer
        descriptors = {d.level: fw_text(d, "text") for d in answer.indicator.descriptors.all()}
        choices = [
            (
                str(level.level),
                format_html(
                    "<strong>{} · {}</strong> — <bdi>{}</bdi>",
                    level.level,
                    fw_text(level, "name"),
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
        invalid = SafeString(' aria-invalid="true"') if errors else ""  # constant markup
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
                    SafeString(" checked") if value == option_value else "",  # constant markup
                    option_id,
                    label,
                    self._choice_errors(name, errors)
                    if errors and index == len(self.fields["choice"].choices) - 1
                    else "",
                )
            )
        return format_html_join(" ", "{}", ((option,) for option in options))

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
        label=_("I confirm we submit without answering or confirming the indicators listed above."), required=False
    )


class ReturnForm(_CrispyForm):
    submit_label = _("Return for changes")
    reason = forms.CharField(
        label=_("What should the organisation change?"),
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        max_length=5000,
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


class FigureForm(_CrispyForm):
    """One outcome figure: a metric of the organisation's sector, a year, and a value or "not collected"."""

    submit_label = _("Save the figure")
    metric = forms.ModelChoiceField(label=_("Metric"), queryset=None)
    year = forms.IntegerField(label=_("Year"), min_value=2000)
    value = forms.CharField(
        label=_("Value"),
        required=False,
        max_length=30,
        help_text=_("Counts are whole numbers, percentages 0–100. Leave empty when not collected."),
    )
    not_collected = forms.BooleanField(
        label=_("Not collected"),
        required=False,
        help_text=_("The organisation does not collect this figure: a data gap, never a zero."),
    )
    source = forms.CharField(label=_("Source"), required=False, max_length=300)
    confidence = forms.CharField(
        label=_("Confidence note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
        help_text=_("How complete and reliable the figure is, e.g. “one region missing”."),
    )

    def __init__(self, *args, metrics, **kwargs):
        super().__init__(*args, **kwargs)
        from capabilities.models import Metric

        self.fields["metric"].queryset = Metric.objects.filter(pk__in=[m.pk for m in metrics])
        self.fields["metric"].choices = [("", "---------")] + [
            (m.pk, f"{m.code} · {fw_text(m, 'name')}") for m in metrics
        ]


class FiguresWorkbookForm(_CrispyForm):
    submit_label = _("Check and upload")
    workbook = forms.FileField(
        label=_("Filled-in figures workbook (.xlsx)"),
        help_text=_("The figures workbook downloaded from this page, filled in."),
        widget=forms.FileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args, action="", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.form_action = action
