"""The benchmark's "edited" mode: an editor's change before every request.

With ``BENCH_EDIT_PROJECT=<project key>``, each request (but the floor's) first puts public
pages out of date as saving that project's story in the admin does (``core.pagecache``):
the page cache and that project's own fragments, and the kept search results. The pages
measured are then each the first request after such a change. Never in production.
"""

from django.conf import settings

from core import pagecache


class EditBeforeEachRequest:
    def __init__(self, get_response):
        self.get_response = get_response
        self.project = settings.BENCH_EDIT_PROJECT

    def __call__(self, request):
        if not request.path.startswith("/bench/"):
            pagecache.invalidate(content_of=[self.project], searched=True)
        return self.get_response(request)
