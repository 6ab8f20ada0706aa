from django.http import FileResponse, Http404

from core.models import PendingUpload


def pending_upload(request, reference):
    """Show an editor the file they sent with a form that came back with errors.

    Reached through the admin site's own checks (staff only); nobody else's file is found.
    """
    pending = PendingUpload.from_reference(request.user, reference)
    if pending is None or not pending.content_type:
        raise Http404
    response = FileResponse(pending.file.open("rb"), content_type=pending.content_type)
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    return response
