"""What the donations app adds to other apps' admin forms (see ``DonationsConfig.ready``)."""

from django.utils.translation import gettext_lazy as _

from core.admin_languages import TranslatedTabularInline

from .models import SuggestedAmount


class SuggestedAmountInline(TranslatedTabularInline):
    """The pledge form's suggested amounts, written by editors on the project form."""

    model = SuggestedAmount
    extra = 0
    fields = ("amount", "impact", "order")
    verbose_name_plural = _("suggested amounts on the pledge form")
