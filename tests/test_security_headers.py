import re
from base64 import b64encode
from hashlib import sha256

from django.urls import reverse


def test_public_pages_send_a_strict_content_security_policy(client, demo):
    response = client.get(demo.get_absolute_url())
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_the_admin_sends_its_own_policy(admin_client):
    response = admin_client.get(reverse("admin:portfolio_project_add"))
    assert response.status_code == 200
    directives = dict(
        directive.strip().split(" ", 1)
        for directive in response.headers["Content-Security-Policy"].split(";")
    )
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in directives["script-src"]
    assert "unsafe-inline" not in directives["style-src"]
    # The one inline script, the rich-text editor's import map, is allowed by its hash.
    import_map = re.search(
        rb'<script type="importmap">(.*?)</script>', response.content, re.DOTALL
    ).group(1)
    digest = b64encode(sha256(import_map).digest()).decode()
    assert directives["script-src"] == f"'self' 'sha256-{digest}'"
