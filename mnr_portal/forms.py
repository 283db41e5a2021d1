"""Forms of the log-in and two-step verification pages. The code forms normalise the code; the views check it
against a device."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Hidden, Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from accounts.models import ApiToken
from accounts.services import LIFETIMES

from .two_factor import BACKUP_CODE_DIGITS, TOTP_DIGITS, normalise_code


class LoginForm(AuthenticationForm):
    """Django's login form without ``autofocus``: a screen reader then starts at the top of the page, hears the
    heading and the hint before the fields, and the skip link stays the first Tab stop."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.pop("autofocus", None)


class CodeForm(forms.Form):
    """One code from the authenticator app."""

    lengths = (TOTP_DIGITS,)
    label = _("6-digit code from your authenticator app")
    help_text = ""
    format_error = _("Enter the 6 digits your authenticator app shows now.")
    submit_label = _("Confirm")

    code = forms.CharField(max_length=32, strip=True)

    def __init__(self, *args, action=None, submit_label=None, next_url=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.label = self.label
        field.help_text = self.help_text
        field.widget.attrs.update(
            {
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "code-input",
            }
        )
        self.helper = FormHelper(self)
        if action:
            self.helper.form_action = action
        if next_url:
            self.helper.add_input(Hidden("next", next_url))
        # Named after the prefix: the manage page holds two of these forms, and ids must stay unique.
        self.helper.add_input(
            Submit(f"{self.prefix}-submit" if self.prefix else "submit", submit_label or self.submit_label)
        )

    def clean_code(self):
        code = normalise_code(self.cleaned_data["code"])
        if not code.isdigit() or len(code) not in self.lengths:
            raise forms.ValidationError(self.format_error, code="format")
        return code

    @property
    def is_backup_code(self):
        return len(self.cleaned_data.get("code", "")) == BACKUP_CODE_DIGITS


class VerifyForm(CodeForm):
    """A code from the authenticator app, or one of the backup codes."""

    lengths = (TOTP_DIGITS, BACKUP_CODE_DIGITS)
    label = _("Verification code")
    help_text = _("The 6-digit code your authenticator app shows now, or one of your 10-digit backup codes.")
    format_error = _("Enter the 6 digits your authenticator app shows now, or a 10-digit backup code.")
    submit_label = _("Verify")


class ApiTokenForm(forms.Form):
    """A new personal API token: what it is for, what it may do, how long it lives."""

    name = forms.CharField(label=_("What will use it"), max_length=100, help_text=_("For example: ministry dashboard."))
    scope = forms.ChoiceField(label=_("Scope"), choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ)
    days = forms.TypedChoiceField(
        label=_("Valid for"),
        coerce=int,
        choices=[(d, ngettext_lazy("%(count)d day", "%(count)d days", d) % {"count": d}) for d in LIFETIMES],
        initial=90,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = reverse_lazy("api_tokens")
        self.helper.add_input(Submit("create", _("Create the token")))
