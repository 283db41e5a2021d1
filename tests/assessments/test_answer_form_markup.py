"""The answer form's lean template writes the markup crispy-forms wrote for it.

The capability page renders the answer form through templates/assessments/_answer_fields.html rather
than crispy-forms (one form per indicator made crispy most of the page's cost). These tests render the
same form both ways and compare the HTML, unbound, with a saved answer, and with errors on each field.
"""

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout
from crispy_forms.utils import render_crispy_form
from django.template.loader import render_to_string
from django.test.html import parse_html

from assessments.forms import AnswerForm
from capabilities.queries import framework_tree

pytestmark = pytest.mark.django_db


def crispy_markup(form):
    """The form as ``{% crispy form %}`` rendered it, with the helper the form used to carry."""
    helper = FormHelper(form)
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = Layout(Field("choice", wrapper_class="level-choices"), Field("evidence"), Field("comment"))
    return render_crispy_form(form, helper)


def lean_markup(form):
    return render_to_string("assessments/_answer_fields.html", {"form": form, "answer": form.answer})


def forms_for(answer, data=None):
    tree = framework_tree(answer.submission.cycle.framework_version)
    answer.indicator = tree.indicators[answer.indicator_id]
    if data is None:
        return AnswerForm(answer=answer, levels=tree.levels)
    return AnswerForm(data, answer=answer, levels=tree.levels)


def assert_same_markup(form):
    assert parse_html(lean_markup(form)) == parse_html(crispy_markup(form))


def test_an_unanswered_form_has_crispys_markup(answer):
    assert_same_markup(forms_for(answer))


def test_a_saved_answer_shows_its_choice_and_texts_as_crispy_did(answer):
    answer.choice, answer.evidence, answer.comment = "dk", "Law 12 <art. 3> & decree", "Line one\nline two"

    form = forms_for(answer)

    assert_same_markup(form)
    assert "Law 12 &lt;art. 3&gt; &amp; decree" in lean_markup(form)


@pytest.mark.parametrize(
    "errors",
    [
        {"evidence": "Describe what shows it."},
        {"choice": "Choose one of the levels."},
        {"comment": "Too long."},
        {None: "Someone else changed it."},
    ],
)
def test_errors_are_marked_up_as_crispy_did(answer, errors):
    prefix = f"a{answer.pk}"
    form = forms_for(answer, {f"{prefix}-choice": "4", f"{prefix}-evidence": "", f"{prefix}-comment": "x"})
    assert form.is_valid()
    for field, message in errors.items():
        form.add_error(field, message)

    assert_same_markup(form)
