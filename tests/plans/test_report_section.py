"""The gap report's plan section: priorities → actions → cost, and across cycles "did it work?".

reports asks every AppConfig with ``report_sections`` for extra data when a report job freezes its data
(reports never imports plans); the PDF includes the template each section names.
Priorities of the seeded cycle (tests/reports/conftest.py): capabilities 3, 4, 1 (all of the tiny framework).
"""

import io
import json
from decimal import Decimal

import pytest
from docx import Document

from capabilities.models import Capability
from plans import services
from reports.consolidation import ALL_SECTIONS, public_view
from reports.docx import render_report_docx
from reports.models import ValidatedLevel
from reports.pdf import render_report_html
from reports.services import report_job_request

from .conftest import add_action
from .test_across_cycles import last_years_plan  # noqa: F401

pytestmark = pytest.mark.django_db


def frozen(cycle, by, language=None):
    job, created = report_job_request(cycle=cycle, by=by, language=language)
    assert created
    job.refresh_from_db()  # what the database holds: JSON, no Decimal left
    return job.data


def test_the_gap_report_freezes_priorities_actions_and_cost_with_exact_totals(plan, coordinator, organisation):
    law = add_action(plan, coordinator, number=3, cost="1000.50", lead=organisation, title="Draft the law")
    services.funding_add(action=law, source="donor", funder="Fund X", amount=Decimal("250.25"), by=coordinator)
    add_action(plan, coordinator, number=1, cost="2000", title="Fund the council")
    add_action(plan, coordinator, number=1, cost="99.99", title="Train the council")
    dropped = add_action(plan, coordinator, number=4, cost="5000", title="Build a lab")
    services.action_update(
        action=dropped, base_version=dropped.version, by=coordinator, status="dropped", status_reason="No donor."
    )

    data = frozen(plan.cycle, coordinator)

    json.dumps(data)
    (section,) = data["sections"]
    assert section["template"] == "plans/report_section.html" and section["data"]["did_it_work"] is None
    part = section["data"]["plan"]
    assert [(p["rank"], p["capability"], p["level_gap"], p["cost"], p["funded"]) for p in part["priorities"]] == [
        (1, 3, 2.0, "1000.50", "250.25"),
        (2, 4, 1.7, "0.00", "0.00"),  # the dropped lab leaves the totals
        (3, 1, 1.5, "2099.99", "0.00"),
    ]
    assert part["priorities"][0]["actions"][0] == {
        "title": "Draft the law",
        "status": "planned",
        "status_label": "Planned",
        "lead": organisation.name,
        "due_on": None,
        "cost": "1000.50",
        "funded": "250.25",
    }
    assert part["others"] == {"n": 0, "cost": "0.00", "funded": "0.00", "gap": "0.00"}  # every capability is a priority
    assert part["totals"] == {"n": 4, "cost": "3100.49", "funded": "250.25", "gap": "2850.24"}

    html = render_report_html(data)
    assert html.count('id="plan-priorities"') == 1 and 'id="plan-did-it-work"' not in html
    assert "Estimated cost EUR 3,100.49, funded EUR 250.25: funding gap EUR 2,850.24." in html
    assert (
        "Draft the law" in html and '<bdi>Build a lab</bdi><br><span class="muted">Dropped</span>' in html
    )  # listed, not counted


def test_the_section_is_frozen_and_rendered_in_arabic(plan, coordinator):
    add_action(plan, coordinator, number=3, cost="1140000", title="Draft the law")

    data = frozen(plan.cycle, coordinator, language="ar")

    assert data["sections"][0]["data"]["plan"]["priorities"][0]["actions"][0]["status_label"] == "مخطط له"
    html = render_report_html(data)
    assert "الأولويات والإجراءات والتكلفة" in html and "1.140.000,00" in html


def test_the_next_cycles_report_calls_out_actions_done_and_level_unchanged(
    last_years_plan,  # noqa: F811
    seeded_cycle,
    coordinator,
):
    ValidatedLevel.objects.create(
        cycle=seeded_cycle,
        capability=Capability.objects.get(version=seeded_cycle.framework_version, number=1),
        level=1,
        rationale="The council still has no budget in practice.",
        set_by=coordinator,
    )

    data = frozen(seeded_cycle, coordinator)  # this cycle has no plan of its own yet

    (section,) = data["sections"]
    assert section["data"]["plan"] is None
    worked = section["data"]["did_it_work"]
    assert (worked["cycle"], worked["flagged"]) == ("National assessment 2025", 1)
    rows = {r["number"]: r for r in worked["rows"]}
    assert (rows[1]["done"], rows[1]["previous"], rows[1]["level"], rows[1]["spent"], rows[1]["flag"]) == (
        1,
        1.0,
        1,
        "5000.00",
        True,
    )
    assert (rows[3]["done"], rows[3]["delta"], rows[3]["flag"]) == (1, 1.0, False)  # the level rose
    assert (rows[4]["done"], rows[4]["not_done"], rows[4]["flag"]) == (0, 1, False)  # nothing done yet
    html = render_report_html(data)
    assert 'id="plan-did-it-work"' in html and 'id="plan-priorities"' not in html
    assert html.count("Actions done, level unchanged") == 1 and "<bdi>Fund the council</bdi> · Done" in html


def test_a_cycle_without_a_plan_has_no_section(seeded_cycle, coordinator):
    data = frozen(seeded_cycle, coordinator)

    assert data["sections"] == []
    html = render_report_html(data)
    assert "Priorities, actions and cost" not in html and "Actions since the last cycle" not in html


def test_an_earlier_report_frozen_without_sections_still_renders(seeded_cycle, coordinator):
    data = frozen(seeded_cycle, coordinator)
    del data["sections"]

    assert "Priorities, actions and cost" not in render_report_html(data)


def docx_text(data):
    doc = Document(io.BytesIO(render_report_docx(data)))
    return "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])


def test_the_word_report_carries_the_plan_section_and_the_public_summary_does_not(plan, coordinator, organisation):
    add_action(plan, coordinator, number=3, cost="1000.50", lead=organisation, title="Draft the law")

    data = frozen(plan.cycle, coordinator)
    text = docx_text(data)

    assert "Priorities, actions and cost" in text
    assert f"Draft the law — Planned · {organisation.name}" in text
    assert "Estimated cost EUR 1,000.50, funded EUR 0.00: funding gap EUR 1,000.50." in text
    public = docx_text(public_view(data, list(ALL_SECTIONS)))
    assert "Priorities, actions and cost" not in public and organisation.name not in public


def test_the_word_report_carries_did_it_work_in_arabic(last_years_plan, seeded_cycle, coordinator):  # noqa: F811
    text = docx_text(frozen(seeded_cycle, coordinator, language="ar"))

    assert "Fund the council" in text
    assert "الإجراءات منذ الدورة السابقة والتغيّر في المستوى" in text
