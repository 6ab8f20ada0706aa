import posixpath

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.db import transaction
from django.http import Http404, HttpResponse
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from django.views.static import serve

from core import sitemaps
from core.models import PENDING_UPLOAD_FOLDER
from core.pagecache import editorial_page
from core.views import pending_upload
from devtools.views import floor
from partners.sitemaps import PartnerSitemap
from portfolio.sitemaps import PageSitemap, ProjectSitemap, RegionSitemap
from portfolio.views import robots_txt

SITEMAPS = {
    "pages": PageSitemap,
    "projects": ProjectSitemap,
    "regions": RegionSitemap,
    "partners": PartnerSitemap,
}

handler404 = "portfolio.views.page_not_found"
handler500 = "portfolio.views.server_error"


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def media(request, path):
    """Serve an upload from MEDIA_ROOT (development and single small servers only).

    Pending uploads (core.PendingUpload) are private: only their owner sees them, in the admin.
    """
    if posixpath.normpath(path).lstrip("/").split("/", 1)[0] == PENDING_UPLOAD_FOLDER:
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [
    # Before the admin's own addresses, whose last one answers every other admin/ path.
    path(
        f"{settings.ADMIN_URL}pending-uploads/<str:reference>/",
        admin.site.admin_view(pending_upload),
        name="pending_upload",
    ),
    path(f"{settings.ADMIN_URL}two-factor/", include("accounts.urls")),
    # The rich-text editor's own strings (its dialogs), in the admin's language.
    path(
        f"{settings.ADMIN_URL}jsi18n/editor/",
        # Outside a transaction: it reads no table, and the admin's own catalogue, asked for
        # at the same moment, begins one (SQLite lets only one begin at a time).
        transaction.non_atomic_requests(
            JavaScriptCatalog.as_view(packages=["django_prose_editor"])
        ),
        name="admin_editor_jsi18n",
    ),
    path(settings.ADMIN_URL, admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("api.urls")),
    # An index of sections, each in pages of TranslatedSitemap.limit addresses
    # (/sitemap-projects.xml?p=2), so no single document grows with the portfolio.
    path(
        "sitemap.xml",
        editorial_page(sitemaps.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        editorial_page(sitemaps.section),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("robots.txt", robots_txt, name="robots_txt"),
    # IATI data, one address for every language (narratives carry both).
    path("iati/", include("iati.urls")),
]

urlpatterns += i18n_patterns(
    path("", include("partners.urls")),
    path("", include("portfolio.urls")),
    path("", include("donations.urls")),
    path("", include("news.urls")),
    prefix_default_language=True,
)

if settings.BENCH_FLOOR_VIEW:
    urlpatterns += [
        path("bench/floor/", floor, name="bench_floor"),
        # The floor again, after the edit of the benchmark's edit modes: what the edit
        # alone costs (``devtools.middleware``).
        path("bench/edit/", floor, name="bench_edit"),
    ]

if settings.SERVE_MEDIA:
    urlpatterns += [
        path(
            f"{settings.MEDIA_URL.strip('/')}/<path:path>",
            # Reads MEDIA_ROOT per request, so tests that move it still get their files.
            media,
        ),
    ]
