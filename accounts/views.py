"""The second-factor steps of a staff login, and the page of a locked-out login."""

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .forms import CodeForm
from .rules import has_second_factor, second_factor_required

RECOVERY_CODES = 10


def admin_context(request, title, **context):
    """Return the admin's page context, without the menu of pages not yet reachable."""
    return {
        **admin.site.each_context(request),
        "title": title,
        "is_nav_sidebar_enabled": False,
        **context,
    }


def next_page(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


@never_cache
@staff_member_required
def verify(request):
    """Ask for a code from the authenticator app, or a recovery code, after the password."""
    if request.user.is_verified() or not has_second_factor(request.user):
        return redirect(next_page(request))
    form = CodeForm(request.POST or None)
    if form.is_valid():
        device = matching_device(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(next_page(request))
        form.add_error("code", _("This code is not right, or was already used. Try again."))
    return render(
        request,
        "accounts/verify.html",
        admin_context(request, _("Two-step login"), form=form, next=next_page(request)),
    )


def matching_device(user, code):
    """Return the user's device that accepts ``code`` (a recovery code is used up)."""
    devices = [
        *TOTPDevice.objects.devices_for_user(user, confirmed=True),
        *StaticDevice.objects.devices_for_user(user, confirmed=True),
    ]
    for device in devices:
        allowed, _details = device.verify_is_allowed()
        if allowed and device.verify_token(code):
            return device
    return None


@never_cache
@staff_member_required
def enrol(request):
    """Add an authenticator app: show its secret, activate it once it gives a right code."""
    user = request.user
    if has_second_factor(user):
        return redirect(next_page(request) if user.is_verified() else reverse("accounts:verify"))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        allowed, _details = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["code"]):
            recovery_codes = activate(device)
            otp_login(request, device)
            # Shown once, in this answer only: no page shows them again.
            return render(
                request,
                "accounts/recovery_codes.html",
                admin_context(
                    request,
                    _("Your recovery codes"),
                    recovery_codes=recovery_codes,
                    next=next_page(request),
                ),
            )
        form.add_error(
            "code",
            _(
                "This code is not right. Wait for the next code (and check the time on "
                "your phone) before trying again."
            ),
        )
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/enrol.html",
        admin_context(
            request,
            _("Set up two-step login"),
            form=form,
            next=next_page(request),
            required=second_factor_required(user),
            qr_code=segno.make(device.config_url, error="m").svg_data_uri(scale=5),
            secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        ),
    )


@transaction.atomic
def activate(device):
    """Confirm the app and give its user fresh recovery codes; return them."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=device.user).delete()
    recovery = StaticDevice.objects.create(user=device.user, name=_("Recovery codes"))
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODES)]
    recovery.token_set.bulk_create([StaticToken(device=recovery, token=code) for code in codes])
    return codes


def locked_out(request, original_response=None, credentials=None):
    """Answer a login refused because the account or the address is locked."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "accounts/locked_out.html",
        admin_context(request, _("Login locked"), minutes=minutes),
        status=429,
    )
