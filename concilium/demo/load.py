"""Loading the demo: idempotent (a second run creates and changes nothing), fictional people only."""

import base64
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from concilium.accounts.models import AccountStatus, RegistrationRequest, User
from concilium.audit.services import audit_record
from concilium.core.roles import Role
from concilium.demo.case_stories import ADMIN_EMAIL, REQUESTERS
from concilium.demo.people import (
    CLINICIAN_COUNT,
    DEMO_ACCOUNTS,
    DEMO_DOMAIN,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    EUROPE_BRUSSELS,
    EXPERT_GROUPS,
    GROUP_COORDINATORS,
    HOSPITALS,
    NETWORKS,
    PENDING_REGISTRATIONS,
    PEOPLE,
    SPECIALTIES,
)
from concilium.demo.translations import GROUP_TRANSLATIONS, SPECIALTY_NAMES, TEMPLATE_TRANSLATIONS
from concilium.directory.models import (
    SPECIALTY_TRANSLATIONS_CACHE_KEY,
    Clinician,
    Hospital,
    Language,
    Network,
    Specialty,
    fold,
)
from concilium.directory.reference import EU_LANGUAGES
from concilium.scheduling.models import ExpertGroup, GroupMembership
from concilium.scheduling.services import expert_group_upsert, group_member_add

DEMO_DEVICE_NAME = "Demo authenticator"
SEED = 20261122


def demo_totp_key_hex() -> str:
    """The demo TOTP secret as django-otp stores it (hex)."""
    return base64.b32decode(DEMO_TOTP_SECRET).hex()


def is_demo_address(email: str) -> bool:
    return email.strip().lower().endswith("@" + DEMO_DOMAIN)


@dataclass
class DemoSummary:
    created: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, count: int = 1) -> None:
        if count:
            self.created[kind] = self.created.get(kind, 0) + count


