"""The clinician directory: networks, hospitals, specialties, languages and clinicians."""

import unicodedata
from typing import Any

from django.core.cache import cache
from django.db import models
from django.utils.translation import gettext_lazy as _

from concilium.core.translations import translated


def fold(text: str) -> str:
    """Lower-case, accent-free form of a name, used for fast case- and accent-insensitive search."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().strip()


class Network(models.Model):
    class Kind(models.TextChoices):
        ERN = "ern", _("European Reference Network")
        CLINICIANS = "clinicians", _("Clinicians network")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ERN)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")

    def __str__(self) -> str:
        return self.name


class Hospital(models.Model):
    name = models.CharField(_("name"), max_length=200)
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = models.CharField(
        _("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2 code"), db_index=True
    )
    is_reference_centre = models.BooleanField(_("reference centre"), default=False)
    networks = models.ManyToManyField(
        Network, related_name="hospitals", blank=True, verbose_name=_("networks")
    )

    class Meta:
        ordering = ["country", "name"]
        verbose_name = _("hospital")
        verbose_name_plural = _("hospitals")
        constraints = [
            models.UniqueConstraint(fields=["name", "country"], name="hospital_unique_name_country")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"


#: Where the directory keeps every specialty's translated names (a small table read on every search).
SPECIALTY_TRANSLATIONS_CACHE_KEY = "directory:specialty-translations:v1"


class Specialty(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    #: The name in the other site languages: {"de": {"name": "…"}, "fr": {"name": "…"}} (core.translations).
    translations = models.JSONField(_("translations"), default=dict, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("specialty")
        verbose_name_plural = _("specialties")

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        cache.delete(SPECIALTY_TRANSLATIONS_CACHE_KEY)  # the directory's cached names (selectors)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        deleted = super().delete(*args, **kwargs)
        cache.delete(SPECIALTY_TRANSLATIONS_CACHE_KEY)
        return deleted

    @property
    def display_name(self) -> str:
        """The name in the active language (the English name when it has no translation)."""
        return translated(self, "name")


class Language(models.Model):
    code = models.CharField(_("code"), max_length=8, primary_key=True, help_text=_("ISO 639-1 code"))
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        ordering = ["name"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self) -> str:
        return self.name


#: The directory shows listed clinicians only: its indexes leave the others out.
LISTED = models.Q(is_listed=True)


class Clinician(models.Model):
    """A listed clinician. Most have an account; operators may also import clinicians before they register."""

    full_name = models.CharField(_("full name"), max_length=200)
    search_name = models.CharField(max_length=200, editable=False)
    email = models.EmailField(_("email"), unique=True)
    hospital = models.ForeignKey(
        Hospital, on_delete=models.PROTECT, related_name="clinicians", verbose_name=_("hospital")
    )
    country = models.CharField(_("country"), max_length=2, editable=False)
    specialty = models.ForeignKey(
        Specialty, on_delete=models.PROTECT, related_name="clinicians", verbose_name=_("specialty")
    )
    languages = models.ManyToManyField(
        Language, related_name="clinicians", blank=True, verbose_name=_("languages")
    )
    networks = models.ManyToManyField(
        Network, related_name="clinicians", blank=True, verbose_name=_("networks")
    )
    user = models.OneToOneField(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="clinician"
    )
    is_listed = models.BooleanField(_("listed in the directory"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["search_name", "id"]
        verbose_name = _("clinician")
        verbose_name_plural = _("clinicians")
        # The directory reads listed clinicians in name order; these indexes answer it without the table.
        indexes = [
            models.Index(fields=["search_name", "id"], name="clinician_listed_name", condition=LISTED),
            models.Index(
                fields=["country", "search_name", "id"], name="clinician_listed_country", condition=LISTED
            ),
            models.Index(
                fields=["specialty", "search_name", "id"], name="clinician_listed_specialty", condition=LISTED
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_name = fold(self.full_name)
        self.country = self.hospital.country
        super().save(*args, **kwargs)
