import logging
import uuid
from functools import partial
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import is_ratelimited

from core.i18n import get_by_translated_slug
from portfolio.models import Project

from .addresses import mailbox_key
from .emails import send_confirmation_request
from .forms import PledgeForm, claim_form_token, new_form_token, read_form_token
from .models import Sponsorship

logger = logging.getLogger(__name__)

THANKS_SALT = "donations.thanks"


def _language_urls(project) -> dict[str, str]:
    urls = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            urls[code] = reverse("donations:pledge", kwargs={"slug": project.slug})
    return urls


def _thanks_redirect(reference: str | None):
    """Redirect to the thank-you page; without a reference for submissions we drop (a
    reference shown there would be one a real donor gets next)."""
    if reference is None:
        return redirect("donations:thanks")
    token = signing.dumps(reference, salt=THANKS_SALT)
    return redirect(f"{reverse('donations:thanks')}?{urlencode({'ref': token})}")


def _email_key(group, request) -> str:
    return mailbox_key(request.POST.get("email") or "")


def _rate_limited(request, group: str, key, rate: str) -> bool:
    return is_ratelimited(request, group=group, key=key, rate=rate, increment=True)


def _too_many(request, project):
    logger.warning("Pledge refused: rate limit reached for project %s", project.pk)
    response = render(request, "donations/rate_limited.html", {"project": project}, status=429)
    response["Retry-After"] = "3600"
    return response


def _send_again(request, project, message: str, status: int = 200):
    """Give the form back as it was typed, with a fresh token and ``message``."""
    data = request.POST.copy()
    data["form_token"] = new_form_token()
    data["website"] = ""
    form = PledgeForm(data, project=project)
    form.is_valid()
    form.add_error(None, message)
    return _pledge_page(request, project, form, status=status)


def _pledge_page(request, project, form, status=200):
    return render(
        request,
        "donations/pledge.html",
        {"project": project, "form": form, "language_urls": _language_urls(project)},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def pledge(request, slug):
    """Show a project's pledge form; record a pledge and ask its donor to confirm it."""
    if request.method == "GET":
        project = get_by_translated_slug(
            Project.objects.published(),
            slug,
            url=lambda found: reverse("donations:pledge", kwargs={"slug": found.slug}),
        )
        if not isinstance(project, Project):
            return project
        form = PledgeForm(project=project)
        form.choose(amount=request.GET.get("amount"), frequency=request.GET.get("frequency"))
        return _pledge_page(request, project, form)

    project = get_object_or_404(Project.objects.published(), slug=slug)

    # Every submission counts against its IP address; only a new pledge, which sends an
    # email, counts against its email address (a form sent back with mistakes does not).
    if _rate_limited(request, "donations.pledge.ip", "ip", settings.PLEDGE_RATE_PER_IP):
        return _too_many(request, project)

    token = read_form_token(request.POST.get("form_token", ""))
    if token is None:
        return _send_again(
            request,
            project,
            _("This form was open for too long. Check what you typed, then send it again."),
            status=400,
        )

    form_key, seconds_open = token
    if request.POST.get("website"):
        # Only a program fills the hidden field: answer like a success, keep nothing, and
        # show no reference (it would be a real donor's next one).
        logger.info("Pledge dropped as automated for project %s", project.pk)
        return _thanks_redirect(None)
    if seconds_open < settings.PLEDGE_MIN_FILL_SECONDS:
        # Perhaps a program, perhaps a person whose browser filled the form: a person
        # sends it again (with a fresh token, so the second try is timed anew).
        logger.info("Pledge sent too fast for project %s: form shown again", project.pk)
        return _send_again(
            request,
            project,
            _("Please check what you typed, then send the form again."),
        )

    form = PledgeForm(request.POST, project=project)
    if not form.is_valid():
        return _pledge_page(request, project, form)

    # The same form sent again by the same person is one pledge. Another address on the
    # same form gets the form back with a fresh token, timed anew: one form, one donor.
    email = form.cleaned_data["email"]
    submission_key = uuid.uuid5(form_key, email.lower())
    existing = Sponsorship.objects.filter(idempotency_key=submission_key).first()
    if existing is not None:
        return _thanks_redirect(existing.reference)
    if not claim_form_token(form_key, email):
        logger.info("Pledge form reused with another address for project %s", project.pk)
        return _send_again(
            request,
            project,
            _("This form was already sent. Check what you typed, then send it again."),
        )
    if _rate_limited(request, "donations.pledge.email", _email_key, settings.PLEDGE_RATE_PER_EMAIL):
        return _too_many(request, project)
    sponsorship = form.build_sponsorship(submission_key)
    try:
        with transaction.atomic():
            sponsorship.save()
    except IntegrityError:
        # The same form sent twice at once: the other request stored it.
        existing = Sponsorship.objects.filter(idempotency_key=submission_key).first()
        if existing is None:
            raise
        return _thanks_redirect(existing.reference)
    transaction.on_commit(partial(send_confirmation_request, sponsorship), robust=True)
    logger.info("Pledge %s recorded for project %s", sponsorship.reference, project.pk)
    return _thanks_redirect(sponsorship.reference)


@require_GET
def thanks(request):
    """Thank the donor and give the reference of their pledge."""
    try:
        reference = signing.loads(
            request.GET.get("ref", ""), salt=THANKS_SALT, max_age=24 * 60 * 60
        )
    except signing.BadSignature:
        reference = None
    if not isinstance(reference, str):
        reference = None
    return render(request, "donations/thanks.html", {"reference": reference})


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """Ask the donor to confirm the pledge a signed link was sent for; confirm it on POST.

    Opening the link changes nothing (mail scanners open links too): the page shows a
    button, and only its POST confirms. Say clearly when the link is not valid.
    """
    try:
        reference, expired = Sponsorship.reference_from_token(token), False
    except signing.SignatureExpired:
        # Made here, only old: the donor may well have confirmed in time, and must not
        # be told to pledge again.
        reference, expired = Sponsorship.reference_from_token(token, check_age=False), True
    except signing.BadSignature:
        reference, expired = None, False
    sponsorship = None
    if reference is not None:
        sponsorship = (
            Sponsorship.objects.select_related("project")
            .filter(reference=reference, erased_at__isnull=True)
            .first()
        )
    status = 200
    # Sponsorship.confirm locks the row in its own transaction: of two POSTs at once, one
    # confirms and the other finds it confirmed.
    if (
        request.method == "POST"
        and sponsorship is not None
        and not expired
        and sponsorship.confirm()
    ):
        outcome = "confirmed"
        logger.info("Pledge %s confirmed", sponsorship.reference)
    elif sponsorship is not None and sponsorship.status == Sponsorship.Status.CONFIRMED:
        outcome = "already"
    elif sponsorship is not None and sponsorship.status == Sponsorship.Status.CANCELLED:
        outcome = "cancelled"
    elif expired:
        outcome, status = "expired", 410
    elif sponsorship is None:
        outcome, status = "invalid", 404
    else:
        outcome = "ask"
    return render(
        request,
        "donations/confirm.html",
        {"outcome": outcome, "sponsorship": sponsorship},
        status=status,
    )
