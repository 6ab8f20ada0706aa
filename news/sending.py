"""Email each published field update to the supporters of its project who asked for news.

Run by ``manage.py send_news`` (from cron): each run sends what earlier runs have not,
so an update reaches each supporter once, in their language, whatever the schedule.
"""

from __future__ import annotations

import logging
import posixpath
from collections import Counter
from datetime import timedelta
from email.mime.image import MIMEImage

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from donations.addresses import mailbox_key
from donations.models import ConsentChange, Donor, Sponsorship
from portfolio.models import ProjectUpdate

from .models import Delivery, OptOut

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "news.unsubscribe"
# A failed send is tried again by later runs, this many times in all.
MAX_ATTEMPTS = 3
# The update's photo travels in the email up to this size (otherwise the page shows it).
PHOTO_MAX_BYTES = 2 * 1024 * 1024
PHOTO_SUBTYPES = {".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png", ".webp": "webp"}


def unsubscribe_token(mailbox: str) -> str:
    """Return the token of a mailbox's unsubscribe link (it never expires: old emails keep
    a working link)."""
    return signing.dumps(mailbox, salt=UNSUBSCRIBE_SALT, compress=True)


def mailbox_from_token(token: str) -> str | None:
    try:
        return signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def supporters(project) -> dict[str, tuple[str, str]]:
    """Return ``{mailbox: (address, language)}`` of the project's supporters who asked for news.

    Donors whose news consent stands (given by confirming a pledge by email) and who have
    a confirmed pledge to this project, by their own address: a dedication's honouree is
    never written to. Several donors under spellings of one mailbox get one email.
    """
    donors = (
        Donor.objects.filter(
            news_opt_in=True,
            erased_at__isnull=True,
            sponsorships__project=project,
            sponsorships__status=Sponsorship.Status.CONFIRMED,
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
        .values_list("email", "language")
    )
    found: dict[str, tuple[str, str]] = {}
    for email, language in donors:
        found.setdefault(mailbox_key(email), (email, language))
    return found


def updates_to_send(now=None):
    """Return the published field updates recent enough to be news."""
    now = now or timezone.now()
    since = now - timedelta(days=settings.NEWS_MAX_AGE_DAYS)
    return (
        ProjectUpdate.objects.published()
        .filter(published_at__gte=since, published_at__lte=now)
        .select_related("project")
        .order_by("published_at", "pk")
    )


def claim(update, mailbox: str, email: str, language: str) -> Delivery | None:
    """Return the delivery this run is to send, or None when another run has it or sent it."""
    try:
        with transaction.atomic():
            return Delivery.objects.create(
                update=update, mailbox=mailbox, email=email, language=language, attempts=1
            )
    except IntegrityError:
        pass
    retried = Delivery.objects.filter(
        update=update, mailbox=mailbox, status=Delivery.Status.FAILED, attempts__lt=MAX_ATTEMPTS
    ).update(status=Delivery.Status.SENDING, attempts=F("attempts") + 1, error="")
    if retried:
        return Delivery.objects.get(update=update, mailbox=mailbox)
    return None


def photo_part(update) -> MIMEImage | None:
    """Return the update's photo as an inline part of the email, when it is small enough."""
    if not update.image:
        return None
    subtype = PHOTO_SUBTYPES.get(posixpath.splitext(update.image.name)[1].lower())
    try:
        if not subtype or update.image.size > PHOTO_MAX_BYTES:
            return None
        with update.image.open("rb") as photo:
            part = MIMEImage(photo.read(), _subtype=subtype)
    except OSError:
        logger.warning("The photo of field update %s cannot be read", update.pk)
        return None
    part.add_header("Content-ID", "<photo>")
    part.add_header("Content-Disposition", "inline", filename=f"photo.{subtype}")
    return part


def build_message(delivery: Delivery) -> EmailMultiAlternatives:
    """Return the news email of a delivery, in the supporter's language."""
    update = delivery.update
    project = update.project
    with translation.override(delivery.language):
        unsubscribe_url = absolute(
            reverse("news:unsubscribe", args=[unsubscribe_token(delivery.mailbox)])
        )
        photo = photo_part(update)
        context = {
            "update": update,
            "project": project,
            "project_url": absolute(project.get_absolute_url()),
            "unsubscribe_url": unsubscribe_url,
            "has_photo": photo is not None,
            "ORGANISATION_NAME": settings.ORGANISATION_NAME,
            "LANGUAGE_CODE": delivery.language,
        }
        subject = render_to_string("emails/field_news_subject.txt", context)
        message = EmailMultiAlternatives(
            subject=" ".join(subject.split()),
            body=render_to_string("emails/field_news.txt", context),
            to=[delivery.email],
            headers={
                "Content-Language": delivery.language,
                # One click in the email program unsubscribes (RFC 8058).
                "List-Unsubscribe": f"<{unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        message.attach_alternative(render_to_string("emails/field_news.html", context), "text/html")
    if photo is not None:
        message.mixed_subtype = "related"
        message.attach(photo)
    return message


def deliver(delivery: Delivery) -> bool:
    """Send one delivery and record how it went."""
    try:
        build_message(delivery).send()
    except Exception as error:  # Any failure of the mail server is recorded.
        logger.warning("News email %s failed: %s", delivery, error)
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.FAILED, error=str(error)[:300]
        )
        return False
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENT, sent_at=timezone.now()
    )
    return True


def send_news(now=None) -> Counter:
    """Send every news email due; return how many were sent and how many failed."""
    counts: Counter = Counter()
    for update in updates_to_send(now):
        for mailbox, (email, language) in supporters(update.project).items():
            delivery = claim(update, mailbox, email, language)
            if delivery is None:
                continue
            counts["sent" if deliver(delivery) else "failed"] += 1
    return counts


@transaction.atomic
def opt_out(mailbox: str, source: str) -> int:
    """Stop news to a mailbox: every donor under any spelling of it withdraws the consent
    (kept in their consent history), and their pledges stop asking.

    Returns how many donors changed. A later pledge that asks for news again, once
    confirmed, starts them again: that is the supporter's new choice.
    """
    # Few donors want news: compared here, every spelling of the mailbox is found.
    donors = [
        donor
        for donor in Donor.objects.filter(news_opt_in=True).select_for_update().order_by("pk")
        if mailbox_key(donor.email) == mailbox
    ]
    for donor in donors:
        donor.set_news_consent(False, source=ConsentChange.Source.EMAIL_LINK)
    asking = Sponsorship.objects.filter(news_opt_in=True).values_list("pk", "donor_email")
    pks = [pk for pk, email in asking if mailbox_key(email) == mailbox]
    Sponsorship.objects.filter(pk__in=pks).update(news_opt_in=False)
    OptOut.objects.create(mailbox=mailbox, source=source)
    return len(donors)


def forget(email: str) -> None:
    """Remove what the news keeps about an address (the donor's erasure)."""
    mailbox = mailbox_key(email)
    Delivery.objects.filter(mailbox=mailbox).delete()
    OptOut.objects.filter(mailbox=mailbox).delete()


def held_about(email: str) -> list[dict]:
    """Return the news emails sent to an address (the donor's data export)."""

    def in_language(obj, name, language):
        # Titles as the supporter read them: in the language they were emailed in.
        return getattr(obj, f"{name}_{language}", None) or getattr(obj, name)

    return [
        {
            "update": in_language(delivery.update, "title", delivery.language),
            "project": in_language(delivery.update.project, "title", delivery.language),
            "language": delivery.language,
            "status": delivery.status,
            "sent_at": delivery.sent_at.isoformat() if delivery.sent_at else None,
        }
        for delivery in Delivery.objects.filter(mailbox=mailbox_key(email)).select_related(
            "update__project"
        )
    ]
