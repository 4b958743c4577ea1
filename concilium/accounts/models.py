"""Accounts: email identities, roles, registration requests and personal API tokens."""

import hashlib
import hmac
import secrets

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from concilium.core.roles import ROLES_REQUIRING_2FA, Role

#: Titles written before a name, skipped by the short name used in greetings (compared without the dot).
NAME_TITLES = frozenset({"dr", "prof", "professor", "pr", "med", "dott", "doc", "mr", "mrs", "ms", "mx"})


class AccountStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting activation")
    ACTIVE = "active", _("Active")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.setdefault("role", Role.NETWORK_ADMIN)
        fields.setdefault("status", AccountStatus.ACTIVE)
        fields.setdefault("is_active", True)
        return self.create_user(email, password, **fields)


def _new_session_salt() -> str:
    return secrets.token_hex(16)


class User(AbstractBaseUser):
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CLINICIAN)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AccountStatus.choices,
        default=AccountStatus.PENDING,
        db_index=True,
    )
    hospital = models.ForeignKey(
        "directory.Hospital",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("hospital"),
    )
    # Mirrors status == ACTIVE (a database constraint keeps them together) so that Django and its add-ons,
    # which look at is_active, refuse pending, rejected and suspended accounts everywhere.
    is_active = models.BooleanField(_("active"), default=False)
    # The language of the user's pages, emails and in-app notices; "" until they choose one, then the
    # browser's language is taken at registration or at the first sign-in (accounts.services.preferences).
    language = models.CharField(_("preferred language"), max_length=8, blank=True, default="")
    # The networks whose expert groups a network admin configures (a name, not an import of directory).
    administered_networks = models.ManyToManyField(
        "directory.Network",
        related_name="administrators",
        blank=True,
        verbose_name=_("networks administered"),
    )
    session_salt = models.CharField(max_length=32, default=_new_session_salt, editable=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_active=True, status="active")
                | (models.Q(is_active=False) & ~models.Q(status="active")),
                name="user_is_active_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def requires_2fa(self) -> bool:
        return self.role in ROLES_REQUIRING_2FA

    def get_session_auth_hash(self) -> str:
        """Bind sessions to the password and to a salt that 'log out everywhere' rotates."""
        key_salt = "concilium.accounts.User.get_session_auth_hash"
        return salted_hmac(key_salt, f"{self.password}:{self.session_salt}", algorithm="sha256").hexdigest()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        """The first name, for greetings: "Dr Nora Newcomer" and "Prof. Dr. Nora Newcomer" give "Nora"."""
        words = self.full_name.split()
        while len(words) > 1 and words[0].rstrip(".").casefold() in NAME_TITLES:
            words.pop(0)
        return words[0] if words else self.email


class RegistrationRequest(models.Model):
    """A clinician's request for an account, waiting in the helpdesk's activation queue (target: 24 hours)."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACTIVATED = "activated", _("Activated")
        REJECTED = "rejected", _("Rejected")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="registration")
    hospital = models.ForeignKey("directory.Hospital", on_delete=models.PROTECT, verbose_name=_("hospital"))
    country = models.CharField(_("country"), max_length=2)
    specialty = models.ForeignKey(
        "directory.Specialty", on_delete=models.PROTECT, verbose_name=_("specialty")
    )
    languages = models.ManyToManyField("directory.Language", verbose_name=_("languages"))
    professional_role = models.CharField(_("professional role"), max_length=120)
    reason = models.TextField(_("reason for access"), max_length=2000)
    acknowledged_privacy_at = models.DateTimeField()
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)
    decision = models.CharField(
        max_length=20, choices=Decision.choices, default=Decision.PENDING, db_index=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decision_reason = models.TextField(_("reason"), blank=True, max_length=2000)

    class Meta:
        ordering = ["submitted_at"]
        verbose_name = _("registration request")
        verbose_name_plural = _("registration requests")
        indexes = [models.Index(fields=["decision", "submitted_at"], name="registration_queue")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decision="rejected") | ~models.Q(decision_reason=""),
                name="registration_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(decision="pending", decided_at__isnull=True)
                | (~models.Q(decision="pending") & models.Q(decided_at__isnull=False)),
                name="registration_decided_at_matches_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class TokenScope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Write")
    DICOMWEB = "dicomweb", _("DICOMweb")
    FHIR = "fhir", _("FHIR")


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 hash is stored; the secret is shown once at creation."""

    PREFIX = "cnc_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_id = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_id})"

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    def matches(self, secret: str) -> bool:
        return hmac.compare_digest(self.key_hash, self.hash_secret(secret))

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
