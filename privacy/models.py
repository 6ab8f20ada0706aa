"""The register of confidentiality incidents that Québec's Law 25 requires.

Every incident involving personal information is recorded, whatever its risk, with what
the Regulation respecting confidentiality incidents asks for (section 11). Entries are
kept at least five years after the organisation learned of the incident.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ConfidentialityIncident(models.Model):
    class Risk(models.TextChoices):
        BEING_ASSESSED = "assessing", _("Being assessed")
        SERIOUS = "serious", _("Risk of serious injury")
        NOT_SERIOUS = "not_serious", _("No risk of serious injury")

    occurred_from = models.DateField(
        _("incident date (or first day)"),
        null=True,
        blank=True,
        help_text=_(
            "The day of the incident. If the exact day is unknown, the first day of the "
            "period when it happened; leave empty if even that is unknown."
        ),
    )
    occurred_until = models.DateField(
        _("last day of the period"),
        null=True,
        blank=True,
        help_text=_("When only a period is known, its last day."),
    )
    learned_on = models.DateField(
        _("date we learned of it"),
        help_text=_("The day the organisation became aware of the incident."),
    )
    description = models.TextField(
        _("description of the incident"),
        help_text=_("What happened, briefly: the circumstances and the cause if known."),
    )
    information_concerned = models.TextField(
        _("personal information concerned"),
        help_text=_(
            "Which personal information was accessed, used, disclosed or lost; if it cannot "
            "be described, say why."
        ),
    )
    people_affected = models.PositiveIntegerField(
        _("number of people affected"),
        null=True,
        blank=True,
        help_text=_("How many people the information is about; leave empty if unknown."),
    )
    people_affected_is_estimate = models.BooleanField(_("the number is an estimate"), default=False)
    sensitivity = models.TextField(
        _("sensitivity of the information"),
        blank=True,
        help_text=_("Risk factor: how sensitive the information concerned is."),
    )
    anticipated_consequences = models.TextField(
        _("anticipated consequences"),
        blank=True,
        help_text=_("Risk factor: what harm its use could cause the people concerned."),
    )
    likelihood_of_misuse = models.TextField(
        _("likelihood of misuse"),
        blank=True,
        help_text=_("Risk factor: how likely it is that the information will be misused."),
    )
    risk = models.CharField(
        _("risk of serious injury"),
        max_length=12,
        choices=Risk.choices,
        default=Risk.BEING_ASSESSED,
        help_text=_(
            "The conclusion drawn from the three factors above. A risk of serious injury "
            "must be reported promptly to the Commission and to the people concerned."
        ),
    )
    measures_taken = models.TextField(
        _("measures taken"),
        blank=True,
        help_text=_("What was done to reduce the risk of injury and to prevent a new incident."),
    )
    commission_notified_on = models.DateField(
        _("Commission notified on"),
        null=True,
        blank=True,
        help_text=_(
            "When the Commission d'accès à l'information was notified; empty if it was not."
        ),
    )
    people_notified_on = models.DateField(
        _("people concerned notified on"),
        null=True,
        blank=True,
        help_text=_("When the people concerned were notified; empty if they were not."),
    )
    people_notified_how = models.TextField(
        _("how the people were notified"),
        blank=True,
        help_text=_("For example by email or letter; for a public notice, say why one was used."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-learned_on", "-pk"]
        verbose_name = _("confidentiality incident")
        verbose_name_plural = _("confidentiality incidents")
        constraints = [
            models.CheckConstraint(
                condition=Q(occurred_until__isnull=True)
                | Q(occurred_from__isnull=True)
                | Q(occurred_until__gte=F("occurred_from")),
                name="incident_period_in_order",
                violation_error_message=_("The last day of the period comes before its first day."),
            ),
            models.CheckConstraint(
                condition=Q(people_notified_on__isnull=True) | ~Q(people_notified_how=""),
                name="incident_notice_says_how",
                violation_error_message=_("Say how the people concerned were notified."),
            ),
        ]

    def __str__(self):
        return _("Incident learned of on %(date)s") % {"date": self.learned_on}

    def get_absolute_url(self):
        return reverse("admin:privacy_confidentialityincident_change", args=[self.pk])
