"""Email addresses as donors type them, and as the limits on pledges see them."""

import unicodedata

# Domains whose mailboxes ignore dots in the local part (and where googlemail.com is
# another name of gmail.com).
DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def _ascii_domain(domain: str) -> str:
    """Return the domain in its ASCII (punycode) form, lower-case, without a final dot."""
    domain = unicodedata.normalize("NFC", domain).strip().rstrip(".").lower()
    try:
        return domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return domain


def mailbox_key(email: str) -> str:
    """Return one name for every spelling of a mailbox, for counting what it receives.

    Case, a Unicode domain and its punycode form, a ``+tag`` and, at Gmail, dots in the
    name all reach the same inbox, so they count as one. Only for counting: emails go to
    the address as the donor typed it.
    """
    email = unicodedata.normalize("NFC", (email or "").strip())
    local, at, domain = email.rpartition("@")
    if not at:
        return email.lower()
    local = local.lower().split("+", 1)[0]
    domain = _ascii_domain(domain)
    if domain in DOTLESS_DOMAINS:
        local, domain = local.replace(".", ""), DOTLESS_DOMAINS[domain]
    return f"{local}@{domain}"


def is_public_domain(email: str) -> bool:
    """Say whether the address is on a named domain of the Internet.

    Refuses what Django's validator lets through but no donor has: ``localhost`` and other
    names without a dot, and IP literals (``[127.0.0.1]``).
    """
    domain = email.rpartition("@")[2].strip()
    if domain.startswith("[") or not domain:
        return False
    ascii_domain = _ascii_domain(domain)
    labels = ascii_domain.split(".")
    if len(labels) < 2 or not all(labels):
        return False
    # A dotted quad is an address, not a name (no top-level domain is all digits).
    return not labels[-1].isdigit()
