from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User


def account_exists(*, email: str) -> bool:
    return User.objects.filter(email__iexact=email).exists()


def totp_device_confirmed_exists(*, user: User) -> bool:
    """Whether the user has finished setting up an authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()
