"""Deployment checks of the shared pieces."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.caches, deploy=True)
def check_page_cache_state(app_configs, **kwargs):
    """Warn when PostgreSQL serves without Redis.

    Without a shared cache, the page cache keeps its content token in a database row that
    every public-content change updates inside its own transaction: on PostgreSQL that row
    would make writers wait for each other (SQLite makes them wait anyway).
    """
    engine = settings.DATABASES["default"]["ENGINE"]
    if (
        settings.PAGE_CACHE_ENABLED
        and settings.PAGE_CACHE_STATE == "database"
        and ("postgresql" in engine)
    ):
        return [
            Warning(
                "PostgreSQL without REDIS_URL: the page cache would keep its token in the "
                "database and make every edit wait for the others.",
                hint="Set REDIS_URL (shared by every worker), or PAGE_CACHE=false.",
                id="core.W001",
            )
        ]
    return []
