"""Report figures and dates as printed: rounded once, signed without "−0.0", in the report's language."""

from datetime import date

import pytest
from django.utils import translation

from reports import formatting

LRI, PDI = "\u2066", "\u2069"


@pytest.fixture(autouse=True)
def _english():
    """These tests read figures in English unless they say otherwise, whatever ran before them."""
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("value", "expected"),
    [(2.65, "2.7"), (1.25, "1.3"), (-0.04, "0.0"), (3, "3.0"), (None, "–"), ("", "–")],
)
def test_a_level_is_printed_with_one_decimal_rounded_half_up_and_never_minus_zero(value, expected):
    assert formatting.number(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.5, "+0.5"), (-0.3, "\u22120.3"), (-0.04, "0.0"), (0.04, "0.0"), (0, "0.0")],
)
def test_a_change_carries_its_sign_but_zero_has_none(value, expected):
    assert formatting.signed(value) == f"{LRI}{expected}{PDI}"
    assert formatting.signed(None) == "–"


def test_a_gap_below_target_is_the_shortfall_and_above_target_says_meets_target_and_by_how_much():
    assert formatting.gap(0.4) == "0.4"
    assert formatting.gap(0) == "meets target"
    assert formatting.gap(-0.04) == "meets target"  # printed 0.0: no "−0.0" and no surplus
    assert formatting.gap(-0.2) == f"meets target, {LRI}+0.2{PDI}"
    assert formatting.gap(None) == "–"


def test_numbers_use_the_languages_decimal_separator():
    with translation.override("fr"):
        assert formatting.number(2.65) == "2,7"
        assert formatting.gap(-0.2) == f"cible atteinte, {LRI}+0,2{PDI}"
    with translation.override("ar"):
        assert formatting.number(1.5) == "1,5"


def test_dates_are_written_in_the_language():
    day = date(2026, 3, 4)
    with translation.override("en"):
        assert formatting.day(day) == "March 4, 2026"
        assert formatting.moment("2026-03-04T10:15:00+00:00") == "March 4, 2026, 10:15 UTC"
    with translation.override("fr"):
        assert formatting.day("2026-03-04") == "4 mars 2026"
    with translation.override("es"):
        assert formatting.day(day) == "4 de marzo de 2026"
    with translation.override("ar"):
        # Arabic month name, Arabic comma, and "UTC" said in Arabic: the line reads right to left as a whole.
        assert formatting.day(day) == "4 مارس، 2026"
        assert formatting.moment("2026-03-04T10:15:00+00:00") == "4 مارس، 2026، الساعة 10:15 بالتوقيت العالمي"


def test_isolated_text_takes_the_direction_of_its_first_strong_letter_and_stays_escaped():
    from reports.templatetags.mnr_reports import isolate

    assert isolate("Decree 12/2024.") == '<span dir="ltr">Decree 12/2024.</span>'
    assert isolate("12. قانون") == '<span dir="rtl">12. قانون</span>'
    assert isolate("12–14") == "12–14"
    assert isolate("<b>x</b>") == '<span dir="ltr">&lt;b&gt;x&lt;/b&gt;</span>'
    assert isolate("") == ""
