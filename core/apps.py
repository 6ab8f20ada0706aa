from django.apps import AppConfig
from django.db.models.signals import post_migrate


def new_release(sender, **kwargs):
    """A deploy runs ``migrate``: pages kept by the previous release (its templates, its
    static files' hashed names, its settings) must not outlive it."""
    from core import pagecache

    pagecache.clear()


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from . import checks  # noqa: F401 - registers the deployment checks

        post_migrate.connect(new_release, sender=self, dispatch_uid="pagecache-new-release")
