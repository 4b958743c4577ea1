"""Pseudonymised patients owned by a hospital, and their consents.

Identifying data is kept minimal: a generated pseudonym is what everyone sees; the hospital's own
identifier is stored encrypted (Fernet, key from PATIENT_ID_KEY) with a keyed digest (HMAC-SHA256) that
finds duplicates without decrypting. Consent decides what may be done with a patient: without a valid
care consent, no case goes before a panel.
"""

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

#: The 24 official languages of the European Union, in which consent forms can be held.
EU_LANGUAGES: list[tuple[str, str | Promise]] = [
    ("bg", _("Bulgarian")),
    ("cs", _("Czech")),
    ("da", _("Danish")),
    ("de", _("German")),
    ("el", _("Greek")),
    ("en", _("English")),
    ("es", _("Spanish")),
    ("et", _("Estonian")),
    ("fi", _("Finnish")),
    ("fr", _("French")),
    ("ga", _("Irish")),
    ("hr", _("Croatian")),
    ("hu", _("Hungarian")),
    ("it", _("Italian")),
    ("lt", _("Lithuanian")),
    ("lv", _("Latvian")),
    ("mt", _("Maltese")),
    ("nl", _("Dutch")),
    ("pl", _("Polish")),
    ("pt", _("Portuguese")),
    ("ro", _("Romanian")),
    ("sk", _("Slovak")),
    ("sl", _("Slovenian")),
    ("sv", _("Swedish")),
]


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class CodeSystem(models.TextChoices):
    ICD10 = "icd10", _("ICD-10")
    ORPHA = "orpha", _("ORPHAcode")


class DiagnosisCode(models.Model):
    """A searchable reference code (ICD-10 or ORPHAcode) for a diagnosis."""

    system = models.CharField(_("code system"), max_length=10, choices=CodeSystem.choices)
    code = models.CharField(_("code"), max_length=20)
    label = models.CharField(_("label"), max_length=300)
    search_text = models.CharField(max_length=340, editable=False, db_index=True)

    class Meta:
        ordering = ["system", "code"]
        verbose_name = _("diagnosis code")
        verbose_name_plural = _("diagnosis codes")
        constraints = [models.UniqueConstraint(fields=["system", "code"], name="diagnosiscode_unique")]

    def __str__(self) -> str:
        return f"{self.get_system_display()} {self.code} — {self.label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        from concilium.directory.models import fold

        self.search_text = fold(f"{self.code} {self.label}")
        super().save(*args, **kwargs)


#: Between the parts of a patient's search text: never typed (a search with control characters is refused),
#: so a search cannot match across the end of one part and the start of the next.
SEARCH_TEXT_SEPARATOR = "\x1f"


def patient_search_text(*, pseudonym: str, diagnosis: str) -> str:
    """What a search of patients, and of their cases, reads: pseudonym and diagnosis, lower-case and
    accent-free, so the search compares bytes instead of folding every row's text at every request."""
    from concilium.directory.models import fold

    return fold(pseudonym) + SEARCH_TEXT_SEPARATOR + fold(diagnosis)


class Patient(models.Model):
    pseudonym = models.CharField(_("pseudonym"), max_length=20, unique=True, editable=False)
    hospital = models.ForeignKey(
        "directory.Hospital", on_delete=models.PROTECT, related_name="patients", verbose_name=_("hospital")
    )
    birth_year = models.PositiveSmallIntegerField(_("year of birth"))
    birth_month = models.PositiveSmallIntegerField(_("month of birth"))
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices)
    country = models.CharField(_("country of residence"), max_length=2)
    #: The hospital's own identifier, Fernet-encrypted; never shown outside the owning hospital.
    local_id_encrypted = models.TextField(editable=False)
    #: HMAC-SHA256 of the normalised local identifier: duplicate detection without decryption.
    local_id_digest = models.CharField(max_length=64, editable=False)
    diagnosis = models.CharField(_("diagnosis"), max_length=300)
    diagnosis_code = models.ForeignKey(
        DiagnosisCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patients",
        verbose_name=_("diagnosis code"),
    )
    #: Derived from the pseudonym and the diagnosis on every save (`patient_search_text`).
    search_text = models.TextField(editable=False, default="")
    #: Denormalised from the consents (refreshed by the consent services) so lists show it without a query.
    has_care_consent = models.BooleanField(_("valid care consent"), default=False, editable=False)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("enrolled by")
    )
    enrolled_at = models.DateTimeField(_("enrolled"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-enrolled_at", "-id"]
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        constraints = [
            models.UniqueConstraint(fields=["hospital", "local_id_digest"], name="patient_unique_local_id"),
            models.CheckConstraint(
                condition=Q(birth_month__gte=1, birth_month__lte=12), name="patient_birth_month_valid"
            ),
        ]
        # "My patients": a hospital's patients newest first, a page at a time. The consent flag, the code and
        # the search text come after the order so that the consent filter, the count and a search (of the
        # patients or of the hospital's cases) read the index alone.
        indexes = [
            models.Index(
                fields=[
                    "hospital",
                    "-enrolled_at",
                    "-id",
                    "has_care_consent",
                    "diagnosis_code",
                    "search_text",
                ],
                name="patient_hospital_recent",
            )
        ]

    def __str__(self) -> str:
        return self.pseudonym

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = patient_search_text(pseudonym=self.pseudonym, diagnosis=self.diagnosis)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"pseudonym", "diagnosis"} & set(update_fields):
            kwargs["update_fields"] = [*update_fields, "search_text"]
        super().save(*args, **kwargs)


class ConsentFormTemplate(models.Model):
    """A blank consent form, one file per language and version, uploaded by a network admin."""

    language = models.CharField(_("language"), max_length=2, choices=EU_LANGUAGES)
    version = models.CharField(_("version"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    document = models.FileField(_("form"), upload_to="consent-forms/%Y/")
    is_current = models.BooleanField(_("current version"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["language", "-uploaded_at"]
        verbose_name = _("consent form")
        verbose_name_plural = _("consent forms")
        constraints = [
            models.UniqueConstraint(fields=["language", "version"], name="consentform_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language}, {self.version})"


class Signer(models.TextChoices):
    PATIENT = "patient", _("Patient")
    GUARDIAN = "guardian", _("Legal guardian")


class Consent(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="consents")
    for_care = models.BooleanField(
        _("care"),
        default=True,
        help_text=_("Required to enrol the patient and discuss the case with experts."),
    )
    for_registry = models.BooleanField(_("registry"), default=False)
    for_research_contact = models.BooleanField(_("being contacted for research"), default=False)
    language = models.CharField(_("language"), max_length=2, choices=EU_LANGUAGES)
    form = models.ForeignKey(
        ConsentFormTemplate, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("form")
    )
    form_version = models.CharField(_("form version"), max_length=20)
    signer = models.CharField(_("signed by"), max_length=10, choices=Signer.choices)
    guardian_name = models.CharField(_("name of the guardian"), max_length=200, blank=True)
    signed_on = models.DateField(_("date signed"))
    document = models.FileField(_("signed document"), upload_to="consents/%Y/%m/")
    document_type = models.CharField(max_length=100, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-signed_on", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=~Q(signer="guardian") | ~Q(guardian_name=""), name="consent_guardian_named"
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=models.F("signed_on")),
                name="consent_withdrawn_after_signed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} consent {self.signed_on}"

    def is_valid_on(self, day: date) -> bool:
        return self.signed_on <= day and (self.withdrawn_on is None or self.withdrawn_on > day)
