from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def seed_demo(self, *, country, coordinator, orgs):
        """Three years of outcome figures for the demo country (``seed_demo``)."""
        from .demo import seed

        seed(country=country, coordinator=coordinator)
