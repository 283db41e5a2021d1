from django.apps import AppConfig


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = "REST API"

    def seed_demo(self, *, country, coordinator, orgs):
        """Called by ``seed_demo`` (assessments) after the demo accounts exist."""
        from .demo import seed_demo_tokens

        seed_demo_tokens()

    def ready(self):
        from . import schema  # noqa: F401  (registers the token authentication with the schema generator)