class _Loader:
    def __init__(self) -> None:
        self.summary = DemoSummary()
        self.hospitals: dict[str, Hospital] = {}
        self.specialties: dict[str, Specialty] = {}
        self.networks: dict[str, Network] = {}
        self._password_hash = ""

    def password_hash(self) -> str:
        """One hash for all demo accounts: hashing is slow on purpose, and the password is public anyway."""
        if not self._password_hash:
            self._password_hash = make_password(DEMO_PASSWORD)
        return self._password_hash

    def reference_data(self) -> None:
        for code, name in EU_LANGUAGES.items():
            _, created = Language.objects.get_or_create(code=code, defaults={"name": name})
            self.summary.add("languages", created)
        for code, name, kind, description in NETWORKS:
            network, created = Network.objects.get_or_create(
                code=code, defaults={"name": name, "kind": kind, "description": description}
            )
            self.networks[code] = network
            self.summary.add("networks", created)
        for name in SPECIALTIES:
            specialty, created = Specialty.objects.get_or_create(
                name=name, defaults={"translations": _name_translations(SPECIALTY_NAMES.get(name, {}))}
            )
            self.specialties[name] = specialty
            self.summary.add("specialties", created)
        for spec in HOSPITALS:
            hospital, created = Hospital.objects.get_or_create(
                name=spec.name,
                country=spec.country,
                defaults={"city": spec.city, "is_reference_centre": spec.is_reference_centre},
            )
            if created:
                hospital.networks.set([self.networks[code] for code in spec.networks])
            self.hospitals[spec.name] = hospital
            self.summary.add("hospitals", created)

    def user(
        self,
        *,
        email: str,
        full_name: str,
        role: Role,
        hospital: str,
        status: str = AccountStatus.ACTIVE,
        can_sign_in: bool = True,
        language: str = "",  # "": the first sign-in takes the browser's language
    ) -> tuple[User, bool]:
        user = User.objects.filter(email=email).first()
        if user is not None:
            return user, False
        user = User.objects.create(
            email=email,
            password=self.password_hash() if can_sign_in else make_password(None),
            full_name=full_name,
            role=role,
            hospital=self.hospitals[hospital],
            status=status,
            is_active=status == AccountStatus.ACTIVE,
            language=language,
        )
        audit_record(action="account.create", obj=user, detail={"source": "demo_load", "role": role})
        self.summary.add("accounts")
        return user, True

    def directory_entry(
        self, user: User, specialty: str, languages: tuple[str, ...], networks: tuple[str, ...]
    ) -> None:
        if Clinician.objects.filter(email=user.email).exists():
            return
        clinician = Clinician(
            full_name=user.full_name,
            email=user.email,
            hospital=user.hospital,
            specialty=self.specialties[specialty],
            user=user,
        )
        clinician.save()
        clinician.languages.set(languages)  # type: ignore[arg-type]  # stubs want int pks; these are codes
        clinician.networks.set([self.networks[code] for code in networks])
        self.summary.add("clinicians")

    def demo_accounts(self) -> None:
        for account in DEMO_ACCOUNTS:
            hospital = next(spec for spec in HOSPITALS if spec.name == account.hospital)
            user, created = self.user(
                email=account.email, full_name=account.full_name, role=account.role, hospital=account.hospital
            )
            if created and user.requires_2fa:
                TOTPDevice.objects.create(
                    user=user, name=DEMO_DEVICE_NAME, key=demo_totp_key_hex(), confirmed=True
                )
                audit_record(action="account.2fa_enrol", obj=user, detail={"source": "demo_load"})
            network = SPECIALTIES.get(account.specialty) or "ern-paedcan"
            self.directory_entry(user, account.specialty, (PEOPLE[hospital.country][2], "en"), (network,))

    def expert(self, email: str, full_name: str, hospital: str, specialty: str, role: Role) -> User:
        """A fictional expert: an active account without a usable password, listed in the directory."""
        user, _created = self.user(
            email=email, full_name=full_name, role=role, hospital=hospital, can_sign_in=False
        )
        country = self.hospitals[hospital].country
        self.directory_entry(
            user, specialty, tuple(dict.fromkeys((PEOPLE[country][2], "en"))), ("ern-paedcan",)
        )
        return user

    def expert_groups(self) -> None:
        for email, full_name, hospital, specialty in GROUP_COORDINATORS:
            self.expert(email, full_name, hospital, specialty, Role.COORDINATOR)
        paedcan = self.networks["ern-paedcan"]
        paedcan.administrators.add(*User.objects.filter(email=ADMIN_EMAIL))  # configures its groups
        expert_account = User.objects.get(email=f"expert@{DEMO_DOMAIN}")
        for spec in EXPERT_GROUPS:
            if ExpertGroup.objects.filter(slug=spec.slug).exists():
                continue
            group, _created = expert_group_upsert(
                network=paedcan,
                slug=spec.slug,
                name=spec.name,
                description=spec.description,
                is_pre_evaluation=spec.is_pre_evaluation,
                contact_email=f"{spec.slug}@{DEMO_DOMAIN}",
                weekday=spec.weekday,
                local_time=spec.local_time,
                time_zone=EUROPE_BRUSSELS,
                slot_count=spec.slot_count,
                slot_minutes=20,
                translations=GROUP_TRANSLATIONS.get(spec.slug, {}),
            )
            self.summary.add("expert groups")
            coordinator = User.objects.get(email=spec.coordinator)
            group_member_add(group=group, user=coordinator, role=GroupMembership.GroupRole.COORDINATOR)
            if not spec.is_pre_evaluation:
                group_member_add(group=group, user=expert_account)
            for full_name, hospital, specialty in spec.members:
                email = f"{_slug(full_name)}@{DEMO_DOMAIN}"
                group_member_add(
                    group=group, user=self.expert(email, full_name, hospital, specialty, Role.EXPERT)
                )

    def reference_translations(self) -> None:
        """German and French for the demo's specialties, groups and case templates that have none yet (a
        database loaded before they existed); translations already there are left as they are."""
        from concilium.cases.models import CaseTemplate

        filled = 0
        for name, names in SPECIALTY_NAMES.items():
            filled += Specialty.objects.filter(name=name, translations={}).update(
                translations=_name_translations(names)
            )
        cache.delete(SPECIALTY_TRANSLATIONS_CACHE_KEY)  # written past Specialty.save
        for slug, texts in GROUP_TRANSLATIONS.items():
            filled += ExpertGroup.objects.filter(slug=slug, translations={}).update(translations=texts)
        for slug, texts in TEMPLATE_TRANSLATIONS.items():
            filled += CaseTemplate.objects.filter(group__slug=slug, translations={}).update(
                translations=texts
            )
        self.summary.add("translations", filled)

    def pending_registrations(self) -> None:
        now = timezone.now()
        for (
            full_name,
            email,
            hospital,
            specialty,
            professional_role,
            hours,
            languages,
        ) in PENDING_REGISTRATIONS:
            user, created = self.user(
                email=email,
                full_name=full_name,
                role=Role.CLINICIAN,
                hospital=hospital,
                status=AccountStatus.PENDING,
            )
            if not created:
                continue
            submitted = now - timedelta(hours=hours)
            at_hospital = self.hospitals[hospital]  # the new user's
            request = RegistrationRequest.objects.create(
                user=user,
                hospital=at_hospital,
                country=at_hospital.country,
                specialty=self.specialties[specialty],
                professional_role=professional_role,
                reason="Would like to ask the expert groups about complex cases at our hospital.",
                acknowledged_privacy_at=submitted,
                submitted_at=submitted,
            )
            request.languages.set(languages)  # type: ignore[arg-type]  # stubs want int pks; these are codes
            self.summary.add("registration requests")

    def requesters(self) -> None:
        """Treating clinicians at six hospitals who put cases to the groups (they cannot sign in)."""
        for email, full_name, hospital, specialty in REQUESTERS:
            self.expert(email, full_name, hospital, specialty, Role.CLINICIAN)

    def patients_and_cases(self) -> None:
        """Consent forms and the groups' case sheets, then this week's patients and cases, and a past year."""
        from concilium.cases.models import CaseTemplate
        from concilium.demo.case_templates import DEMO_TEMPLATES, demo_case_templates
        from concilium.demo.cases import demo_cases
        from concilium.demo.consent_forms import demo_consent_forms
        from concilium.patients.codes import bundled_codes_load
        from concilium.patients.models import DiagnosisCode

        admin = User.objects.get(email=ADMIN_EMAIL)
        if not DiagnosisCode.objects.exists():
            self.summary.add("diagnosis codes", bundled_codes_load().created)
        self.summary.add("consent forms", demo_consent_forms(actor=admin))
        if not CaseTemplate.objects.filter(group__slug__in=DEMO_TEMPLATES).exists():
            self.summary.add("case templates", demo_case_templates(actor=admin))
        patients, cases = demo_cases()
        self.summary.add("patients", patients)
        self.summary.add("cases", cases)

    def clinicians(self) -> None:
        """About 300 listed clinicians with varied languages and networks, the same on every run."""
        rng = random.Random(SEED)  # noqa: S311 - deterministic demo data, not security
        existing = set(Clinician.objects.values_list("email", flat=True))
        specialties = [name for name, network in SPECIALTIES.items() if network]
        new: list[tuple[Clinician, list[str], list[str]]] = []
        used: set[str] = set()
        for index in range(CLINICIAN_COUNT):
            spec = HOSPITALS[index % len(HOSPITALS)]
            firsts, lasts, language = PEOPLE[spec.country]
            full_name = f"{rng.choice(firsts)} {rng.choice(lasts)}"
            email = f"{_slug(full_name)}@{spec.domain}"
            while email in used:
                email = email.replace("@", f".{index}@", 1)
            used.add(email)
            specialty = rng.choice(specialties)
            languages = [language, "en"]
            languages += rng.sample(sorted(set(EU_LANGUAGES) - set(languages)), rng.choice((0, 0, 1, 1, 2)))
            home = SPECIALTIES[specialty]
            networks = [home] if home in spec.networks or rng.random() < 0.5 else []
            if rng.random() < 0.3:
                networks.append(rng.choice(spec.networks))
            if email in existing:
                continue
            hospital = self.hospitals[spec.name]
            clinician = Clinician(
                full_name=full_name,
                search_name=fold(full_name),
                email=email,
                hospital=hospital,
                country=hospital.country,
                specialty=self.specialties[specialty],
            )
            new.append((clinician, list(dict.fromkeys(languages)), list(dict.fromkeys(networks))))
        Clinician.objects.bulk_create([clinician for clinician, _, _ in new])
        Clinician.languages.through.objects.bulk_create(
            [
                Clinician.languages.through(clinician_id=clinician.pk, language_id=code)
                for clinician, codes, _ in new
                for code in codes
            ]
        )
        Clinician.networks.through.objects.bulk_create(
            [
                Clinician.networks.through(clinician_id=clinician.pk, network_id=self.networks[code].pk)
                for clinician, _, codes in new
                for code in codes
            ]
        )
        self.summary.add("clinicians", len(new))


def _name_translations(names: dict[str, str]) -> dict[str, dict[str, str]]:
    """{"de": "Hämatologie"} as a `translations` value: {"de": {"name": "Hämatologie"}}."""
    return {language: {"name": name} for language, name in names.items()}


def _slug(full_name: str) -> str:
    """'Łukasz Wróbel' -> 'lukasz.wrobel' for invented email addresses."""
    ascii_name = unicodedata.normalize("NFKD", full_name.replace("Ł", "L").replace("ł", "l"))
    ascii_name = ascii_name.encode("ascii", "ignore").decode().lower()
    return ".".join(
        "".join(ch for ch in part if ch.isalnum()) for part in ascii_name.replace("-", " ").split()
    )


@transaction.atomic
def demo_load(**_options: Any) -> DemoSummary:
    """Create whatever of the demo is missing; leave everything that exists as it is."""
    loader = _Loader()
    loader.reference_data()
    loader.demo_accounts()
    loader.expert_groups()
    loader.pending_registrations()
    loader.clinicians()
    loader.requesters()
    loader.patients_and_cases()
    loader.reference_translations()
    return loader.summary
