from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from applications.demo import seed_intake
from applications.demo_queue import seed_queue
from approvals.demo import seed_review
from approvals.demo_licences import seed_business_licence, seed_licences
from items.demo import seed_catalogue
from portal.demo import DEMO_PASSWORD, seed_demo
from portal.models import User


class Command(BaseCommand):
    help = "Load the demo departments, work calendar, logins (one per role) and catalogue; idempotent."

    def handle(self, *args, **options):
        if not settings.PORTAL_DEMO_DATA:
            raise CommandError("Demo data is disabled in these settings (PORTAL_DEMO_DATA is off).")
        logins = seed_demo()
        # Edited by one catalogue administrator, reviewed by the other (four eyes).
        added = seed_catalogue(editor=User.objects.get(username="demo_catalogue"),
                               reviewer=User.objects.get(username="demo_catalogue2"))
        if added:
            self.stdout.write(f"Demo catalogue: {added} items published.")
        slots = seed_queue()
        if slots:
            self.stdout.write(f"Demo hall: {slots} appointment slots made.")
        # Before the demo filings: the enterprise's 营业执照 is then taken from its licence library.
        seed_business_licence()
        filed = seed_intake()
        if filed:
            self.stdout.write(f"Demo intake: {filed} applications filed.")
        reviewed = seed_review()
        if reviewed:
            self.stdout.write(f"Demo review: {reviewed} cases opened (B岗 of demo_reviewer: demo_reviewer2; "
                              "the other departments of the restaurant bundle: demo_reviewer_<department code>).")
        issued = seed_licences()
        if issued:
            self.stdout.write(f"Demo licences: {issued} issued and signed with the demo CA in LICENCE_SIGNING_DIR "
                              "(verify one at /licences/verify/ or by its QR code).")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD}):"))
        for login in logins:
            self.stdout.write(f"  {login.role:<22} {login.username:<18} {login.display_name}")
