from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = _("Evidence")

    def seed_demo(self, *, country, coordinator, orgs):
        """A few documents and links for Demoland, called by ``seed_demo`` (assessments) after the cycles exist."""
        from .demo import seed_demo_evidence

        seed_demo_evidence(country=country, coordinator=coordinator, orgs=orgs)
