import logging
import uuid
from functools import partial
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import is_ratelimited

from core.i18n import get_by_translated_slug
from portfolio.models import Project

from .emails import send_confirmation_request
from .forms import PledgeForm, new_form_token, read_form_token
from .models import ReferenceCounter, Sponsorship, format_reference

logger = logging.getLogger(__name__)

THANKS_SALT = "donations.thanks"


def _language_urls(project) -> dict[str, str]:
    urls = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            urls[code] = reverse("donations:pledge", kwargs={"slug": project.slug})
    return urls


def _thanks_redirect(reference: str):
    token = signing.dumps(reference, salt=THANKS_SALT)
    return redirect(f"{reverse('donations:thanks')}?{urlencode({'ref': token})}")


def _decoy_reference() -> str:
    """Return a reference like the next real one, for submissions we silently drop."""
    year = timezone.localdate().year
    last = (
        ReferenceCounter.objects.filter(year=year).values_list("last_number", flat=True).first()
        or 0
    )
    return format_reference(year, last + 1)


def _email_key(group, request) -> str:
    return (request.POST.get("email") or "").strip().lower()


def _rate_limited(request, group: str, key, rate: str) -> bool:
    return is_ratelimited(request, group=group, key=key, rate=rate, increment=True)


def _too_many(request, project):
    logger.warning("Pledge refused: rate limit reached for project %s", project.pk)
    response = render(request, "donations/rate_limited.html", {"project": project}, status=429)
    response["Retry-After"] = "3600"
    return response


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
        data = request.POST.copy()
        data["form_token"] = new_form_token()
        form = PledgeForm(data, project=project)
        form.is_valid()
        form.add_error(
            None,
            _("This form was open for too long. Check what you typed, then send it again."),
        )
        return _pledge_page(request, project, form, status=400)

    submission_key, seconds_open = token
    if request.POST.get("website") or seconds_open < settings.PLEDGE_MIN_FILL_SECONDS:
        # Looks automated: answer exactly like a success, keep nothing.
        logger.info("Pledge dropped as automated for project %s", project.pk)
        return _thanks_redirect(_decoy_reference())

    form = PledgeForm(request.POST, project=project)
    if not form.is_valid():
        return _pledge_page(request, project, form)

    # The same form sent again by the same person is one pledge; a form served from a
    # cache to several people still makes one pledge each.
    submission_key = uuid.uuid5(submission_key, form.cleaned_data["email"].lower())
    existing = Sponsorship.objects.filter(idempotency_key=submission_key).first()
    if existing is not None:
        return _thanks_redirect(existing.reference)
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
@require_GET
def confirm(request, token):
    """Confirm the pledge a signed link was sent for; say clearly when the link is not valid."""
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
            Sponsorship.objects.select_for_update()
            .select_related("project")
            .filter(reference=reference, erased_at__isnull=True)
            .first()
        )
    status = 200
    if sponsorship is not None and sponsorship.status == Sponsorship.Status.CONFIRMED:
        outcome = "already"
    elif sponsorship is not None and sponsorship.status == Sponsorship.Status.CANCELLED:
        outcome = "cancelled"
    elif expired:
        outcome, status = "expired", 410
    elif sponsorship is None:
        outcome, status = "invalid", 404
    else:
        sponsorship.confirm()  # pending, and locked: nobody else confirms it meanwhile
        outcome = "confirmed"
        logger.info("Pledge %s confirmed", sponsorship.reference)
    return render(
        request,
        "donations/confirm.html",
        {"outcome": outcome, "sponsorship": sponsorship},
        status=status,
    )
