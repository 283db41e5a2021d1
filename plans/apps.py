from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("National action plans")

    def seed_demo(self, *, country, coordinator, orgs):
        """Demoland's action plans, called by ``seed_demo`` (assessments) after the cycles exist."""
        from .demo import seed_demo_plan

        seed_demo_plan(country=country, coordinator=coordinator, orgs=orgs)

    def report_sections(self, *, cycle, data):
        """The gap report's section on the plan, asked for by reports when it freezes a report's data."""
        from .report import report_sections

        return report_sections(cycle=cycle, data=data)

    def report_section_docx(self, *, document, section):
        """The plan's section of the Word gap report; False for a section that is not the plan's."""
        from .report import TEMPLATE, write_docx

        if section.get("template") != TEMPLATE:
            return False
        write_docx(document, section["data"])
        return True
