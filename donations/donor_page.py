"""The donor's own page: their pledges, gifts, receipts, details and data.

No password: a donor types their email address, and a link signed for them is emailed if
we know the address (the answer never says whether we do). Opening the link shows a
button; only its POST signs in (mail scanners open links), which keeps the donor's id in
the session. Every page here is the donor's own: never stored, never indexed.
"""

from __future__ import annotations

import json
import logging
from functools import partial, wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import FieldDoesNotExist
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from .addresses import mailbox_key
from .donor_rights import erase_donor_data, export_donor_data
from .models import ConsentChange, Donor, Gift, Receipt, Sponsorship
from .receipt_pdf import render_receipt
from .schedule import next_expected_on

logger = logging.getLogger(__name__)

LINK_SALT = "donations.donor-link"
SESSION_KEY = "donations_donor_id"


# The signed link ------------------------------------------------------------------------


def _email_check(email: str) -> str:
    """A short keyed digest of the address: a link stops working once it changes."""
    return salted_hmac(LINK_SALT, (email or "").strip().lower()).hexdigest()[:16]


def link_token(donor: Donor) -> str:
    return signing.TimestampSigner(salt=LINK_SALT).sign(f"{donor.pk}.{_email_check(donor.email)}")


def donor_from_token(token: str) -> Donor | None:
    """Return the donor a sign-in link was made for, or None if it is not valid (any more)."""
    try:
        value = signing.TimestampSigner(salt=LINK_SALT).unsign(
            token, max_age=settings.DONOR_LINK_MAX_AGE
        )
    except signing.BadSignature:
        return None
    pk, _sep, check = value.partition(".")
    if not pk.isdigit():
        return None
    donor = Donor.objects.filter(pk=int(pk), erased_at__isnull=True).exclude(email="").first()
    if donor is None or not constant_time_compare(check, _email_check(donor.email)):
        return None
    return donor


def sign_in_url(donor: Donor) -> str:
    with translation.override(donor.language):
        path = reverse("donations:donor_sign_in", kwargs={"token": link_token(donor)})
    return settings.SITE_URL.rstrip("/") + path


