"""The plan's two charts with their labels in the active language (page) or the report language (PDF)."""

from django.utils import formats, timezone
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

from . import charts, queries
from .money import money as money_text


def plan_charts(plan, actions, domains, *, today=None):
    today = today or timezone.localdate()
    rtl = get_language_bidi()
    rows = queries.timeline_rows(actions)
    money = [
        (d.code, d.name, m.cost, m.funded) for d, m in queries.domain_money(actions, domains) if m.cost or m.funded
    ]
    return {
        "timeline_chart": charts.timeline(
            rows,
            today=today,
            title=_("Timeline of the actions by capability, with today's date"),
            today_label=_("today"),
            overdue_label=_("overdue"),
            rtl=rtl,
            month_format=lambda m: formats.date_format(m, "M Y"),
        )
        if rows
        else "",
        "funding_chart": charts.funding(
            money,
            currency=plan.currency,
            title=_("Estimated cost and funded amount per domain"),
            cost_label=_("estimated cost"),
            funded_label=_("funded"),
            rtl=rtl,
            amount_format=money_text,
        )
        if money
        else "",
    }
