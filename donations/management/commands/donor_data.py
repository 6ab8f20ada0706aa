"""Carry out a donor's request about their data: export it (JSON) or erase their identity."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from donations.donor_rights import erase_donor_data, export_donor_data, given_under


class Command(BaseCommand):
    help = (
        "Export everything held about an email address (JSON), or erase the donor's identity "
        "from every sponsorship (amounts are kept). Both are logged as donor data requests."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "erase"])
        parser.add_argument("email")
        parser.add_argument("--output", help="Write the export to this file instead of stdout.")
        parser.add_argument(
            "--no-input", action="store_false", dest="interactive", help="Erase without asking."
        )

    def handle(self, *args, action, email, output=None, interactive=True, **options):
        try:
            validate_email(email.strip())
        except ValidationError:
            raise CommandError(f"Not an email address: {email!r}") from None
        if action == "export":
            data = export_donor_data(email, via="command")
            text = json.dumps(data, ensure_ascii=False, indent=2)
            if output:
                with open(output, "w", encoding="utf-8") as file:
                    file.write(text + "\n")
                self.stderr.write(f"Written to {output}")
            else:
                self.stdout.write(text)
            return
        references = given_under(email)
        if interactive:
            answer = input(
                f"Erase the donor's identity from {len(references)} sponsorship(s) "
                f"({' '.join(references) or '-'})? This cannot be undone. Type 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing erased.")
        data_request = erase_donor_data(email, via="command")
        erased = data_request.references.split()
        self.stdout.write(
            self.style.SUCCESS(
                f"Identity erased from {len(erased)} sponsorship(s): {' '.join(erased) or '-'}"
            )
        )
