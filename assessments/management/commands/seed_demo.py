from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

DEMO_PASSWORD = "demo-mnr-2026"  # noqa: S105 - printed demo credential, refused when DEBUG is off


class Command(BaseCommand):
    help = "Create demo users (development only) and print their logins. Safe to run twice."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo creates accounts with a published password; it runs only with DEBUG=1.")
        User = get_user_model()
        admin, created = User.objects.get_or_create(
            username="admin",
            defaults={
                "is_staff": True,
                "is_superuser": True,
                "first_name": "Framework",
                "last_name": "Admin",
                "email": "admin@example.org",
            },
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save(update_fields=["password"])
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        self.stdout.write("  admin          framework admin (Django admin at /admin/)")
