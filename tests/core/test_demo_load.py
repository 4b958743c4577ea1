"""`concilium demo_load`: one account per role, the ERN PaedCan groups with their schedules, patients and
cases in every status so that each demo account lands on a working day, a year of history for the figures;
idempotent.

The demo is loaded once for the module (it plays about sixty cases through the services): in an outer
transaction that each test's own transaction nests in, rolled back at the end of the module.
"""

import io
from collections.abc import Iterator
from datetime import time, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Model
from django.test import override_settings
from django.utils import timezone, translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from concilium.accounts.models import AccountStatus, RegistrationRequest, User
from concilium.audit.models import AuditEvent
from concilium.cases.figures import MIN_CONTRIBUTIONS, case_figures
from concilium.cases.models import (
    Case,
    CaseAttachment,
    CaseMessage,
    CaseStatus,
    CaseTemplate,
    Contribution,
    PanelMember,
    PanelRole,
    Recommendation,
)
from concilium.cases.permissions import CasePolicy, FiguresPolicy
from concilium.cases.report import weasyprint_import_error
from concilium.cases.selectors import case_queue_for
from concilium.cases.services.attachments import sniff
from concilium.cases.services.recommendation import content_digest
from concilium.cases.services.templates import checklist_items, completeness, template_sections
from concilium.core.roles import ROLES_REQUIRING_2FA, Role
from concilium.demo.people import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET, PEOPLE
from concilium.directory.models import Clinician, Hospital, Language, Network, Specialty
from concilium.notifications.models import Notification
from concilium.patients.models import Consent, ConsentFormTemplate, DiagnosisCode, Patient
from concilium.scheduling.models import ExpertGroup, GroupMembership, Weekday

MODELS: list[type[Model]] = [
    User,
    Clinician,
    Hospital,
    Network,
    Specialty,
    Language,
    ExpertGroup,
    GroupMembership,
    RegistrationRequest,
    TOTPDevice,
    AuditEvent,
    Clinician.languages.through,
    Clinician.networks.through,
    Hospital.networks.through,
    DiagnosisCode,
    ConsentFormTemplate,
    CaseTemplate,
    Patient,
    Consent,
    Case,
    CaseAttachment,
    CaseMessage,
    PanelMember,
    Contribution,
    Recommendation,
    Notification,
]


