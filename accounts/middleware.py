"""Keep staff who must use a second factor out of the admin until they have given it."""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from .rules import has_second_factor, second_factor_required


class SecondFactorMiddleware:
    """Send a logged-in user on an admin page to the code step, or to enrolment.

    A user with an authenticator app gives a code (or a recovery code) once per session;
    a superuser or a member of a group in ``SECOND_FACTOR_GROUPS`` who has none is sent
    to enrolment. Others (editors without an app) go on. Every admin page is covered,
    custom ones included: the check is on the address, not on each view.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = f"/{settings.ADMIN_URL}"

    def __call__(self, request):
        if request.path_info.startswith(self.admin_prefix) and not self.exempt(request):
            user = request.user
            if user.is_authenticated and not user.is_verified():
                if has_second_factor(user):
                    return self.redirect("accounts:verify", request)
                if second_factor_required(user):
                    return self.redirect("accounts:enrol", request)
        return self.get_response(request)

    def exempt(self, request):
        names = ("admin:login", "admin:logout", "accounts:verify", "accounts:enrol")
        return request.path_info in {reverse(name) for name in names}

    @staticmethod
    def redirect(name, request):
        return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
