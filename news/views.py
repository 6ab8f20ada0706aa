from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .models import OptOut
from .sending import mailbox_from_token, opt_out


# The signed token in the address is the proof of who asks; email programs send the
# one-click POST (RFC 8058) with no CSRF token, and no cookie is set here.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """Stop news emails to the address the link was sent to.

    Opening the link changes nothing (mail scanners open links): the page asks, and its
    button unsubscribes. The email program's one-click POST unsubscribes at once.
    """
    mailbox = mailbox_from_token(token)
    if mailbox is None:
        return render(
            request,
            "news/unsubscribe.html",
            {"outcome": "invalid", "PRIVACY_CONTACT_EMAIL": settings.PRIVACY_CONTACT_EMAIL},
            status=404,
        )
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        opt_out(mailbox, OptOut.Source.ONE_CLICK if one_click else OptOut.Source.PAGE)
        if one_click:
            return HttpResponse(status=204)
        return render(request, "news/unsubscribe.html", {"outcome": "done"})
    return render(request, "news/unsubscribe.html", {"outcome": "ask"})