def send_sign_in_link(donor: Donor) -> None:
    """Email the donor their sign-in link, in their language (text and HTML)."""
    with translation.override(donor.language):
        context = {
            "donor": donor,
            "sign_in_url": sign_in_url(donor),
            "valid_minutes": max(1, settings.DONOR_LINK_MAX_AGE // 60),
            "ORGANISATION_NAME": settings.ORGANISATION_NAME,
            "LANGUAGE_CODE": donor.language,
        }
        subject = render_to_string("emails/donor_link_subject.txt", context)
        message = EmailMultiAlternatives(
            subject=" ".join(subject.split()),
            body=render_to_string("emails/donor_link.txt", context),
            to=[donor.email],
            headers={"Content-Language": donor.language},
        )
        message.attach_alternative(render_to_string("emails/donor_link.html", context), "text/html")
    message.send()


# Who is signed in -----------------------------------------------------------------------


def signed_in_donor(request) -> Donor | None:
    pk = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if not isinstance(pk, int):
        return None
    return Donor.objects.filter(pk=pk, erased_at__isnull=True).exclude(email="").first()


def _private(response):
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def donor_view(view):
    """A page of the signed-in donor: never cached, never indexed; others go to sign in."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        donor = signed_in_donor(request)
        if donor is None:
            if request.method == "POST":
                messages.info(request, _("Your session has ended. Ask for a new link to sign in."))
            return _private(redirect("donations:donor_request"))
        return _private(view(request, donor, *args, **kwargs))

    return never_cache(wrapper)


def _home():
    return redirect(reverse("donations:donor_home") + "#main")


# Asking for a link ----------------------------------------------------------------------


class LinkRequestForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Your email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


def _email_key(group, request) -> str:
    return mailbox_key(request.POST.get("email") or "")


def _request_page(request, form, status=200, **context):
    context |= {"form": form, "minutes": max(1, settings.DONOR_LINK_MAX_AGE // 60)}
    return render(request, "donations/donor/request.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def request_link(request):
    """Ask for a sign-in link; the answer is the same whether the address is known or not."""
    if signed_in_donor(request) is not None and request.method == "GET":
        return _private(_home())
    form = LinkRequestForm(request.POST or None)
    sent = False
    status = 200
    if request.method == "POST" and form.is_valid():
        limited = is_ratelimited(
            request,
            group="donations.donor-link.ip",
            key="ip",
            rate=settings.DONOR_LINK_RATE_PER_IP,
            increment=True,
        ) or is_ratelimited(
            request,
            group="donations.donor-link.email",
            key=_email_key,
            rate=settings.DONOR_LINK_RATE_PER_EMAIL,
            increment=True,
        )
        if limited:
            logger.warning("Donor sign-in link refused: rate limit")
            response = _request_page(request, form, status=429, limited=True)
            response["Retry-After"] = "3600"
            return _private(response)
        donor = (
            Donor.objects.for_email(form.cleaned_data["email"])
            .filter(erased_at__isnull=True)
            .first()
        )
        if donor is not None:
            transaction.on_commit(partial(send_sign_in_link, donor), robust=True)
            logger.info("Donor sign-in link sent to donor %s", donor.pk)
        sent = True
        form = LinkRequestForm()
    elif request.method == "POST":
        status = 400
    return _private(_request_page(request, form, status=status, sent=sent))


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request, token):
    """Show the button that signs in; its POST signs in and opens the donor's page."""
    donor = donor_from_token(token)
    if donor is None:
        return _private(
            render(request, "donations/donor/sign_in.html", {"valid": False}, status=404)
        )
    if request.method == "POST":
        request.session.cycle_key()
        request.session[SESSION_KEY] = donor.pk
        logger.info("Donor %s signed in to their page", donor.pk)
        with translation.override(donor.language):
            return _private(_home())
    return _private(render(request, "donations/donor/sign_in.html", {"valid": True}))


@require_POST
def sign_out(request):
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()
    messages.success(request, _("You are signed out."))
    return _private(redirect("donations:donor_request"))


# The donor's page -----------------------------------------------------------------------


class DetailsForm(forms.ModelForm):
    class Meta:
        model = Donor
        fields = ("name", "street", "city", "province", "postal_code", "country", "language")
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "street": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "province": forms.TextInput(attrs={"autocomplete": "address-level1"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "country": forms.TextInput(attrs={"autocomplete": "country-name"}),
        }


def _pledges(donor: Donor) -> list[Sponsorship]:
    pledges = list(
        donor.sponsorships.filter(erased_at__isnull=True)
        .select_related("project")
        .prefetch_related("gifts")
        .order_by("-created_at", "-pk")
    )
    for pledge in pledges:
        gifts = sorted(pledge.gifts.all(), key=lambda g: (g.received_on, g.pk))
        pledge.gift_list = gifts
        pledge.next_expected = None
        if pledge.status == Sponsorship.Status.CONFIRMED and not pledge.is_paused:
            pledge.next_expected = next_expected_on(
                pledge,
                gift_count=len(gifts),
                first_gift_on=gifts[0].received_on if gifts else None,
            )
    return pledges


def _page(request, donor, details_form=None, status=200):
    return render(
        request,
        "donations/donor/home.html",
        {
            "donor": donor,
            "pledges": _pledges(donor),
            "receipts": donor.receipts.order_by("-issued_on", "-serial"),
            "details_form": details_form or DetailsForm(instance=donor),
        },
        status=status,
    )


@donor_view
@require_http_methods(["GET"])
def home(request, donor):
    return _page(request, donor)


@donor_view
@require_POST
def update_details(request, donor):
    form = DetailsForm(request.POST, instance=donor)
    if not form.is_valid():
        messages.error(request, _("Your details were not saved: please correct the form."))
        return _page(request, donor, details_form=form, status=400)
    with transaction.atomic():
        donor = form.save()
    with translation.override(donor.language):
        messages.success(request, _("Your details are saved."))
        return _home()


@donor_view
@require_POST
def update_consent(request, donor):
    # A checkbox posted as "0" or "off" must not count as consent: only its own value does.
    wanted = request.POST.get("news_opt_in") == "yes"
    if donor.set_news_consent(wanted, source=ConsentChange.Source.DONOR_PAGE):
        if wanted:
            messages.success(request, _("You will receive our news by email."))
        else:
            messages.success(request, _("You will no longer receive our news by email."))
    else:
        messages.info(request, _("Nothing changed."))
    return _home()


PLEDGE_ACTIONS = {
    "pause": ("pause", gettext_lazy("Your monthly pledge %(reference)s is paused.")),
    "resume": ("resume", gettext_lazy("Your monthly pledge %(reference)s is running again.")),
    "stop": ("cancel", gettext_lazy("Your monthly pledge %(reference)s is stopped.")),
}


@donor_view
@require_POST
def pledge_action(request, donor, pk, action):
    if action not in PLEDGE_ACTIONS:
        raise Http404
    with transaction.atomic():
        pledge = get_object_or_404(
            Sponsorship.objects.select_for_update(),
            pk=pk,
            donor=donor,
            erased_at__isnull=True,
            frequency=Sponsorship.Frequency.MONTHLY,
        )
        method, message = PLEDGE_ACTIONS[action]
        if action == "stop" and pledge.status != Sponsorship.Status.CONFIRMED:
            done = False
        else:
            done = getattr(pledge, method)()
    if done:
        logger.info("Donor %s: pledge %s %s", donor.pk, pledge.reference, action)
        messages.success(request, message % {"reference": pledge.reference})
    else:
        messages.info(request, _("Nothing changed."))
    return _home()


@donor_view
@require_http_methods(["GET"])
def receipt_pdf(request, donor, pk):
    receipt = get_object_or_404(Receipt.objects.select_related("replaces"), pk=pk, donor=donor)
    response = HttpResponse(render_receipt(receipt), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{receipt.filename()}"'
    return response


def _labelled(model, record: dict) -> list[tuple[str, object]]:
    """Return a record's plain values with the labels of its model's fields."""
    rows = []
    for name, value in record.items():
        if isinstance(value, list | dict):
            continue
        try:
            label = model._meta.get_field(name).verbose_name
        except FieldDoesNotExist:
            label = name
        if isinstance(value, bool):
            value = _("yes") if value else _("no")
        rows.append((str(label)[:1].upper() + str(label)[1:], "" if value is None else value))
    return rows


@donor_view
@require_http_methods(["GET"])
def my_data(request, donor):
    data = export_donor_data(donor.email, donor=donor, via="donor page")
    records = [
        {
            "fields": _labelled(Donor, record),
            "consents": [_labelled(ConsentChange, c) for c in record["consent_changes"]],
            "receipts": [_labelled(Receipt, r) for r in record["receipts"]],
        }
        for record in data["donor_records"]
    ]
    pledges = [
        {
            "fields": _labelled(Sponsorship, record),
            "gifts": [_labelled(Gift, g) for g in record["gifts"]],
        }
        for record in data["sponsorships"]
    ]
    return render(
        request,
        "donations/donor/data.html",
        {"donor": donor, "data": data, "records": records, "pledges": pledges},
    )


@donor_view
@require_http_methods(["GET"])
def my_data_json(request, donor):
    data = export_donor_data(donor.email, donor=donor, via="donor page")
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@donor_view
@require_http_methods(["GET", "POST"])
def erase(request, donor):
    """Ask for confirmation; the POST erases the donor's data and signs them out."""
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            return render(
                request,
                "donations/donor/erase.html",
                {"donor": donor, "missing": True},
                status=400,
            )
        erase_donor_data(donor.email, donor=donor, via="donor page")
        request.session.pop(SESSION_KEY, None)
        request.session.cycle_key()
        logger.info("Donor %s erased their data from their page", donor.pk)
        messages.success(request, _("Your data is erased. You are signed out."))
        return redirect("donations:donor_request")
    return render(request, "donations/donor/erase.html", {"donor": donor})
