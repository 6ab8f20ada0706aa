import logging
import uuid
from functools import partial
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from core.i18n import get_by_translated_slug
from portfolio.models import Project

from .addresses import mailbox_key
from .emails import send_confirmation_request
from .forms import PledgeForm, claim_form_token, new_form_token, read_form_token
from .models import Sponsorship
from .schedule import next_expected_on

logger = logging.getLogger(__name__)

THANKS_SALT = "donations.thanks"
THANKS_MAX_AGE = 24 * 60 * 60
# A pledge form sent back with mistakes is kept this long under a random key, and shown by
# a GET (POST/redirect/GET): going Back never asks to send the form again.
DRAFT_MAX_AGE = 30 * 60
DRAFT_KEY = "donations:pledge-draft:{}"
RESEND_RATE_PER_PLEDGE = "3/h"
RESEND_RATE_PER_IP = "10/h"


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
    """Give the form back as it was typed, with a fresh token and ``message``.

    With ``status`` 200 the form is kept as a draft and shown by a redirect (see
    ``_show_draft``); another status answers at once.
    """
    data = request.POST.copy()
    data["form_token"] = new_form_token()
    data["website"] = ""
    if status == 200:
        return _show_draft(request, project, data, message)
    form = PledgeForm(data, project=project)
    form.is_valid()
    form.add_error(None, message)
    return _pledge_page(request, project, form, status=status)


def _show_draft(request, project, data, message: str | None = None):
    """Keep a form sent back with mistakes, and redirect to the pledge page showing it.

    The donor's browser then holds a GET page: Back from the thank-you page, once the
    form is corrected and sent, never asks to "confirm form resubmission".
    """
    draft = request.POST.get("draft", "")
    if not _is_draft_key(draft):
        draft = uuid.uuid4().hex
    cache.set(
        DRAFT_KEY.format(draft),
        {
            "project": project.pk,
            "data": [(k, v) for k, v in data.lists() if k != "csrfmiddlewaretoken"],
            "message": message,
        },
        DRAFT_MAX_AGE,
    )
    url = reverse("donations:pledge", kwargs={"slug": project.slug})
    return redirect(f"{url}?{urlencode({'draft': draft})}#pledge-heading", permanent=False)


def _is_draft_key(value: str) -> bool:
    return len(value) == 32 and all(c in "0123456789abcdef" for c in value)


def _draft_form(request, project):
    """Return the bound form of the draft named in the query string, or None."""
    draft = request.GET.get("draft", "")
    if not _is_draft_key(draft):
        return None
    kept = cache.get(DRAFT_KEY.format(draft))
    if not kept or kept.get("project") != project.pk:
        return None
    data = QueryDict(mutable=True)
    for name, values in kept["data"]:
        data.setlist(name, values)
    data["draft"] = draft
    form = PledgeForm(data, project=project)
    form.is_valid()
    if kept.get("message"):
        form.add_error(None, kept["message"])
    return form


def _pledge_page(request, project, form, status=200):
    return render(
        request,
        "donations/pledge.html",
        {
            "project": project,
            "form": form,
            "draft": form.data.get("draft", "") if form.is_bound else "",
            "language_urls": _language_urls(project),
        },
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
        form = _draft_form(request, project)
        if form is None:
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
        return _show_draft(request, project, request.POST.copy())

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
    if _is_draft_key(request.POST.get("draft", "")):
        cache.delete(DRAFT_KEY.format(request.POST["draft"]))
    logger.info("Pledge %s recorded for project %s", sponsorship.reference, project.pk)
    return _thanks_redirect(sponsorship.reference)


def _thanks_reference(token: str) -> str | None:
    try:
        reference = signing.loads(token or "", salt=THANKS_SALT, max_age=THANKS_MAX_AGE)
    except signing.BadSignature:
        return None
    return reference if isinstance(reference, str) else None


def _thanks_language_urls(token: str | None) -> dict[str, str]:
    """The thank-you page in each language, with the same reference."""
    query = f"?{urlencode({'ref': token})}" if token else ""
    urls = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            urls[code] = reverse("donations:thanks") + query
    return urls


@never_cache
@require_GET
def thanks(request):
    """Thank the donor: the reference of their pledge, its project, what comes next."""
    token = request.GET.get("ref", "")
    reference = _thanks_reference(token)
    sponsorship = None
    if reference is not None:
        sponsorship = (
            Sponsorship.objects.select_related("project")
            .filter(
                reference=reference, erased_at__isnull=True, project__in=Project.objects.published()
            )
            .first()
        )
    next_expected = None
    if sponsorship is not None and sponsorship.frequency == Sponsorship.Frequency.MONTHLY:
        next_expected = next_expected_on(sponsorship, gift_count=0, first_gift_on=None)
    resent = request.GET.get("resent", "")
    return render(
        request,
        "donations/thanks.html",
        {
            "reference": reference,
            "token": token if reference else "",
            "sponsorship": sponsorship,
            "project": sponsorship.project if sponsorship else None,
            "next_expected": next_expected,
            "resent": resent if resent in {"sent", "limited", "done"} else "",
            "can_resend": sponsorship is not None
            and sponsorship.status == Sponsorship.Status.PENDING,
            "language_urls": _thanks_language_urls(token if reference else None),
        },
    )


@require_POST
def resend_confirmation(request):
    """Send a pending pledge's confirmation email again, from its thank-you page.

    Counted per pledge and per connection; the answer is a redirect to the thank-you
    page, which says what happened.
    """
    token = request.POST.get("ref", "")
    reference = _thanks_reference(token)
    if reference is None:
        return redirect("donations:thanks")
    back = f"{reverse('donations:thanks')}?{urlencode({'ref': token})}"
    if _rate_limited(request, "donations.resend.ip", "ip", RESEND_RATE_PER_IP) or _rate_limited(
        request,
        "donations.resend.pledge",
        lambda group, request: reference,
        RESEND_RATE_PER_PLEDGE,
    ):
        logger.info("Confirmation email for %s not sent again: rate limit", reference)
        return redirect(f"{back}&resent=limited")
    sponsorship = (
        Sponsorship.objects.select_related("project")
        .filter(reference=reference, erased_at__isnull=True)
        .first()
    )
    if sponsorship is None or sponsorship.status != Sponsorship.Status.PENDING:
        return redirect(f"{back}&resent=done")
    transaction.on_commit(partial(send_confirmation_request, sponsorship), robust=True)
    logger.info("Confirmation email for %s sent again at the donor's request", reference)
    return redirect(f"{back}&resent=sent")


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
