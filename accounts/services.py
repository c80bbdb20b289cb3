import math

from axes.utils import reset as axes_reset
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.roles import ERNST_ADMINS, PLATFORM_GROUP_PERMISSIONS


@transaction.atomic
def platform_groups_ensure() -> dict[str, Group]:
    """Create the platform groups and give each exactly its declared permissions."""
    groups: dict[str, Group] = {}
    for name, perms in PLATFORM_GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        query = Q(pk__in=[])
        for perm in perms:
            app_label, codename = perm.split(".", 1)
            query |= Q(content_type__app_label=app_label, codename=codename)
        wanted = set(Permission.objects.filter(query).values_list("pk", flat=True))
        if len(wanted) != len(perms):
            raise LookupError(f"Unknown permission in {name}: {perms}")
        current = set(group.permissions.values_list("pk", flat=True))
        if current != wanted:
            group.permissions.set(wanted)
        groups[name] = group
    return groups


@transaction.atomic
def platform_role_grant(*, user: User, group_name: str) -> bool:
    """Make a user an ERNST admin or an auditor; True if they were not one already.

    ERNST admins are staff too: they reach the (read-only where it matters) admin pages.
    """
    group = platform_groups_ensure()[group_name]
    added = not user.groups.filter(pk=group.pk).exists()
    if added:
        user.groups.add(group)
    if group_name == ERNST_ADMINS and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return added


# --- Two-factor authentication (django-otp) ----------------------------------------------------
TOTP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"
BACKUP_CODE_COUNT = 10
INVALID_CODE_MESSAGE = "That code is not valid. Check your authenticator app's clock and try again."
INVALID_BACKUP_CODE_MESSAGE = "That backup code is not valid or has already been used."


class TwoFactorError(Exception):
    """A code was refused; the message is for the person who typed it."""

    def __init__(self, message: str, *, throttled: bool = False) -> None:
        self.message = message
        self.throttled = throttled
        super().__init__(message)


def _throttle_message(device: Device) -> str | None:
    """django-otp's back-off after wrong codes, as a sentence, or None when a try is allowed."""
    allowed, data = device.verify_is_allowed()
    if allowed:
        return None
    data = data or {}
    locked_until = data.get("locked_until")
    if locked_until is not None:
        seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
        unit = "second" if seconds == 1 else "seconds"
        return f"Too many wrong codes. Wait {seconds} {unit} and try again."
    return data.get("error_message") or "Too many wrong codes. Wait a moment and try again."


def totp_device_get_or_create_unconfirmed(*, user: User) -> TOTPDevice:
    """The authenticator being set up: reused until it is confirmed, so the QR code is stable."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_device_confirm(*, device: TOTPDevice, token: str) -> list[str]:
    """Confirm an authenticator with a current code; return the new backup codes.

    The confirmed device replaces the user's other authenticators, and the backup codes replace
    any earlier ones.
    """
    throttled = _throttle_message(device)
    if throttled:
        raise TwoFactorError(throttled, throttled=True)
    # A wrong code is counted (django-otp throttling) and committed before the error is raised.
    if not device.verify_token(token):
        raise TwoFactorError(INVALID_CODE_MESSAGE)
    with transaction.atomic():
        TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return backup_codes_replace(user=device.user)


@transaction.atomic
def backup_codes_replace(*, user: User) -> list[str]:
    """Issue a fresh set of single-use backup codes; earlier codes stop working."""
    StaticDevice.objects.filter(user=user).exclude(name=BACKUP_DEVICE_NAME).delete()
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    device.confirmed = True
    device.throttle_reset(commit=False)
    device.save()
    return codes


def otp_token_verify(*, user: User, token: str) -> Device:
    """Return the confirmed device that accepts ``token``: a 6-digit code or a backup code.

    Raises TwoFactorError when no device accepts it, or when django-otp's throttling refuses to
    try (each wrong code doubles the wait before the next attempt).
    """
    is_totp = len(token) == 6 and token.isdigit()
    model: type[TOTPDevice] | type[StaticDevice] = TOTPDevice if is_totp else StaticDevice
    throttled: str | None = None
    with transaction.atomic():
        devices = model.objects.devices_for_user(user, confirmed=True).select_for_update()
        for device in devices:
            throttled = _throttle_message(device)
            if throttled is None and device.verify_token(token):
                return device
    if throttled:
        raise TwoFactorError(throttled, throttled=True)
    raise TwoFactorError(INVALID_CODE_MESSAGE if is_totp else INVALID_BACKUP_CODE_MESSAGE)


def login_failures_reset(*, user: User) -> int:
    """Lift the django-axes lockout on the user's e-mail address (after a password reset)."""
    return axes_reset(username=user.email)
