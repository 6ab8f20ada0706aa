"""Write the IATI data of the published projects, or say why it cannot."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from iati.export import serialise
from iati.publish import export
from iati.validation import schema_problems


class Command(BaseCommand):
    help = (
        "Write the IATI 2.03 activities of every published project (standard output, or "
        "--output FILE). Each is checked against the IATI schema, the Standard Ruleset and "
        "the codelists; if any fails, the problems are listed, nothing is written and the "
        "command exits with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help="File to write (default: standard output).")

    def handle(self, *args, output=None, **options):
        with translation.override("en"):
            result = export()
            for name, ids in sorted(result.unimplemented.items()):
                self.stderr.write(f"Rule type {name} not checked: {', '.join(sorted(ids))}")
            failed = False
            for project, report in result.reports:
                for problem in report.problems:
                    self.stderr.write(
                        f"{report.identifier} (project {project.pk}, {project}): "
                        f"{problem.severity} {problem}"
                    )
                failed = failed or not report.is_valid
            # The valid activities together: the whole file must follow the schema too.
            whole = schema_problems(result.document)
            for problem in whole:
                self.stderr.write(f"file: {problem}")
            if failed or whole:
                invalid = len(result.invalid)
                raise CommandError(
                    f"{invalid} of {len(result.reports)} activities fail IATI validation; "
                    "nothing written."
                )
        data = serialise(result.document)
        if output:
            Path(output).write_bytes(data)
            self.stderr.write(f"{len(result.reports)} activities written to {output}.")
        else:
            self.stdout.write(data.decode("utf-8"), ending="")
