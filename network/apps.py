from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = _("Learning network")

    def seed_demo(self, *, country, coordinator, orgs):
        """The demo network (a region, demo countries that consented, a secretariat login, the library)."""
        from .demo import seed_demo_network

        return seed_demo_network(country=country, coordinator=coordinator)

    def report_sections(self, *, cycle, data):
        """The gap report's section linking the library's entries for the priority capabilities."""
        from .report import report_sections

        return report_sections(cycle=cycle, data=data)

    def report_section_docx(self, *, document, section):
        """The library chapter of the Word gap report; False for a section that is not this app's."""
        from .report import TEMPLATE, write_docx

        if section.get("template") != TEMPLATE:
            return False
        write_docx(document, section["data"])
        return True

    def capability_resources(self, *, numbers):
        """The library's published entries on each capability, for the action plan's suggestions."""
        from .report import library_links

        return library_links(numbers)
