from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models

from rescue.choices import ChoiceLabels


class UserManager(BaseUserManager["User"]):
    """Users are identified by their e-mail address; there is no username."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields: object) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(
        self, email: str, password: str | None = None, **extra_fields: object
    ) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(
        self, email: str, password: str | None = None, **extra_fields: object
    ) -> "User":
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(ChoiceLabels, AbstractUser):
    """A person who signs in: coordinator, contributor, auditor or ERNST admin.

    What a user may do comes from institution memberships, audit assignments and platform groups,
    never from this model.
    """

    username = None  # type: ignore[assignment]
    email = models.EmailField("e-mail address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]  # the stubs declare a ClassVar

    objects = UserManager()  # type: ignore[misc,assignment]  # e-mail, not username, manager

    class Meta:
        ordering = ["email"]
        permissions = [("act_as_auditor", "Can be assigned audits as an external auditor")]

    def __str__(self) -> str:
        return self.get_full_name() or self.email
