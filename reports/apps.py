from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def seed_demo(self, *, country, coordinator, orgs):
        """A public summary of the demo's open cycle as a Word document, ready on its report page, and
        three years of outcome figures for the demo country."""
        from .demo import seed, seed_demo_reports

        seed(country=country, coordinator=coordinator)
        seed_demo_reports(country=country, coordinator=coordinator)
