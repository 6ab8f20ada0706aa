"""Emails to donors, always in the donor's own language."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from .models import Sponsorship


def send_confirmation_request(sponsorship: Sponsorship) -> None:
    """Send the donor the link that confirms their pledge (text and HTML)."""
    if not sponsorship.donor_email:
        return
    with translation.override(sponsorship.language):
        context = {
            "sponsorship": sponsorship,
            "project": sponsorship.project,
            "confirmation_url": sponsorship.confirmation_url(),
            "valid_days": settings.PLEDGE_CONFIRMATION_MAX_AGE // (24 * 60 * 60),
            "ORGANISATION_NAME": settings.ORGANISATION_NAME,
            "PRIVACY_CONTACT_EMAIL": settings.PRIVACY_CONTACT_EMAIL,
            "LANGUAGE_CODE": sponsorship.language,
        }
        subject = render_to_string("emails/pledge_confirmation_subject.txt", context)
        message = EmailMultiAlternatives(
            subject=" ".join(subject.split()),
            body=render_to_string("emails/pledge_confirmation.txt", context),
            to=[sponsorship.donor_email],
            headers={"Content-Language": sponsorship.language},
        )
        message.attach_alternative(
            render_to_string("emails/pledge_confirmation.html", context), "text/html"
        )
    message.send()
