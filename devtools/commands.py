"""What every developer command shares: it refuses to run where production settings are."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class DeveloperCommand(BaseCommand):
    """A command that writes synthetic data or loads servers: for development only.

    With ``DEBUG`` off (the production setting) it stops before touching anything, unless
    given ``--force``: ``manage.py bench`` passes it to the commands it runs against its
    own benchmark databases, whose servers run with production settings.
    """

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off; only against a throwaway database.",
        )
        return parser

    def execute(self, *args, **options):
        if not settings.DEBUG and not options.get("force"):
            command = self.__module__.rsplit(".", 1)[-1]
            database = settings.DATABASES["default"].get("NAME") or "?"
            raise CommandError(
                f"{command} is a developer tool and DEBUG is off, as in production (database "
                f"{database}). Run it with DEBUG=true on a development database, or pass "
                "--force if this database and cache are throwaway ones."
            )
        return super().execute(*args, **options)
