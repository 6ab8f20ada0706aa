"""Pledges (sponsorships), the money received against them (gifts), and their bookkeeping.

A sponsorship is a donor's promise. It counts publicly once the donor confirmed it by
email; money counts once the finance team recorded a gift. Identity and amounts are kept
apart so that erasing a donor keeps the books whole.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, ProtectedError, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.pagecache import FundingQuerySet
from portfolio.models import Project

# The database refuses anything above this, whatever the settings say; the settings' limits
# must lie within it (checked at start-up, see donations.checks).
AMOUNT_CEILING = Decimal("1000000")
CONFIRMATION_SALT = "donations.sponsorship.confirm"


def money_field(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=10, decimal_places=2, **kwargs)


class SuggestedAmount(models.Model):
    """An amount offered on a project's pledge form, with what it makes possible."""

    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="suggested_amounts",
    )
    amount = money_field(_("amount (CAD)"))
    impact = models.CharField(
        _("impact statement"),
        max_length=200,
        help_text=_(
            'What this amount makes possible, e.g. "school supplies for a girl for a year"; '
            "200 characters."
        ),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = FundingQuerySet.as_manager()

    class Meta:
        ordering = ["order", "amount"]
        verbose_name = _("suggested amount")
        verbose_name_plural = _("suggested amounts")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(amount__lte=AMOUNT_CEILING),
                name="suggested_amount_positive",
                violation_error_message=_("The amount must be positive."),
            ),
            models.UniqueConstraint(
                fields=["project", "amount"],
                name="one_suggestion_per_amount_per_project",
                violation_error_message=_("This amount is already suggested for this project."),
            ),
        ]

    def __str__(self):
        return f"{self.amount} — {self.impact}"

    def clean(self):
        if self.amount is not None and not (
            settings.PLEDGE_MIN_AMOUNT <= self.amount <= settings.PLEDGE_MAX_AMOUNT
        ):
            raise ValidationError(
                {
                    "amount": _("Suggest an amount between %(min)s and %(max)s.")
                    % {"min": settings.PLEDGE_MIN_AMOUNT, "max": settings.PLEDGE_MAX_AMOUNT}
                }
            )


class YearCounter(models.Model):
    """The last number given in a year, for numbers unique and without gaps.

    Its row is locked while a number is taken, inside the transaction that stores what
    it numbers: concurrent takers wait for each other, and one rolled back gives its
    number back.
    """

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.year}: {self.last_number}"

    @classmethod
    def take(cls, year: int, count: int = 1) -> range:
        """Reserve ``count`` consecutive numbers for ``year`` and return them.

        The UPDATE comes first: it locks the row (PostgreSQL) or the database (SQLite)
        until the surrounding transaction ends, so the value read after it is ours alone.
        """
        with transaction.atomic():
            bumped = cls.objects.filter(year=year).update(last_number=F("last_number") + count)
            if not bumped:
                try:
                    with transaction.atomic():
                        cls.objects.create(year=year, last_number=count)
                except IntegrityError:
                    # Another taker opened the year first; its row now exists.
                    cls.objects.filter(year=year).update(last_number=F("last_number") + count)
            last = cls.objects.values_list("last_number", flat=True).get(year=year)
        return range(last - count + 1, last + 1)


class ReferenceCounter(YearCounter):
    """The last sponsorship number given in a year (see ``YearCounter``)."""

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")


def format_reference(year: int, number: int) -> str:
    return f"SP-{year}-{number:06d}"


class DonorQuerySet(models.QuerySet):
    def for_email(self, email: str):
        """Return the donor known under this address (any case), as a queryset."""
        email = (email or "").strip()
        if not email:
            return self.none()
        # Compared the way the unique index stores it, so that PostgreSQL can use it.
        return self.alias(email_key=Lower("email")).filter(email_key=Lower(models.Value(email)))


