"""Editors' words for the IATI rules a project can break, in the interface's languages.

The Standard Ruleset's own messages are in English and speak of XML; these say what to
change in the project. A rule without an entry here shows the ruleset's message.
"""

from django.utils.translation import gettext_lazy as _

RULE_MESSAGES = {
    "1.1.3": _("The project's IATI identifier must differ from the organisation's identifier."),
    "1.1.21": _(
        "The project's IATI identifier must start with the organisation's IATI identifier "
        "followed by a hyphen."
    ),
    "1.3.1": _("The project's IATI identifier must not start or end with a space."),
    "1.3.13": _("The project's IATI identifier must not contain /, &, | or ?."),
    "1.14.1": _("The organisation's IATI identifier must not start or end with a space."),
    "1.14.8": _(
        "The organisation's IATI identifier must start with an approved agency prefix "
        "(IATI_REPORTING_ORG_REF setting)."
    ),
    "1.14.13": _("The organisation's IATI identifier must not contain /, &, | or ?."),
    "1.8.1": _("A partner's IATI organisation identifier must not start or end with a space."),
    "1.8.13": _("A partner's IATI organisation identifier must not contain /, &, | or ?."),
    "2.1.1": _("Each DAC sector code of the project's sector needs a share."),
    "2.1.2": _("The shares of the sector's DAC codes must add up to 100."),
    "2.1.4": _("A single DAC sector code must have a share of 100, or none."),
    "3.1.1": _("Each recipient country needs a share."),
    "3.1.2": _("The shares of the recipient countries must add up to 100."),
    "3.1.4": _("A single recipient country must have a share of 100, or none."),
    "3.7.1": _("Choose at least one region: IATI data must say which countries benefit."),
    "3.7.2": _("Choose at least one region: IATI data must say which countries benefit."),
    "4.1.1": _("Every text needs its language."),
    "4.3.1": _("The project needs a title."),
    "4.4.1": _("The project needs a summary or a story."),
    "6.2.2": _(
        "The project needs a sector with DAC sector codes (fill in the sector's "
        "DAC codes, e.g. 15180)."
    ),
    "6.10.1": _("Each partner needs a name or an IATI organisation identifier."),
    "6.11.1": _("The project needs a start date."),
    "7.5.3": _("A budget period must last no more than a year."),
    "7.8.1": _("Every amount needs its currency."),
    "8.6.3": _("A budget period must end after it starts."),
    "11.1.1": _("The date of the last change is in the future."),
    "11.1.2": _("The planned end date must come after the planned start date."),
    "11.1.3": _("The end date must come after the start date."),
    "11.1.4": _("The actual start date must not be in the future."),
    "11.1.5": _("The actual end date must not be in the future."),
    "11.2.1": _("A gift is recorded as received on a date still to come."),
    "11.2.2": _("A gift is recorded as received on a date still to come."),
    "12.3.1": _("A DAC sector code's share must be between 0 and 100."),
}
