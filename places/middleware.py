"""Maps' land put into the pages as they are served (``places.maps.with_land``)."""

from .maps import LAND_MARK_START, with_land

MARK = LAND_MARK_START.encode()


class MapLandMiddleware:
    """Fill in the land of the maps on an HTML page, before the page cache keeps it and
    gives it its ETag (this middleware comes after the page cache's)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and MARK in response.content
        ):
            response.content = with_land(response.content.decode(response.charset))
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