class Donor(models.Model):
    """A person who gives: found by their email address, whatever its case.

    The pledges keep what the donor typed on each form; the donor holds what the finance
    team needs for receipts (postal address, receipt preference) and the consents.
    """

    class ReceiptPreference(models.TextChoices):
        PER_GIFT = "per_gift", _("A receipt for each gift")
        ANNUAL = "annual", _("One receipt a year")

    email = models.EmailField(_("email"), blank=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    street = models.CharField(_("street address"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    province = models.CharField(
        _("province or state"), max_length=100, blank=True, help_text=_("For example QC.")
    )
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True, default="Canada")
    language = models.CharField(
        _("language"),
        max_length=5,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("Emails and receipts for this donor use this language."),
    )
    receipt_preference = models.CharField(
        _("receipts"),
        max_length=10,
        choices=ReceiptPreference.choices,
        default=ReceiptPreference.PER_GIFT,
    )
    news_opt_in = models.BooleanField(_("wants news by email"), default=False)
    created_at = models.DateTimeField(_("known since"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    erased_at = models.DateTimeField(_("identity erased on"), null=True, blank=True, editable=False)

    objects = DonorQuerySet.as_manager()

    IDENTITY_FIELDS = ("email", "name", "street", "city", "province", "postal_code", "country")

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("donor")
        verbose_name_plural = _("donors")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~Q(email=""),
                name="one_donor_per_email",
                violation_error_message=_("A donor with this email address already exists."),
            ),
            models.CheckConstraint(
                condition=Q(receipt_preference__in=["per_gift", "annual"]),
                name="donor_receipt_preference_known",
            ),
        ]

    def __str__(self):
        if self.is_erased:
            return _("Erased donor #%(id)s") % {"id": self.pk}
        return self.name or self.email or _("Donor #%(id)s") % {"id": self.pk}

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip()
        super().save(*args, **kwargs)

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    def missing_address_fields(self) -> list[str]:
        """Return the labels of what a receipt needs and this donor lacks."""
        needed = ("name", "street", "city", "postal_code", "country")
        return [
            str(self._meta.get_field(name).verbose_name)
            for name in needed
            if not (getattr(self, name) or "").strip()
        ]

    @classmethod
    def find_or_create(cls, email: str, **defaults) -> "Donor":
        """Return the donor known under this address (any case), created if new.

        Without an address (a pledge taken by phone, say), every call makes a new donor.
        Two pledges of a new donor at once: the unique index lets one create them, the
        other finds them.
        """
        email = (email or "").strip()
        if not email:
            return cls.objects.create(**defaults)
        found = cls.objects.for_email(email).first()
        if found is not None:
            return found
        try:
            with transaction.atomic():
                return cls.objects.create(email=email, **defaults)
        except IntegrityError:
            return cls.objects.for_email(email).get()

    def set_news_consent(self, given: bool, *, source: str, by=None) -> bool:
        """Record a change of the news consent; return False if it was already so."""
        if self.news_opt_in == given:
            return False
        with transaction.atomic():
            self.news_opt_in = given
            self.save(update_fields=["news_opt_in", "updated_at"])
            ConsentChange.objects.create(
                donor=self,
                consent=ConsentChange.Consent.NEWS,
                given=given,
                source=source,
                changed_by=by if getattr(by, "pk", None) else None,
            )
        return True

    def erase_identity(self) -> None:
        for name in self.IDENTITY_FIELDS:
            setattr(self, name, "")
        if self.news_opt_in:
            self.set_news_consent(False, source=ConsentChange.Source.ERASURE)
        self.erased_at = timezone.now()
        self.save()


class ConsentChange(models.Model):
    """One change of a donor's consent: when, which, given or withdrawn, and how."""

    class Consent(models.TextChoices):
        NEWS = "news", _("News by email")

    class Source(models.TextChoices):
        PLEDGE = "pledge", _("Pledge confirmed by email")
        ADMIN = "admin", _("Changed by the finance team")
        ERASURE = "erasure", _("Identity erased")
        IMPORT = "import", _("Taken over from earlier pledges")
        EMAIL_LINK = "email-link", _("Unsubscribe link of a news email")
        DONOR_PAGE = "self", _("Changed by the donor on their page")

    donor = models.ForeignKey(
        Donor, verbose_name=_("donor"), on_delete=models.CASCADE, related_name="consent_changes"
    )
    consent = models.CharField(_("consent"), max_length=10, choices=Consent.choices)
    given = models.BooleanField(_("given"), help_text=_("Unticked: withdrawn."))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    changed_at = models.DateTimeField(_("changed on"), default=timezone.now, editable=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["changed_at", "pk"]
        verbose_name = _("consent change")
        verbose_name_plural = _("consent changes")

    def __str__(self):
        return f"{self.get_consent_display()}: {self.given} ({self.changed_at:%Y-%m-%d})"


class SponsorshipQuerySet(FundingQuerySet):
    def counted(self):
        """Return the sponsorships that count publicly: confirmed by their donor, not paused."""
        return self.filter(status=Sponsorship.Status.CONFIRMED, paused_at__isnull=True)

    def public_supporters(self):
        """Return confirmed sponsorships whose donors asked to be named publicly."""
        return self.counted().filter(show_name_publicly=True, erased_at__isnull=True)

    def for_email(self, email: str):
        """Return every sponsorship given under this email address (any case)."""
        email = (email or "").strip()
        if not email:
            return self.none()
        return self.filter(donor_email__iexact=email)


class GiftQuerySet(FundingQuerySet):
    project_field = "sponsorship__project_id"


class Sponsorship(models.Model):
    """A donor's pledge to support a project, once or every month."""

    class Frequency(models.TextChoices):
        ONCE = "once", _("Once")
        MONTHLY = "monthly", _("Every month")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for email confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    class Dedication(models.TextChoices):
        HONOUR = "honour", _("In honour of")
        MEMORY = "memory", _("In memory of")

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    idempotency_key = models.UUIDField(
        _("submission key"),
        unique=True,
        default=uuid.uuid4,
        editable=False,
        help_text=_("One per submitted form: a form sent twice makes one sponsorship."),
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        related_name="sponsorships",
    )
    donor = models.ForeignKey(
        Donor,
        verbose_name=_("donor"),
        on_delete=models.PROTECT,
        related_name="sponsorships",
        blank=True,
        help_text=_("Left empty, the donor is found (or added) by the email address."),
    )
    donor_name = models.CharField(_("donor's name"), max_length=150, blank=True)
    donor_email = models.EmailField(_("donor's email"), blank=True, db_index=True)
    language = models.CharField(
        _("language"),
        max_length=5,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("Emails and pages for this donor use this language."),
    )
    amount = money_field(_("amount"))
    currency = models.CharField(_("currency"), max_length=3, default=settings.DEFAULT_CURRENCY)
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.ONCE
    )
    dedication_kind = models.CharField(
        _("dedication"), max_length=10, choices=Dedication.choices, blank=True
    )
    dedication_name = models.CharField(_("dedicated to"), max_length=150, blank=True)
    show_name_publicly = models.BooleanField(_("name shown publicly"), default=False)
    public_message = models.TextField(_("public message"), max_length=500, blank=True)
    message_hidden = models.BooleanField(
        _("message hidden"),
        default=False,
        help_text=_("Hide the public message from the project page."),
    )
    privacy_consent_at = models.DateTimeField(_("privacy notice accepted on"), default=timezone.now)
    news_opt_in = models.BooleanField(_("wants news by email"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("pledged on"), default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed on"), null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled on"), null=True, blank=True, editable=False)
    paused_at = models.DateTimeField(
        _("paused on"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("A paused monthly pledge counts nowhere public until its donor resumes it."),
    )
    erased_at = models.DateTimeField(_("identity erased on"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = SponsorshipQuerySet.as_manager()

    # What identifies a person; erasure blanks exactly these (and gift notes).
    IDENTITY_FIELDS = ("donor_name", "donor_email", "dedication_name", "public_message")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("sponsorship")
        verbose_name_plural = _("sponsorships")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(amount__lte=AMOUNT_CEILING),
                name="sponsorship_amount_positive_and_bounded",
                violation_error_message=_("The amount must be positive."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "confirmed", "cancelled"]),
                name="sponsorship_status_known",
            ),
            models.CheckConstraint(
                condition=Q(frequency__in=["once", "monthly"]),
                name="sponsorship_frequency_known",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                name="sponsorship_confirmed_has_date",
            ),
        ]

    def __str__(self):
        # Shown in admin logs and history: never the donor's identity.
        return self.reference

    def save(self, *args, **kwargs):
        if self.donor_id is None:
            with transaction.atomic():
                self.donor = Donor.find_or_create(
                    self.donor_email, name=self.donor_name, language=self.language
                )
                self.save(*args, **kwargs)
            return
        if not self.reference:
            with transaction.atomic():
                year = timezone.localdate(self.created_at).year
                (number,) = ReferenceCounter.take(year)
                self.reference = format_reference(year, number)
                super().save(*args, **kwargs)
            return
        update_fields = kwargs.get("update_fields")
        if update_fields is None or set(update_fields) & set(self.FROZEN_ONCE_CONFIRMED):
            self._refuse_frozen_changes()
        if update_fields is not None and "donor" not in update_fields:
            super().save(*args, **kwargs)
            return
        with transaction.atomic():
            super().save(*args, **kwargs)
            # Moved to another donor: its gifts follow (issued receipts do not).
            self.gifts.exclude(donor_id=self.donor_id).update(donor_id=self.donor_id)

    def get_absolute_url(self):
        return reverse("admin:donations_sponsorship_change", args=[self.pk])

    def clean(self):
        self._refuse_frozen_changes()

    # What the donor confirmed: never changed afterwards. A correction is a cancellation
    # and a new pledge, so the books and the donor's consent stay what they were.
    FROZEN_ONCE_CONFIRMED = ("amount", "currency", "privacy_consent_at", "reference")

    def frozen_changes(self) -> list[str]:
        """Return the fields this unsaved edit changes although they may no longer change.

        The reference never changes once given (history and donors' exports are keyed on
        it); the amount, currency and consent time never change once the pledge was
        confirmed.
        """
        if self._state.adding or self.pk is None:
            return []
        stored = (
            type(self)
            .objects.filter(pk=self.pk)
            .values("confirmed_at", *self.FROZEN_ONCE_CONFIRMED)
            .first()
        )
        if stored is None:
            return []
        frozen = self.FROZEN_ONCE_CONFIRMED if stored["confirmed_at"] else ("reference",)
        return [name for name in frozen if getattr(self, name) != stored[name]]

    def _refuse_frozen_changes(self, exclude=()) -> None:
        changed = [name for name in self.frozen_changes() if name not in exclude]
        if changed:
            raise ValidationError(
                dict.fromkeys(
                    changed,
                    _(
                        "A confirmed pledge keeps what the donor confirmed. To correct it, "
                        "cancel it and record a new pledge."
                    ),
                )
            )

    # Confirmation by email ------------------------------------------------------------

    def confirmation_token(self) -> str:
        return signing.TimestampSigner(salt=CONFIRMATION_SALT).sign(self.reference)

    @staticmethod
    def reference_from_token(token: str, *, check_age: bool = True) -> str:
        """Return the reference a confirmation token was made for.

        Raise ``signing.SignatureExpired`` once it is too old (unless ``check_age`` is
        false), ``signing.BadSignature`` if it was not made here.
        """
        max_age = settings.PLEDGE_CONFIRMATION_MAX_AGE if check_age else None
        return signing.TimestampSigner(salt=CONFIRMATION_SALT).unsign(token, max_age=max_age)

    def confirmation_url(self) -> str:
        """Return the absolute confirmation link, in the donor's language."""
        with translation.override(self.language):
            path = reverse("donations:confirm", kwargs={"token": self.confirmation_token()})
        return settings.SITE_URL.rstrip("/") + path

    def confirm(self) -> bool:
        """Confirm a pending pledge; return False if there was nothing to do.

        The row is locked first, in a transaction of its own, so that two confirmations at
        the same moment (a double click, a gift recorded meanwhile) confirm it once.
        """
        with transaction.atomic():
            stored = (
                type(self)
                .objects.select_for_update()
                .filter(pk=self.pk)
                .values("status", "confirmed_at")
                .first()
            )
            if stored is None or stored["status"] != self.Status.PENDING:
                if stored is not None:
                    self.status, self.confirmed_at = stored["status"], stored["confirmed_at"]
                return False
            self.status = self.Status.CONFIRMED
            self.confirmed_at = timezone.now()
            self.save(update_fields=["status", "confirmed_at", "updated_at"])
            if self.news_opt_in:
                # The donor proved the address is theirs: their consent counts now.
                donor = Donor.objects.select_for_update().get(pk=self.donor_id)
                donor.set_news_consent(True, source=ConsentChange.Source.PLEDGE)
        return True

    def cancel(self) -> bool:
        if self.status == self.Status.CANCELLED:
            return False
        self.status = self.Status.CANCELLED
        self.cancelled_at = timezone.now()
        self.save(update_fields=["status", "cancelled_at", "updated_at"])
        return True

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    @property
    def can_pause(self) -> bool:
        """A confirmed monthly pledge, running: its donor may pause or stop it."""
        return (
            self.frequency == self.Frequency.MONTHLY
            and self.status == self.Status.CONFIRMED
            and not self.is_paused
        )

    def pause(self) -> bool:
        """Pause a running monthly pledge; return False if there was nothing to do."""
        if not self.can_pause:
            return False
        self.paused_at = timezone.now()
        self.save(update_fields=["paused_at", "updated_at"])
        return True

    def resume(self) -> bool:
        """Resume a paused monthly pledge; return False if there was nothing to do."""
        if not self.is_paused or self.status != self.Status.CONFIRMED:
            return False
        self.paused_at = None
        self.save(update_fields=["paused_at", "updated_at"])
        return True

    # Money ---------------------------------------------------------------------------

    def record_gift(self, *, recorded_by=None, **fields) -> "Gift":
        """Record money received (which confirms a pledge still pending, see ``Gift.save``)."""
        gift = Gift(sponsorship=self, recorded_by=recorded_by, **fields)
        gift.full_clean()
        gift.save()
        return gift

    def received(self) -> Decimal:
        return self.gifts.aggregate(total=models.Sum("amount"))["total"] or Decimal("0")

    # Donor rights -------------------------------------------------------------------

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    def erase_identity(self) -> None:
        """Remove who the donor is, here and in the history; keep the amounts."""
        for name in self.IDENTITY_FIELDS:
            setattr(self, name, "")
        self.show_name_publicly = False
        self.news_opt_in = False
        self.erased_at = timezone.now()
        self.save()
        for gift in self.gifts.exclude(note=""):
            gift.note = ""
            gift.save(update_fields=["note"])
        self.erase_history([self.reference])

    @classmethod
    def history_of(cls, references):
        """Return the history rows of these sponsorships (even deleted ones).

        Keyed on the reference, which is never given twice: an id may come back (SQLite
        reuses the highest one after a deletion; a restored dump resets the sequences) and
        would mix two donors' histories.
        """
        return cls.history.model.objects.filter(reference__in=list(references))

    @classmethod
    def gift_history_of(cls, references):
        """Return the history rows of the gifts of these sponsorships (even deleted ones).

        A gift's history only knows its sponsorship's id, so each id counts for the time it
        belonged to one of these references: from the sponsorship's first history row to
        its deletion (or now).
        """
        spans = Q()
        rows = (
            cls.history_of(references)
            .values("id", "reference")
            .annotate(start=models.Min("history_date"), end=models.Max("history_date"))
        )
        deleted = set(
            cls.history_of(references).filter(history_type="-").values_list("reference", flat=True)
        )
        for row in rows:
            span = Q(sponsorship_id=row["id"], history_date__gte=row["start"])
            if row["reference"] in deleted:
                span &= Q(history_date__lte=row["end"])
            spans |= span
        if not spans:
            return Gift.history.model.objects.none()
        return Gift.history.model.objects.filter(spans)

    @classmethod
    def erase_history(cls, references) -> None:
        """Remove who the donor is from the history of these sponsorships (even deleted
        ones) and of their gifts."""
        references = list(references)
        blank = dict.fromkeys(cls.IDENTITY_FIELDS, "")
        cls.gift_history_of(references).update(note="")
        cls.history_of(references).update(**blank, show_name_publicly=False, news_opt_in=False)


class Gift(models.Model):
    """Money received against a sponsorship, recorded by the finance team."""

    class Method(models.TextChoices):
        CHEQUE = "cheque", _("Cheque")
        TRANSFER = "transfer", _("Bank transfer")
        CARD = "card", _("Card terminal")
        CASH = "cash", _("Cash")
        ONLINE = "online", _("Online payment provider")
        OTHER = "other", _("Other")

    sponsorship = models.ForeignKey(
        Sponsorship,
        verbose_name=_("sponsorship"),
        on_delete=models.PROTECT,
        related_name="gifts",
    )
    donor = models.ForeignKey(
        Donor,
        verbose_name=_("donor"),
        on_delete=models.PROTECT,
        related_name="gifts",
        editable=False,
        help_text=_("The sponsorship's donor, set when the gift is saved."),
    )
    amount = money_field(_("amount"))
    advantage = money_field(
        _("value of the advantage"),
        default=Decimal("0"),
        blank=True,
        help_text=_(
            "What the donor received in return (a meal, a ticket…); the receipt is for the "
            "amount minus this."
        ),
    )
    received_on = models.DateField(_("received on"), default=timezone.localdate)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    reference = models.CharField(
        _("payment reference"),
        max_length=100,
        blank=True,
        help_text=_("Cheque number, bank transfer reference…"),
    )
    provider = models.CharField(
        _("payment provider"),
        max_length=50,
        blank=True,
        help_text=_("For online payments: the provider's name."),
    )
    transaction_id = models.CharField(_("provider's transaction id"), max_length=100, blank=True)
    note = models.TextField(_("internal note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded on"), auto_now_add=True)

    history = HistoricalRecords()

    objects = GiftQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("gift")
        verbose_name_plural = _("gifts")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(amount__lte=AMOUNT_CEILING),
                name="gift_amount_positive_and_bounded",
                violation_error_message=_("The amount must be positive."),
            ),
            models.CheckConstraint(
                condition=Q(advantage__gte=0) & Q(advantage__lte=F("amount")),
                name="gift_advantage_within_amount",
                violation_error_message=_(
                    "The advantage is between zero and the amount of the gift."
                ),
            ),
            models.UniqueConstraint(
                fields=["provider", "transaction_id"],
                condition=~Q(transaction_id=""),
                name="one_gift_per_provider_transaction",
                violation_error_message=_("This transaction is already recorded."),
            ),
        ]

    def __str__(self):
        return f"{self.sponsorship.reference} — {self.amount} ({self.received_on})"

    def save(self, *args, **kwargs):
        """Save the gift; money in hand also confirms a pledge still pending.

        The one place where this rule lives: the admin's gift form, the gifts inline of a
        sponsorship and the bulk action all come through here.
        """
        adding = self._state.adding
        if self.advantage is None:
            self.advantage = Decimal("0")
        if self.sponsorship_id is not None:
            self.donor_id = (
                Sponsorship.objects.filter(pk=self.sponsorship_id)
                .values_list("donor_id", flat=True)
                .first()
            )
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "donor" not in update_fields:
                kwargs["update_fields"] = [*update_fields, "donor"]
        with transaction.atomic():
            super().save(*args, **kwargs)
            if adding and self.sponsorship.status == Sponsorship.Status.PENDING:
                self.sponsorship.confirm()

    @property
    def eligible_amount(self) -> Decimal:
        return self.amount - (self.advantage or Decimal("0"))


