from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Load the demo departments, work calendar and one login per role (idempotent), and print the logins."

    def handle(self, *args, **options):
        if not settings.PORTAL_DEMO_DATA:
            raise CommandError("Demo data is disabled in these settings (PORTAL_DEMO_DATA is off).")
        logins = seed_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD}):"))
        for login in logins:
            self.stdout.write(f"  {login.role:<22} {login.username:<18} {login.display_name}")
