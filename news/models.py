"""Field updates emailed to the supporters who asked for news, each at most once."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portfolio.models import ProjectUpdate


class Delivery(models.Model):
    """One field update emailed (or being emailed) to one supporter's mailbox.

    The row is written before the email leaves and is unique per update and mailbox, so
    no run of the sender, however many run at once, emails anyone twice. A send that
    failed is tried again by a later run; one whose outcome is unknown (the process
    stopped while sending) is not, since the email may have left.
    """

    class Status(models.TextChoices):
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    update = models.ForeignKey(
        ProjectUpdate,
        verbose_name=_("field update"),
        on_delete=models.CASCADE,
        related_name="news_deliveries",
    )
    mailbox = models.CharField(
        _("mailbox"),
        max_length=254,
        help_text=_("The address in its comparable form: one delivery per person."),
    )
    email = models.EmailField(_("email"))
    language = models.CharField(_("language"), max_length=5)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created on"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent on"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("news email")
        verbose_name_plural = _("news emails")
        constraints = [
            models.UniqueConstraint(fields=["update", "mailbox"], name="news_once_per_mailbox"),
            models.CheckConstraint(
                condition=Q(status__in=["sending", "sent", "failed"]), name="news_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="news_sent_has_date",
            ),
        ]

    def __str__(self):
        # Shown in admin logs: never the address.
        return f"{self.update_id}/{self.pk}"


class OptOut(models.Model):
    """A supporter's request to receive no more news (kept as the record of it)."""

    class Source(models.TextChoices):
        ONE_CLICK = "one-click", _("One-click unsubscribe from the email program")
        PAGE = "page", _("Unsubscribe page")

    mailbox = models.CharField(_("mailbox"), max_length=254, db_index=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    created_at = models.DateTimeField(_("on"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("unsubscription")
        verbose_name_plural = _("unsubscriptions")

    def __str__(self):
        return f"{self.get_source_display()} {self.created_at:%Y-%m-%d}"