class ReceiptCounter(YearCounter):
    """The last receipt serial number given in a year (see ``YearCounter``)."""

    class Meta:
        verbose_name = _("receipt counter")
        verbose_name_plural = _("receipt counters")

    @classmethod
    def take(cls, year: int, count: int = 1) -> range:
        """Reserve serial numbers of ``year``; call inside the transaction that uses them."""
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("Take a receipt number inside the transaction that stores it.")
        return super().take(year, count)


def format_serial(year: int, number: int) -> str:
    return f"{year}-{number:06d}"


class ReceiptQuerySet(models.QuerySet):
    def delete(self):
        raise ProtectedError(_("Receipts are kept: cancel or mark them spoiled instead."), set())


class Receipt(models.Model):
    """An official donation receipt for income tax purposes, as issued.

    What it says is kept here as it was when issued (the donor's name and address, the
    amounts, the charity's particulars): later edits of the donor change no issued
    receipt, and its PDF is always drawn from these fields. Receipts are never deleted;
    a wrong one is cancelled and replaced, a spoiled one is marked so.
    """

    class Kind(models.TextChoices):
        GIFT = "gift", _("One gift")
        ANNUAL = "annual", _("Annual")

    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued")
        CANCELLED = "cancelled", _("Cancelled and replaced")
        SPOILED = "spoiled", _("Spoiled")

    serial = models.CharField(_("serial number"), max_length=20, unique=True, editable=False)
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ISSUED, editable=False
    )
    donor = models.ForeignKey(
        Donor,
        verbose_name=_("donor"),
        on_delete=models.PROTECT,
        related_name="receipts",
        editable=False,
    )
    gifts = models.ManyToManyField(
        Gift, through="ReceiptLine", related_name="receipts", verbose_name=_("gifts")
    )
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("cancels and replaces"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="replaced_by",
    )
    issued_on = models.DateField(_("issued on"), default=timezone.localdate, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # The snapshot: what the receipt says.
    language = models.CharField(_("language"), max_length=5, editable=False)
    donor_name = models.CharField(_("donor's name"), max_length=150, editable=False)
    donor_address = models.TextField(_("donor's address"), editable=False)
    received_on = models.DateField(
        _("gift received on"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("For an annual receipt: empty, the gifts' dates are on its lines."),
    )
    amount = money_field(_("amount received"), editable=False)
    advantage = money_field(_("value of the advantage"), editable=False)
    eligible_amount = money_field(_("eligible amount"), editable=False)
    charity_name = models.CharField(_("charity"), max_length=200, editable=False)
    charity_address = models.CharField(_("charity's address"), max_length=300, editable=False)
    registration_number = models.CharField(_("registration number"), max_length=20, editable=False)
    place_of_issue = models.CharField(_("place of issue"), max_length=100, editable=False)
    signatory = models.CharField(_("signatory"), max_length=200, editable=False)
    # What happened to it afterwards.
    cancelled_on = models.DateTimeField(_("cancelled on"), null=True, blank=True, editable=False)
    spoiled_on = models.DateTimeField(_("marked spoiled on"), null=True, blank=True, editable=False)
    emailed_at = models.DateTimeField(_("emailed on"), null=True, blank=True, editable=False)

    objects = ReceiptQuerySet.as_manager()

    # Cleared by an erasure once the receipt need no longer be kept.
    IDENTITY_FIELDS = ("donor_name", "donor_address")

    class Meta:
        ordering = ["-year", "-serial"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        constraints = [
            models.UniqueConstraint(fields=["year", "serial"], name="receipt_serial_per_year"),
            models.CheckConstraint(
                condition=Q(eligible_amount=F("amount") - F("advantage")),
                name="receipt_eligible_is_amount_less_advantage",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["issued", "cancelled", "spoiled"]),
                name="receipt_status_known",
            ),
        ]

    def __str__(self):
        return self.serial

    def get_absolute_url(self):
        return reverse("admin:donations_receipt_change", args=[self.pk])

    def delete(self, *args, **kwargs):
        raise ProtectedError(_("Receipts are kept: cancel or mark them spoiled instead."), {self})

    @property
    def is_current(self) -> bool:
        return self.status == self.Status.ISSUED

    def pdf_url(self):
        return reverse("admin:donations_receipt_pdf", args=[self.pk])

    def filename(self) -> str:
        return f"receipt-{self.serial}.pdf"


class ReceiptLine(models.Model):
    """A gift a receipt covers. A gift is covered by one receipt in force at a time."""

    receipt = models.ForeignKey(
        Receipt, verbose_name=_("receipt"), on_delete=models.PROTECT, related_name="lines"
    )
    gift = models.ForeignKey(
        Gift, verbose_name=_("gift"), on_delete=models.PROTECT, related_name="receipt_lines"
    )
    received_on = models.DateField(_("received on"))
    amount = money_field(_("amount"))
    advantage = money_field(_("value of the advantage"))
    in_force = models.BooleanField(_("in force"), default=True)

    class Meta:
        ordering = ["received_on", "pk"]
        verbose_name = _("receipt line")
        verbose_name_plural = _("receipt lines")
        constraints = [
            models.UniqueConstraint(
                fields=["gift"],
                condition=Q(in_force=True),
                name="one_receipt_in_force_per_gift",
                violation_error_message=_("This gift already has a receipt."),
            ),
        ]

    def __str__(self):
        return f"{self.receipt_id}: {self.amount} ({self.received_on})"


class DataRequest(models.Model):
    """A donor's request about their data, as carried out: kept as proof, without the address."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("Export")
        ERASURE = "erasure", _("Erasure")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    references = models.TextField(
        _("sponsorships"), blank=True, help_text=_("References of the sponsorships concerned.")
    )
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("performed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    via = models.CharField(_("through"), max_length=20)
    performed_at = models.DateTimeField(_("performed on"), auto_now_add=True)

    class Meta:
        ordering = ["-performed_at"]
        verbose_name = _("donor data request")
        verbose_name_plural = _("donor data requests")

    def __str__(self):
        return f"{self.get_kind_display()} — {self.performed_at:%Y-%m-%d %H:%M}"
