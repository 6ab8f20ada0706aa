"""Web addresses that stored data may link to: ``http`` and ``https`` only.

A ``javascript:`` or ``data:`` address runs code when a visitor follows it. Three guards,
so that neither an import nor a shell session nor a bug in one of them lets one through:
the form's validator (a friendly error), a database constraint (every write path, bulk
ones included), and ``safe_web_address`` when a page links to it.
"""

from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

WEB_SCHEMES = ("http", "https")
INVALID = _("Enter a web address starting with http:// or https://.")


def is_web_address(value) -> bool:
    """Return True if ``value`` is an address starting with http:// or https://.

    Nothing is stripped first: browsers drop leading spaces and control characters,
    so an address with any is refused rather than guessed at.
    """
    return isinstance(value, str) and value.lower().startswith(
        tuple(f"{scheme}://" for scheme in WEB_SCHEMES)
    )


def safe_web_address(value) -> str:
    """Return ``value`` if a page may link to it, else an empty string."""
    return value if is_web_address(value) else ""


def web_address_condition(field_name: str) -> Q:
    """The check constraint of a web address column: empty, or http(s)."""
    return (
        Q(**{field_name: ""})
        | Q(**{f"{field_name}__istartswith": "http://"})
        | Q(**{f"{field_name}__istartswith": "https://"})
    )


def web_address_constraint(field_name: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=web_address_condition(field_name),
        name=name,
        violation_error_message=INVALID,
    )


class WebAddressField(models.URLField):
    """A URLField that accepts only http and https addresses.

    Pair it with ``web_address_constraint`` in the model's ``Meta.constraints``.
    """

    default_validators = [URLValidator(schemes=list(WEB_SCHEMES), message=INVALID)]

    def formfield(self, **kwargs):
        kwargs["error_messages"] = {"invalid": INVALID} | kwargs.get("error_messages", {})
        field = super().formfield(**kwargs)
        # The form field's own validator allows ftp; keep only ours, so one message shows.
        field.validators = [v for v in field.validators if not isinstance(v, URLValidator)]
        field.validators.extend(self.default_validators)
        return field
