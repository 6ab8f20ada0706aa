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
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-eval" not in policy
