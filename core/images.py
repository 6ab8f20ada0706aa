"""Uploaded images: validate, re-encode without metadata, and make sized renditions.

An upload is accepted only if Pillow decodes it completely as JPEG, PNG or WebP, within
the byte and pixel limits in settings. Accepted images are re-encoded (EXIF, GPS and
other metadata dropped, orientation applied) and WebP renditions are written beside
them at the widths in ``settings.IMAGE_RENDITION_WIDTHS``, so pages can offer
``srcset`` without touching the database or the image again.
"""

from __future__ import annotations

import io
import logging
import posixpath
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

logger = logging.getLogger(__name__)

ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def _open_checked(file) -> Image.Image:
    """Return the fully decoded image, or raise ValidationError saying what is wrong."""
    size = getattr(file, "size", None)
    if size is not None and size > settings.IMAGE_MAX_BYTES:
        raise ValidationError(
            _("This file is %(size)s; images may be at most %(limit)s."),
            code="file_too_large",
            params={
                "size": filesizeformat(size),
                "limit": filesizeformat(settings.IMAGE_MAX_BYTES),
            },
        )
    file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(file)
            image_format = image.format
            if image_format not in ACCEPTED_FORMATS:
                raise ValidationError(_("Upload a JPEG, PNG or WebP image."), code="invalid_format")
            width, height = image.size
            # Checked from the header, before the pixels are decoded into memory.
            if width * height > settings.IMAGE_MAX_PIXELS:
                raise ValidationError(
                    _(
                        "This image is %(width)s × %(height)s pixels; images may have "
                        "at most %(limit)s megapixels."
                    ),
                    code="too_many_pixels",
                    params={
                        "width": width,
                        "height": height,
                        "limit": settings.IMAGE_MAX_PIXELS // 1_000_000,
                    },
                )
            image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _("This image is too large to process safely."), code="too_many_pixels"
        ) from None
    except (OSError, SyntaxError, ValueError, Image.UnidentifiedImageError):
        raise ValidationError(
            _("This file is not a readable image, or it is damaged or incomplete."),
            code="invalid_image",
        ) from None
    finally:
        file.seek(0)
    image.format = image_format
    return image


def validate_image(file) -> None:
    """Refuse anything but a complete JPEG, PNG or WebP image within the limits."""
    if getattr(file, "_committed", False):
        return
    _open_checked(file)


def _encode(image: Image.Image, image_format: str) -> bytes:
    buffer = io.BytesIO()
    if image_format == "JPEG":
        image.convert("RGB").save(buffer, "JPEG", quality=85, optimize=True, progressive=True)
    elif image_format == "PNG":
        image.save(buffer, "PNG", optimize=True)
    else:
        image.save(buffer, "WEBP", quality=82, method=4)
    return buffer.getvalue()


def _prepared(image: Image.Image) -> Image.Image:
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    # A fresh image carries no metadata: no EXIF, no GPS, no comments.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    return clean


def rendition_name(name: str, width: int) -> str:
    """Return the storage name of an image's rendition at ``width`` pixels."""
    directory, filename = posixpath.split(name)
    stem = filename.rsplit(".", 1)[0]
    return posixpath.join(directory, "renditions", f"{stem}-{width}w.webp")


def rendition_widths(original_width: int | None) -> list[int]:
    """Return the rendition widths made for an image of this width."""
    if not original_width:
        return []
    return [w for w in settings.IMAGE_RENDITION_WIDTHS if w < original_width]


class SafeImageFieldFile(models.fields.files.ImageFieldFile):
    def rendition_url(self, width: int) -> str:
        return self.storage.url(rendition_name(self.name, width))

    def srcset(self) -> str:
        """Return a ``srcset`` value listing the renditions and the original."""
        if not self.name:
            return ""
        original_width = getattr(self.instance, self.field.width_field, None)
        parts = [f"{self.rendition_url(w)} {w}w" for w in rendition_widths(original_width)]
        if original_width:
            parts.append(f"{self.url} {original_width}w")
        return ", ".join(parts)

    def large_url(self) -> str:
        """Return the address of the image shown large: the widest rendition, or the
        original when it is no wider (and so has no smaller rendition worth showing)."""
        widest = max(settings.IMAGE_RENDITION_WIDTHS)
        original_width = getattr(self.instance, self.field.width_field or "", None)
        if original_width and original_width > widest:
            return self.rendition_url(widest)
        return self.url

    def save(self, name, content, save=True):
        """Store a re-encoded copy of the upload, then its renditions."""
        image = _open_checked(content)
        image_format = image.format
        clean = _prepared(image)
        stem = posixpath.basename(name).rsplit(".", 1)[0] or "image"
        filename = f"{stem}.{ACCEPTED_FORMATS[image_format]}"
        # Named, so that Django reads its dimensions into the width and height fields:
        # without them every later load of the row would open the file to measure it.
        encoded = ContentFile(_encode(clean, image_format), name=filename)
        super().save(filename, encoded, save=save)
        for width in rendition_widths(clean.width):
            height = max(1, round(clean.height * width / clean.width))
            resized = clean.resize((width, height), Image.Resampling.LANCZOS)
            self.storage.save(
                rendition_name(self.name, width), ContentFile(_encode(resized, "WEBP"))
            )

    def delete(self, save=True):
        if self.name:
            for width in settings.IMAGE_RENDITION_WIDTHS:
                self.storage.delete(rendition_name(self.name, width))
        super().delete(save=save)


class SafeImageField(models.ImageField):
    """An ImageField that validates, re-encodes and makes renditions of uploads."""

    attr_class = SafeImageFieldFile

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)
        self.validators.append(validate_image)

    def update_dimension_fields(self, instance, force=False, *args, **kwargs):
        """Record an upload's size; an unreadable upload is left for validation to refuse.

        Django reads the dimensions as soon as a file is assigned, before any validator
        runs, so a decompression bomb or a damaged file would otherwise raise there.
        """
        try:
            super().update_dimension_fields(instance, force, *args, **kwargs)
        except (Image.DecompressionBombError, OSError, SyntaxError, ValueError):
            if getattr(getattr(instance, self.attname), "_committed", True):
                # A stored file gone from the disk must not take its page down.
                logger.warning("Cannot read the image %s", getattr(instance, self.attname))
            for name in (self.width_field, self.height_field):
                if name:
                    setattr(instance, name, None)


def fill_missing_dimensions(model, field_name: str) -> int:
    """Record the width and height of stored images that lack them (for data migrations).

    Rows whose file is missing or unreadable are left as they are. Returns how many
    rows were filled.
    """
    from django.core.files.images import get_image_dimensions

    field = model._meta.get_field(field_name)
    filled = 0
    missing = model._default_manager.filter(**{f"{field.width_field}__isnull": True}).exclude(
        **{field_name: ""}
    )
    for pk, name in missing.values_list("pk", field_name).iterator():
        try:
            with field.storage.open(name) as stored:
                width, height = get_image_dimensions(stored)
        except (Image.DecompressionBombError, OSError, SyntaxError, ValueError):
            continue
        if width and height:
            model._default_manager.filter(pk=pk).update(
                **{field.width_field: width, field.height_field: height}
            )
            filled += 1
    return filled
