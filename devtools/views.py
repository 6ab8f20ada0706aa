"""The benchmark's floor: a page that costs only Django itself."""

from django.shortcuts import render
from django.views.decorators.http import require_safe


@require_safe
def floor(request):
    """Render a fixed template of about 5 KB, without any query.

    It goes through every middleware like a public page, so a page's requests per second
    divided by this one's tell how much the page's own work costs.
    """
    return render(request, "devtools/floor.html")
