import os
import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class PageCacheState(models.Model):
    """The content token of the page cache, where every worker of a server can read it.

    Used when the cache is local to each process (no ``REDIS_URL``); see core.pagecache.
    One row.
    """

    token = models.CharField(max_length=32)
    valid_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "page cache state"

    def __str__(self):
        return self.token


PENDING_UPLOAD_MAX_AGE = timedelta(days=1)
PENDING_UPLOAD_FOLDER = "pending"
PENDING_UPLOAD_SALT = "core.pending-upload"
PENDING_UPLOAD_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


class PendingUploadStorage(FileSystemStorage):
    """The uploads of forms sent back with errors: a folder of MEDIA_ROOT, with no public URL.

    Its files are served to their owner only, by ``core.views.pending_upload``.
    """

    @cached_property
    def base_location(self):
        return os.path.join(settings.MEDIA_ROOT, PENDING_UPLOAD_FOLDER)

    def url(self, name):
        raise ValueError("A pending upload has no public address.")


def pending_upload_storage():
    return PENDING_UPLOAD_STORAGE


PENDING_UPLOAD_STORAGE = PendingUploadStorage()


def pending_upload_name(instance, filename):
    """Return a random name: the editor's file name is kept apart, never on disk."""
    extension = PENDING_UPLOAD_EXTENSIONS.get(instance.content_type, "bin")
    return f"{secrets.token_urlsafe(18)}.{extension}"


class PendingUploadQuerySet(models.QuerySet):
    def expired(self):
        """Return the pending uploads older than PENDING_UPLOAD_MAX_AGE."""
        return self.filter(created_at__lt=timezone.now() - PENDING_UPLOAD_MAX_AGE)

    def discard(self) -> int:
        """Delete these pending uploads and their files; return how many there were."""
        count = 0
        for pending in self:
            pending.file.delete(save=False)
            pending.delete()
            count += 1
        return count


class PendingUpload(models.Model):
    """A file sent with a form that came back with errors, kept for its next submission.

    The form carries a signed reference to it (``reference``); only the editor who sent the
    file can use or see it, for ``PENDING_UPLOAD_MAX_AGE``.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE
    )
    file = models.FileField(
        _("file"), upload_to=pending_upload_name, storage=pending_upload_storage, max_length=100
    )
    original_name = models.CharField(_("original name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=50)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    objects = PendingUploadQuerySet.as_manager()

    class Meta:
        verbose_name = _("pending upload")
        verbose_name_plural = _("pending uploads")

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("pending_upload", kwargs={"reference": self.reference})

    @classmethod
    def keep(cls, owner, upload) -> "PendingUpload":
        """Store ``upload`` (a validated image) for ``owner`` and return it."""
        # Each form sent back is a moment to forget the uploads nobody came back for.
        cls.objects.expired().discard()
        content_type = getattr(upload, "content_type", "") or ""
        pending = cls(
            owner=owner,
            original_name=os.path.basename(upload.name or "")[:255] or "image",
            content_type=content_type if content_type in PENDING_UPLOAD_EXTENSIONS else "",
        )
        upload.seek(0)
        pending.file.save(pending.original_name, upload, save=False)
        upload.seek(0)
        pending.save()
        return pending

    @classmethod
    def from_reference(cls, owner, reference: str) -> "PendingUpload | None":
        """Return the pending upload of ``owner`` that ``reference`` names, if still kept.

        A tampered, expired or someone else's reference names nothing.
        """
        if not reference or not getattr(owner, "is_authenticated", False):
            return None
        try:
            pk = signing.loads(
                reference,
                salt=PENDING_UPLOAD_SALT,
                max_age=PENDING_UPLOAD_MAX_AGE.total_seconds(),
            )
        except (signing.BadSignature, ValueError, TypeError):
            return None
        if not isinstance(pk, int):
            return None
        pending = cls.objects.filter(pk=pk, owner=owner).first()
        if pending is None or pending.is_expired() or not pending.file_exists():
            return None
        return pending

    @property
    def reference(self) -> str:
        """Return the signed reference a form carries to find this upload again."""
        return signing.dumps(self.pk, salt=PENDING_UPLOAD_SALT)

    def is_expired(self) -> bool:
        return self.created_at < timezone.now() - PENDING_UPLOAD_MAX_AGE

    def file_exists(self) -> bool:
        return bool(self.file.name) and self.file.storage.exists(self.file.name)


class PublishedSlugQuerySet(models.QuerySet):
    def of(self, obj):
        """Return the addresses ``obj`` has had."""
        from django.contrib.contenttypes.models import ContentType

        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


class PublishedSlug(models.Model):
    """A slug that an object's page has had in one language while visitors could see it.

    Its first row for a language fixes that language's address (``core.i18n``): the slug
    no longer follows the title. When an editor changes it, the old rows send visitors on
    to the new address.
    """

    content_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name=_("content type"), on_delete=models.CASCADE
    )
    object_id = models.PositiveBigIntegerField(_("object"))
    language = models.CharField(_("language"), max_length=10)
    slug = models.SlugField(_("slug"), max_length=200)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PublishedSlugQuerySet.as_manager()

    class Meta:
        verbose_name = _("published address")
        verbose_name_plural = _("published addresses")
        constraints = [
            # An address leads to one page: the object holding it last.
            models.UniqueConstraint(
                fields=["content_type", "language", "slug"], name="published_slug_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="published_slug_object"),
        ]

    def __str__(self):
        return f"{self.language}: {self.slug}"
