"""The analysis page's level-and-rationale forms write the markup crispy-forms wrote for them.

The validated-level and enabler forms (one per capability and per enabler) are written by
``LevelRationaleForm.level_field`` / ``rationale_field`` instead of ``|as_crispy_field``. These tests
render each field both ways and compare the HTML: empty, with a saved level, and with errors.
"""

import pytest
from django.template import Context, Template
from django.test.html import parse_html

from reports.forms import EnablerScoreForm, ValidatedLevelForm

CRISPY = Template("{% load crispy_forms_tags %}{{ field|as_crispy_field }}")


def crispy_markup(form, name):
    return parse_html(CRISPY.render(Context({"field": form[name]})))


def lean_markup(form, name):
    return parse_html(str(getattr(form, f"{name}_field")()))


FORMS = {
    "empty": lambda cls: cls(prefix="v3"),
    "saved": lambda cls: cls(prefix="v3", initial={"level": 2, "rationale": 'Decree <12> & "annex"'}),
    "level zero": lambda cls: cls(prefix="e7", initial={"level": 0, "rationale": "None yet."}),
    "posted": lambda cls: cls({"v3-level": "4", "v3-rationale": "Evidence in the file."}, prefix="v3"),
    "errors": lambda cls: cls({"v3-level": "9", "v3-rationale": "x" * 5001}, prefix="v3"),
    "no rationale": lambda cls: cls({"v3-level": "3", "v3-rationale": ""}, prefix="v3"),
}


@pytest.mark.parametrize("cls", [ValidatedLevelForm, EnablerScoreForm])
@pytest.mark.parametrize("case", FORMS)
@pytest.mark.parametrize("name", ["level", "rationale"])
def test_the_lean_field_is_crispys_markup(cls, case, name):
    form = FORMS[case](cls)
    if form.is_bound:
        form.is_valid()
    assert lean_markup(form, name) == crispy_markup(form, name)


def test_the_errors_are_shown_on_the_fields_that_have_them():
    form = ValidatedLevelForm({"v3-level": "3", "v3-rationale": ""}, prefix="v3")
    assert not form.is_valid()
    assert "is-invalid" in form.rationale_field() and "invalid-feedback" in form.rationale_field()
    assert "is-invalid" not in form.level_field()
    assert 'value="3" selected' in form.level_field()
