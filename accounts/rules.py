"""Who must give a second factor, and whether they have one."""

from django.conf import settings
from django_otp import user_has_device


def second_factor_required(user) -> bool:
    """Return whether ``user`` may reach the admin only with a second factor."""
    return user.is_superuser or user.groups.filter(name__in=settings.SECOND_FACTOR_GROUPS).exists()


def has_second_factor(user) -> bool:
    """Return whether ``user`` has a confirmed authenticator app."""
    return user_has_device(user, confirmed=True)