def load() -> str:
    out = io.StringIO()
    call_command("demo_load", "--force", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def loaded_once(django_db_setup: None, django_db_blocker, tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        yield load()
        transaction.set_rollback(True)


@pytest.fixture
def loaded(loaded_once: str, db: None) -> str:
    return loaded_once


def user(email: str) -> User:
    return User.objects.get(email=email)


def test_it_refuses_to_run_with_debug_off_unless_forced(db: None) -> None:
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("demo_load", stdout=io.StringIO())
    assert not User.objects.exists()


def test_it_creates_one_account_per_role_with_the_documented_password(loaded: str) -> None:
    assert {account.role for account in DEMO_ACCOUNTS} == set(Role)
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(email=account.email)
        assert user.role == account.role and user.status == AccountStatus.ACTIVE and user.is_active
        assert user.check_password(DEMO_PASSWORD)
        assert Clinician.objects.filter(user=user, is_listed=True).exists()
        has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        assert has_device == (account.role in ROLES_REQUIRING_2FA)


def test_the_demo_authenticator_accepts_codes_from_the_printed_secret(loaded: str) -> None:
    import base64
    import time as clock

    device = TOTPDevice.objects.get(user__email="helpdesk@demo.concilium.eu")
    code = TOTP(base64.b32decode(DEMO_TOTP_SECRET), t0=0, step=30, digits=6)
    code.time = clock.time()
    assert device.verify_token(f"{code.token():06d}")


def test_demo_totp_prints_the_current_code_for_demo_accounts_only(loaded: str) -> None:
    out = io.StringIO()
    call_command("demo_totp", "coordinator@demo.concilium.eu", stdout=out, stderr=io.StringIO())
    printed = out.getvalue().strip()
    assert len(printed) == 6 and printed.isdigit()
    assert TOTPDevice.objects.get(user__email="coordinator@demo.concilium.eu").verify_token(printed)
    with pytest.raises(CommandError, match="not a demo account"):
        call_command("demo_totp", "someone@hospital.example")
    with pytest.raises(CommandError, match="no demo authenticator"):
        call_command("demo_totp", "clinician@demo.concilium.eu")


def test_it_prints_the_accounts_and_the_second_factor_hint(loaded: str) -> None:
    for account in DEMO_ACCOUNTS:
        assert account.email in loaded
    assert DEMO_PASSWORD in loaded and DEMO_TOTP_SECRET in loaded and "concilium demo_totp EMAIL" in loaded


def test_the_readme_lists_the_demo_accounts() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert f"`{DEMO_PASSWORD}`" in readme
    for account in DEMO_ACCOUNTS:
        assert f"| {account.role.label} | `{account.email}` |" in readme


def test_the_directory_has_hundreds_of_clinicians_in_six_countries_and_more(loaded: str) -> None:
    assert Clinician.objects.filter(is_listed=True).count() >= 300
    assert Hospital.objects.values("country").distinct().count() >= 6
    assert Hospital.objects.filter(is_reference_centre=True).exists()
    assert Hospital.objects.filter(is_reference_centre=False).exists()
    assert Language.objects.count() == 24
    codes = set(Network.objects.values_list("code", flat=True))
    assert {
        "ern-paedcan",
        "ern-euracan",
        "ern-bond",
        "ern-reconnet",
        "ern-epicare",
        "covid19-clinicians",
    } <= codes
    assert Network.objects.get(code="covid19-clinicians").kind == Network.Kind.CLINICIANS
    assert Clinician.networks.through.objects.values("network").distinct().count() >= 5
    assert Clinician.languages.through.objects.values("language").distinct().count() >= 12


def test_the_expert_groups_have_their_real_schedules(loaded: str) -> None:
    brain = ExpertGroup.objects.get(name="Brain Tumour Expert Group")
    assert (brain.weekday, brain.local_time, brain.time_zone) == (
        Weekday.TUESDAY,
        time(11, 0),
        "Europe/Brussels",
    )
    assert (brain.slot_count, brain.slot_minutes, brain.is_pre_evaluation) == (2, 20, False)
    ewing = ExpertGroup.objects.get(name="Ewing Sarcoma Expert Group")
    assert (ewing.weekday, ewing.local_time, ewing.time_zone) == (
        Weekday.FRIDAY,
        time(12, 30),
        "Europe/Brussels",
    )
    assert (ewing.slot_count, ewing.slot_minutes) == (2, 20)
    pre = ExpertGroup.objects.get(is_pre_evaluation=True)
    assert (pre.weekday, pre.slot_count) == (None, 0)
    assert {brain.network.code, ewing.network.code, pre.network.code} == {"ern-paedcan"}


def test_the_coordinator_account_coordinates_brain_tumour_and_members_are_experts(loaded: str) -> None:
    brain = ExpertGroup.objects.get(slug="paedcan-brain-tumour")
    coordinator = GroupMembership.objects.get(group=brain, role=GroupMembership.GroupRole.COORDINATOR)
    assert coordinator.user.email == "coordinator@demo.concilium.eu"
    for group in ExpertGroup.objects.all():
        members = GroupMembership.objects.filter(group=group, role=GroupMembership.GroupRole.MEMBER)
        assert members.count() >= 4
        assert {membership.user.role for membership in members} == {Role.EXPERT}
        assert (
            GroupMembership.objects.filter(group=group, role=GroupMembership.GroupRole.COORDINATOR).count()
            == 1
        )


def test_the_seed_documents_real_names_are_not_used(loaded: str) -> None:
    real = ["Rutkowski", "Mynarek", "Dirksen", "Timmermann", "Bielack", "Ladenstein", "Kager", "Obrecht"]
    names = " ".join(User.objects.values_list("full_name", flat=True))
    names += " ".join(Clinician.objects.values_list("full_name", flat=True))
    assert not [name for name in real if name in names]
    assert set(PEOPLE)  # every generated name comes from the invented lists


def test_three_pending_registrations_one_overdue(loaded: str) -> None:
    pending = RegistrationRequest.objects.filter(decision=RegistrationRequest.Decision.PENDING)
    assert pending.count() == 3
    ages = sorted((timezone.now() - request.submitted_at).total_seconds() / 3600 for request in pending)
    assert ages[0] < 24 and ages[-1] > 24
    for request in pending:
        assert request.user.status == AccountStatus.PENDING and not request.user.is_active
        assert request.languages.exists()


def test_loading_twice_creates_and_changes_nothing(loaded: str) -> None:
    counts = {model: model.objects.count() for model in MODELS}
    passwords = dict(User.objects.values_list("email", "password"))
    cases = list(Case.objects.order_by("pk").values_list("reference", "status", "submitted_at", "updated_at"))
    second = load()
    assert "nothing to create" in second
    assert {model: model.objects.count() for model in MODELS} == counts
    assert dict(User.objects.values_list("email", "password")) == passwords
    assert (
        list(Case.objects.order_by("pk").values_list("reference", "status", "submitted_at", "updated_at"))
        == cases
    )


# --- Patients and cases ---------------------------------------------------------------------------------


def test_the_demo_has_cases_in_every_status_across_the_three_groups(loaded: str) -> None:
    assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)
    groups = {"paedcan-brain-tumour", "paedcan-ewing-sarcoma", "paedcan-pre-evaluation"}
    assert set(Case.objects.values_list("group__slug", flat=True)) == groups
    for slug in groups:
        assert Case.objects.filter(group__slug=slug).order_by().values("status").distinct().count() >= 3
    assert (
        15 <= Patient.objects.filter(cases__created_at__gte=timezone.now() - timedelta(days=40)).count() <= 20
    )


def test_patients_are_fictional_at_several_hospitals_in_several_countries_with_consent(loaded: str) -> None:
    assert Patient.objects.values("hospital").distinct().count() >= 6
    assert Patient.objects.values("country").distinct().count() >= 6
    assert not Patient.objects.filter(consents__isnull=True).exists()
    assert set(ConsentFormTemplate.objects.values_list("language", flat=True)) >= {"en", "de", "fr"}
    assert Consent.objects.filter(form__language__in=["de", "fr"]).exists()
    assert (
        Consent.objects.filter(form__isnull=True).exclude(form_version="").exists()
    )  # a hospital's own form
    registry_only = Consent.objects.filter(for_care=False, for_registry=True)
    assert registry_only.filter(patient__has_care_consent=True).exists()


def test_the_withdrawn_consent_stopped_its_case_and_shuts_out_the_panel(loaded: str) -> None:
    withdrawn = Consent.objects.get(withdrawn_on__isnull=False)
    patient = withdrawn.patient
    assert not patient.has_care_consent and withdrawn.withdrawal_reason
    stopped = Case.objects.get(status=CaseStatus.STOPPED)
    assert stopped.patient == patient and stopped.stopped_at is not None
    coordinator = user("coordinator@demo.concilium.eu")
    assert stopped.group.memberships.filter(user=coordinator).exists()
    assert not CasePolicy.visible(coordinator).filter(pk=stopped.pk).exists()
    assert CasePolicy.visible(stopped.requester).filter(pk=stopped.pk).exists()


def test_the_clinician_has_drafts_a_case_awaiting_information_and_a_signed_recommendation(
    loaded: str,
) -> None:
    clinician = user("clinician@demo.concilium.eu")
    mine = Case.objects.filter(requester=clinician)
    assert Patient.objects.filter(enrolled_by=clinician).count() >= 5
    drafts = mine.filter(status=CaseStatus.DRAFT)
    assert drafts.count() >= 2
    assert any(not completeness(case).complete for case in drafts)  # the checklist says what is missing
    awaiting = mine.get(information_requested_at__isnull=False)
    assert awaiting.messages.filter(author__email="coordinator@demo.concilium.eu").exists()
    signed = mine.get(status=CaseStatus.SIGNED)
    assert signed.recommendation.signed_by is not None
    assert Notification.objects.filter(
        recipient=clinician, kind="recommendation_signed", channel="in_app", read_at__isnull=True
    ).exists()


def test_the_coordinator_has_a_queue_with_an_urgent_case_and_cases_waiting_over_a_week(loaded: str) -> None:
    coordinator = user("coordinator@demo.concilium.eu")
    queue = list(case_queue_for(actor=coordinator))
    assert len(queue) >= 3
    assert any(case.urgent for case in queue)
    week_ago = timezone.now() - timedelta(days=7)
    assert sum(case.submitted_at < week_ago for case in queue) >= 2
    assert case_queue_for(actor=coordinator, status=CaseStatus.SCHEDULED).exists()


def test_the_next_discussions_fall_on_the_groups_real_meeting_days(loaded: str) -> None:
    meetings = {
        "paedcan-brain-tumour": (Weekday.TUESDAY, time(11, 0)),
        "paedcan-ewing-sarcoma": (4, time(12, 30)),
    }
    scheduled = Case.objects.filter(status=CaseStatus.SCHEDULED, group__slug__in=meetings)
    assert scheduled.count() >= 2
    for case in scheduled.select_related("group"):
        local = timezone.localtime(case.discussion_on)
        assert (local.weekday(), local.time()) == meetings[case.group.slug]
        assert timezone.now() < case.discussion_on < timezone.now() + timedelta(days=7)


def test_the_expert_discusses_on_panels_and_leads_a_discussed_case_ready_to_sign(loaded: str) -> None:
    expert = user("expert@demo.concilium.eu")
    seats = PanelMember.objects.filter(user=expert, case__status__in=["accepted", "scheduled", "discussed"])
    assert seats.count() >= 3
    assert Contribution.objects.filter(mentions=expert, case__status__in=["accepted", "scheduled"]).exists()
    lead = PanelMember.objects.get(user=expert, role=PanelRole.LEAD, case__status=CaseStatus.DISCUSSED)
    draft = lead.case.recommendation
    assert draft.signed_at is None and draft.summary and draft.participants.exists()
    assert PanelMember.objects.filter(role=PanelRole.GUEST, expires_at__gt=timezone.now()).exists()


def test_the_figures_hold_a_year_of_history_with_thin_panels_flagged(loaded: str) -> None:
    admin = user("admin@demo.concilium.eu")
    today = timezone.localdate()
    figures = case_figures(
        cases=FiguresPolicy.cases(admin), start=today.replace(year=today.year - 1, day=1), end=today
    )
    assert len(figures.months) >= 12
    assert figures.total.requested >= 50 and figures.total.declined >= 3
    assert figures.total.waiting is not None and figures.total.to_signature is not None
    assert len(figures.flagged) >= 2
    assert all(row["contributions_made"] < MIN_CONTRIBUTIONS for row in figures.flagged)
    assert Case.objects.filter(reference__startswith=f"C-{today.year - 1}-").exists()  # numbered by year


def test_attachments_are_valid_pdfs_and_pngs(loaded: str) -> None:
    kinds = set()
    for attachment in CaseAttachment.objects.all():
        with attachment.file.open("rb") as stream:
            found = sniff(stream)
        assert found is not None and found.content_type == attachment.content_type
        kinds.add(found.content_type)
    assert kinds == {"application/pdf", "image/png"}


def test_signed_recommendations_fingerprint_their_dated_content(loaded: str) -> None:
    signed = Recommendation.objects.filter(signed_at__isnull=False).select_related("case")
    assert signed.count() >= 30
    for recommendation in signed:
        assert recommendation.content_sha256 == content_digest(recommendation)
        assert recommendation.case.signed_at == recommendation.signed_at < timezone.now() - timedelta(days=1)
    if weasyprint_import_error() is None:
        assert not signed.filter(report="").exists()


def test_the_demos_past_notifications_were_sent_and_the_old_ones_read(loaded: str) -> None:
    assert not Notification.objects.filter(channel="email", status="pending").exists()
    old = Notification.objects.filter(channel="in_app", created_at__lt=timezone.now() - timedelta(days=3))
    assert old.exists() and not old.filter(read_at__isnull=True).exists()


def test_the_reference_data_reads_in_german_and_french(loaded: str) -> None:
    for language in ("de", "fr"):
        with translation.override(language):
            for specialty in Specialty.objects.all():
                assert specialty.display_name != specialty.name, (language, specialty.name)
            for group in ExpertGroup.objects.all():
                assert group.display_name != group.name
                assert group.display_description != group.description
            for template in CaseTemplate.objects.select_related("group"):
                english = {item["key"]: item["label"] for item in template.checklist}
                for item in checklist_items(template):
                    assert item["label"] != english[item["key"]], (language, item["key"])
                for section in template_sections(template):
                    raw = next(s for s in template.sections if s["field"] == section.field)["guidance"]
                    assert not raw or section.guidance != raw, (language, section.field)


def test_a_demo_loaded_before_the_translations_existed_gets_them(loaded: str) -> None:
    Specialty.objects.filter(name="Haematology").update(translations={})
    ExpertGroup.objects.filter(slug="paedcan-brain-tumour").update(translations={})
    CaseTemplate.objects.filter(group__slug="paedcan-brain-tumour").update(translations={})
    load()
    with translation.override("de"):
        assert Specialty.objects.get(name="Haematology").display_name == "Hämatologie"
        assert (
            ExpertGroup.objects.get(slug="paedcan-brain-tumour").display_name == "Expertengruppe Hirntumoren"
        )
        template = CaseTemplate.objects.get(group__slug="paedcan-brain-tumour")
        labels = {item["key"]: item["label"] for item in checklist_items(template)}
    assert labels["tumour-board"] == "Im lokalen Tumorboard besprochen"
