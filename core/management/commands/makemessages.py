"""Django's makemessages, without gettext's guesses for new messages."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    # msgmerge gives a new message the text of a similar old one, marked "fuzzy": the
    # English catalogue had "amount" translated as "country", and msgen never fixes a
    # message that already has a text. A new message starts empty instead.
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
