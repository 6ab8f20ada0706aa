"""Error answers of the API."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response


def exception_handler(exc, context):
    """Answer like DRF's own handler, without marking the transaction for rollback.

    The API only reads, outside ``ATOMIC_REQUESTS`` (``core.pagecache.public_page``): a
    refused parameter has nothing to roll back, and must not doom a transaction it did
    not open (a test's, or a caller's).
    """
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    data = exc.detail if isinstance(exc.detail, list | dict) else {"detail": exc.detail}
    return Response(data, status=exc.status_code, headers=headers)
