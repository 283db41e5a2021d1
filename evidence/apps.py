from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = _("Evidence")

    def seed_demo(self, *, country, coordinator, orgs):
        """A few documents and links for Demoland, called by ``seed_demo`` (assessments) after the cycles exist."""
        from .demo import seed_demo_evidence

        seed_demo_evidence(country=country, coordinator=coordinator, orgs=orgs)

    def report_sections(self, *, cycle, data):
        """The gap report's list of the evidence behind each capability, asked for by reports."""
        from .report import report_sections

        return report_sections(cycle=cycle, data=data)

    def report_section_docx(self, *, document, section):
        """The evidence chapter of the Word gap report; False for a section that is not this app's."""
        from .report import TEMPLATE, write_docx

        if section.get("template") != TEMPLATE:
            return False
        write_docx(document, section["data"])
        return True

    def answers_carried(self, *, answers, by, now):
        """Answers pre-filled from the last cycle keep their documents and links (called by assessments.carry)."""
        from .services import attachments_carry_forward

        attachments_carry_forward(answers=answers, by=by, now=now)
