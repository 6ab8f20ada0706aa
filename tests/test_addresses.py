"""How the pledge limits see an email address: every spelling of one mailbox as one."""

import pytest

from donations.addresses import is_public_domain, mailbox_key


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Marie@Example.org", "marie@example.org"),
        ("  marie+news@example.org ", "marie@example.org"),
        ("ma.rie+x@gmail.com", "marie@gmail.com"),
        ("Ma.Rie@googlemail.com", "marie@gmail.com"),
        ("ma.rie@example.org", "ma.rie@example.org"),  # dots matter elsewhere
        ("marie@exämple.org", "marie@xn--exmple-cua.org"),
        ("marie@exa\u0308mple.org", "marie@xn--exmple-cua.org"),
        ("marie@EXÄMPLE.ORG.", "marie@xn--exmple-cua.org"),
        ("marie@ｇｍａｉｌ.com", "marie@gmail.com"),  # full-width letters
    ],
)
def test_mailbox_key(typed, key):
    assert mailbox_key(typed) == key


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("marie@example.org", True),
        ("marie@exämple.org", True),
        ("marie@localhost", False),
        ("marie@intranet", False),
        ("marie@[127.0.0.1]", False),
        ("marie@127.0.0.1", False),
        ("marie@example.", False),
    ],
)
def test_is_public_domain(address, public):
    assert is_public_domain(address) is public
