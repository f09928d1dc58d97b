"""Make the demo certificate authority and a signing certificate per department (demo and tests only)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from licences.pki import demo_pki
from licences.signing import signing_dir
from portal.models import Department


class Command(BaseCommand):
    help = "Create a demo CA and department signing certificates in LICENCE_SIGNING_DIR (not for production)."

    def add_arguments(self, parser):
        parser.add_argument("--replace", action="store_true", help="issue new certificates for every department")

    def handle(self, *args, **options):
        directory = Path(signing_dir())
        made = demo_pki(directory, Department.objects.filter(is_active=True), replace=options["replace"])
        self.stdout.write(f"demo PKI in {directory}: {made} department certificate(s) issued")
