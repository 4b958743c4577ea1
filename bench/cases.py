"""Benchmark: the case pages at 100,000 cases (latency percentiles and queries per request).

    .venv/bin/python bench/cases.py [--cases 100000] [--requests 200] [--compare-at 1000]

Uses DATABASE_URL when set (PostgreSQL: the database name must contain "bench"; it is dropped and created
afresh), else SQLite in a temporary directory. It migrates, bulk-creates `--compare-at` cases with their
patients (0.6 per case), consents, attachments, pre-selection messages, panels (the group's members, as
accepting a case seats them), contributions and recommendations, and counts the queries of every mix; then
grows the data to `--cases` and requests the pages through django.test.Client as three signed-in users: a
clinician of the biggest hospital ("My cases", the case page, "My patients"), the coordinator of the busiest
group (the queue, the case page) and an expert of two busy groups ("My panels", the case page). It prints
p50/p95/max latency, the p95 of the time spent in the database, and the number of queries per request, which
must not vary with the data's size (nor between requests of a mix): the run exits with status 1 when it
does. Latency is reported, never asserted (the target, p95 under 50 ms on PostgreSQL, is judged in the
summary).
"""

import argparse
import datetime
import io
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.directory_search import (  # noqa: E402  (the path above makes the sibling benchmark importable)
    COUNTRIES,
    FIRST,
    LAST,
    QueryCounter,
    configure,
    database_version,
    percentile,
    quiet_session_writes,
)

TARGET_P95_MS = 50.0
BATCH = 5000
HOSPITALS = 120
NETWORKS = 6
GROUPS_PER_NETWORK = 6
#: Patients per case: most patients have one case, some two or three.
PATIENTS_PER_CASE = 0.6
#: Cases are created over this many days, and move through the workflow at a realistic pace (see _lifecycle).
HISTORY_DAYS = 4 * 365
#: Share of patients whose care consent was later withdrawn (their open cases are stopped).
WITHDRAWN_SHARE = 0.04
PERSONAS = {
    "clinician": "bench-clinician@bench.example",
    "coordinator": "bench-coordinator@bench.example",
    "expert": "bench-expert@bench.example",
}
STATUSES = (
    "draft",
    "submitted",
    "accepted",
    "scheduled",
    "discussed",
    "signed",
    "closed",
    "declined",
    "stopped",
)
#: Statuses whose case has a panel (accepting a case seats its group).
SEATED_STATUSES = ("accepted", "scheduled", "discussed", "signed", "closed")
DISCUSSED_STATUSES = ("discussed", "signed", "closed")
SENTENCES = (
    "Progressive weakness of the lower limbs over eighteen months.",
    "MRI shows a contrast-enhancing lesion of 2.3 cm in the left temporal lobe.",
    "Biopsy confirmed the diagnosis; molecular panel pending.",
    "Haemoglobin 10.2 g/dl, CRP 34 mg/l, normal renal function.",
    "Two lines of chemotherapy with partial response, then progression.",
    "Family history of early-onset disease in two first-degree relatives.",
    "Is surgery still an option, or should we refer for a trial?",
    "The tumour board could not agree on the next line of treatment.",
    "Genetic testing found a variant of unknown significance.",
    "Symptoms started in childhood with recurrent infections.",
    "PET-CT without distant metastases.",
    "Would the panel recommend a second opinion on the pathology slides?",
)
CHECKLIST = [
    {"key": "imaging", "label": "Imaging report attached", "kind": "attachment"},
    {"key": "pathology", "label": "Pathology report attached", "kind": "attachment"},
    {"key": "consent-checked", "label": "Consent form checked", "kind": "confirm"},
]
ATTACHMENT_KINDS = (
    ("pdf", "application/pdf", "report.pdf"),
    ("image", "image/png", "scan.png"),
    ("document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "letter.docx"),
)


def zipf_weights(count: int, exponent: float = 0.8) -> list[float]:
    """A few big ones and a long tail: weight 1/(rank + 1)^exponent."""
    return [1 / (rank + 1) ** exponent for rank in range(count)]


@dataclass
class World:
    """The fixed people and places the cases point to, and what the generator needs to keep growing."""

    hospitals: list[tuple[int, str]]
    hospital_weights: list[float]
    clinicians: dict[int, list[int]]  # hospital id -> its clinicians' user ids (requesters, enrollers)
    groups: list[int]
    group_weights: list[float]
    experts: dict[int, list[int]]  # group id -> its members' user ids
    coordinators: dict[int, list[int]]  # group id -> its coordinators' user ids
    codes: list[tuple[int, str]]  # diagnosis code id and label
    users: dict[str, int]  # persona -> user id
    pseudonyms: set[str] = field(default_factory=set)
    patients: int = 0


def create_world(rng: random.Random) -> World:
    """Networks, expert groups with templates and members, hospitals, clinicians and the three personas."""
    from django.core.management import call_command
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from concilium.accounts.models import AccountStatus, User
    from concilium.cases.models import CaseTemplate
    from concilium.core.roles import Role
    from concilium.directory.models import Hospital, Network
    from concilium.patients.models import DiagnosisCode
    from concilium.scheduling.models import ExpertGroup, GroupMembership

    call_command("diagnosis_codes_load", verbosity=0, stdout=io.StringIO())
    codes = list(DiagnosisCode.objects.values_list("id", "label"))
    networks = Network.objects.bulk_create(
        [Network(code=f"ern-cases-{index}", name=f"ERN Cases {index}") for index in range(NETWORKS)]
    )
    groups = ExpertGroup.objects.bulk_create(
        [
            ExpertGroup(
                network=network,
                name=f"{network.name} group {index}",
                slug=f"{network.code}-group-{index}",
                weekday=index % 5,
            )
            for network in networks
            for index in range(GROUPS_PER_NETWORK)
        ]
    )
    rng.shuffle(groups)  # the busiest groups are spread over the networks
    sections = [
        {"field": name, "required": name in ("clinical_history", "question"), "guidance": ""}
        for name in ("clinical_history", "imaging_findings", "pathology", "laboratory", "treatment_so_far")
    ] + [{"field": "question", "required": True, "guidance": "One precise question."}]
    CaseTemplate.objects.bulk_create(
        [
            CaseTemplate(group=group, sections=sections, checklist=CHECKLIST if index % 2 == 0 else [])
            for index, group in enumerate(groups[:-4])  # a few groups keep the default template
        ]
    )
    hospitals = Hospital.objects.bulk_create(
        [
            Hospital(
                name=f"Cases Hospital {index:03d}",
                city=f"City {index}",
                country=COUNTRIES[index % len(COUNTRIES)],
                is_reference_centre=index % 3 == 0,
            )
            for index in range(HOSPITALS)
        ]
    )
    weights = zipf_weights(HOSPITALS)
    users: list[User] = []

    def user(email: str, role: str, hospital: Hospital) -> User:
        created = User(
            email=email,
            full_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            role=role,
            status=AccountStatus.ACTIVE,
            is_active=True,
            hospital=hospital,
        )
        users.append(created)
        return created

    clinician_rows: list[tuple[int, User]] = []
    for index, hospital in enumerate(hospitals):
        for number in range(max(3, round(400 * weights[index] / sum(weights) * 10))):
            clinician_rows.append(
                (hospital.pk, user(f"clin{index}-{number}@bench.example", Role.CLINICIAN, hospital))
            )
    member_rows: list[tuple[int, User, str]] = []
    for index, group in enumerate(groups):
        for number in range(rng.randint(5, 10)):
            member = user(f"expert{index}-{number}@bench.example", Role.EXPERT, rng.choice(hospitals))
            member_rows.append((group.pk, member, GroupMembership.GroupRole.MEMBER))
        for number in range(rng.randint(1, 2)):
            coordinator = user(
                f"coord{index}-{number}@bench.example", Role.COORDINATOR, rng.choice(hospitals)
            )
            member_rows.append((group.pk, coordinator, GroupMembership.GroupRole.COORDINATOR))
    personas = {
        "clinician": user(PERSONAS["clinician"], Role.CLINICIAN, hospitals[0]),
        "coordinator": user(PERSONAS["coordinator"], Role.COORDINATOR, hospitals[60]),
        "expert": user(PERSONAS["expert"], Role.EXPERT, hospitals[10]),
    }
    clinician_rows.append((hospitals[0].pk, personas["clinician"]))
    # The coordinator coordinates the busiest group and a quieter one; the expert sits in two busy groups.
    member_rows += [
        (groups[0].pk, personas["coordinator"], GroupMembership.GroupRole.COORDINATOR),
        (groups[7].pk, personas["coordinator"], GroupMembership.GroupRole.COORDINATOR),
        (groups[1].pk, personas["expert"], GroupMembership.GroupRole.MEMBER),
        (groups[2].pk, personas["expert"], GroupMembership.GroupRole.MEMBER),
    ]
    User.objects.bulk_create(users, batch_size=BATCH)
    GroupMembership.objects.bulk_create(
        [GroupMembership(group_id=group_id, user=member, role=role) for group_id, member, role in member_rows]
    )
    TOTPDevice.objects.create(user=personas["coordinator"], name="bench", confirmed=True)
    clinicians: dict[int, list[int]] = {}
    for hospital_id, clinician in clinician_rows:
        clinicians.setdefault(hospital_id, []).append(clinician.pk)
    experts: dict[int, list[int]] = {}
    coordinators: dict[int, list[int]] = {}
    for group_id, member, role in member_rows:
        target = coordinators if role == GroupMembership.GroupRole.COORDINATOR else experts
        target.setdefault(group_id, []).append(member.pk)
    return World(
        hospitals=[(hospital.pk, hospital.country) for hospital in hospitals],
        hospital_weights=weights,
        clinicians=clinicians,
        groups=[group.pk for group in groups],
        group_weights=zipf_weights(len(groups)),
        experts=experts,
        coordinators=coordinators,
        codes=codes,
        users={name: persona.pk for name, persona in personas.items()},
    )


def _pseudonym(world: World, rng: random.Random) -> str:
    from concilium.patients.services import PSEUDONYM_ALPHABET, PSEUDONYM_PREFIX

    while True:
        body = "".join(rng.choices(PSEUDONYM_ALPHABET, k=8))
        pseudonym = f"{PSEUDONYM_PREFIX}-{body[:4]}-{body[4:]}"
        if pseudonym not in world.pseudonyms:
            world.pseudonyms.add(pseudonym)
            return pseudonym


def _text(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choices(SENTENCES, k=rng.randint(low, high)))


def add_cases(first: int, stop: int, world: World, rng: random.Random) -> None:
    """Cases number `first` to `stop - 1`, with their patients, consents and everything a case gathers."""
    from django.db import connection
    from django.utils import timezone

    from concilium.cases.models import (
        Case,
        CaseAttachment,
        CaseMessage,
        Contribution,
        PanelMember,
        Recommendation,
    )
    from concilium.patients.crypto import encrypt_local_id, local_id_digest
    from concilium.patients.models import Consent, Patient, patient_search_text

    now = timezone.now()
    day = datetime.timedelta(days=1)
    hospital_cumulative = _cumulative(world.hospital_weights)
    group_cumulative = _cumulative(world.group_weights)
    for start in range(first, stop, BATCH):
        count = min(start + BATCH, stop) - start
        # Patients, each with one care consent (some withdrawn since).
        patients, withdrawn = [], []
        for _ in range(max(1, round(count * PATIENTS_PER_CASE))):
            hospital_id, country = rng.choices(world.hospitals, cum_weights=hospital_cumulative)[0]
            code_id, label = rng.choice(world.codes)
            world.patients += 1
            local_id = f"BENCH-{world.patients:07d}"
            is_withdrawn = rng.random() < WITHDRAWN_SHARE
            withdrawn.append(is_withdrawn)
            patients.append(
                Patient(
                    pseudonym=_pseudonym(world, rng),
                    hospital_id=hospital_id,
                    birth_year=rng.randint(1935, 2024),
                    birth_month=rng.randint(1, 12),
                    sex=rng.choice(("female", "male", "female", "male", "other", "unknown")),
                    country=country,
                    local_id_encrypted=encrypt_local_id(local_id),
                    local_id_digest=local_id_digest(local_id),
                    diagnosis=label if rng.random() < 0.7 else f"{label} ({rng.choice(SENTENCES)[:40]})",
                    diagnosis_code_id=code_id if rng.random() < 0.85 else None,
                    has_care_consent=not is_withdrawn,
                    enrolled_by_id=rng.choice(world.clinicians[hospital_id]),
                    enrolled_at=now - day * rng.uniform(0, HISTORY_DAYS),
                )
            )
        for row in patients:
            row.search_text = patient_search_text(pseudonym=row.pseudonym, diagnosis=row.diagnosis)
        patients = Patient.objects.bulk_create(patients, batch_size=BATCH)
        consents = []
        for patient, is_withdrawn in zip(patients, withdrawn, strict=True):
            signed_on = (patient.enrolled_at - day * rng.randint(0, 20)).date()
            withdrawn_on = None
            if is_withdrawn:
                withdrawn_on = signed_on + (now.date() - signed_on) * rng.random()
            consents.append(
                Consent(
                    patient=patient,
                    for_care=True,
                    for_registry=rng.random() < 0.5,
                    language=rng.choice(("en", "de", "fr", "it", "es", "nl", "pl")),
                    form_version="2024.1",
                    signer="patient" if rng.random() < 0.9 else "guardian",
                    guardian_name="",
                    signed_on=signed_on,
                    document="consents/bench/consent.pdf",
                    document_type="application/pdf",
                    recorded_by_id=patient.enrolled_by_id,
                    recorded_at=patient.enrolled_at,
                    withdrawn_on=withdrawn_on,
                    withdrawal_reason="Patient's wish" if is_withdrawn else "",
                    withdrawn_by_id=patient.enrolled_by_id if is_withdrawn else None,
                )
            )
        for consent in consents:
            if consent.signer == "guardian":
                consent.guardian_name = "Legal Guardian"
        Consent.objects.bulk_create(consents, batch_size=BATCH)

        # Cases: each patient one, then more cases for some of the same patients.
        owners = [
            (patient, _noon(consent.withdrawn_on) if consent.withdrawn_on else None)
            for patient, consent in zip(patients, consents, strict=True)
        ]
        owners += [rng.choice(owners) for _ in range(count - len(owners))]
        cases = []
        for offset, (patient, withdrawn_at) in enumerate(owners[:count]):
            created = patient.enrolled_at + (now - patient.enrolled_at) * rng.random() ** 3
            case = Case(
                reference=f"C-{created.year}-{start + offset + 1:06d}",
                patient_id=patient.pk,
                hospital_id=patient.hospital_id,
                group_id=rng.choices(world.groups, cum_weights=group_cumulative)[0],
                requester_id=rng.choice(world.clinicians[patient.hospital_id]),
                urgent=rng.random() < 0.08,
                clinical_history=_text(rng, 3, 8),
                imaging_findings=_text(rng, 0, 3),
                pathology=_text(rng, 0, 2),
                laboratory=_text(rng, 0, 2),
                treatment_so_far=_text(rng, 1, 3),
                question=rng.choice(SENTENCES),
                created_at=created,
            )
            _lifecycle(case, now, withdrawn_at, rng)
            cases.append(case)
        cases = Case.objects.bulk_create(cases, batch_size=BATCH)

        attachments, messages, seats, contributions, recommendations = [], [], [], [], []
        for case in cases:
            for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
                kind, content_type, name = rng.choice(ATTACHMENT_KINDS)
                attachments.append(
                    CaseAttachment(
                        case_id=case.pk,
                        file=f"cases/bench/{case.pk}-{name}",
                        name=name,
                        description=rng.choice(("", "", "Latest report", "Before treatment")),
                        kind=kind,
                        content_type=content_type,
                        size=rng.randint(20_000, 9_000_000),
                        sha256="0" * 64,
                        checklist_key=rng.choice(("", "", "imaging", "pathology")),
                        uploaded_by_id=case.requester_id,
                        uploaded_at=case.created_at + day * rng.random(),
                    )
                )
            if case.status != "draft" and rng.random() < 0.3:
                coordinator = world.coordinators[case.group_id][0]
                for author in rng.sample((coordinator, case.requester_id), rng.randint(1, 2)):
                    messages.append(
                        CaseMessage(
                            case_id=case.pk,
                            author_id=author,
                            body=rng.choice(SENTENCES),
                            created_at=case.submitted_at + day * rng.random(),
                        )
                    )
            if case.status not in SEATED_STATUSES:
                continue
            # Accepting a case seats the group's members, its first coordinator leading.
            lead, *others = world.coordinators[case.group_id]
            seated = [lead, *others, *world.experts[case.group_id]]
            for user_id in seated:
                seats.append(
                    PanelMember(
                        case_id=case.pk,
                        user_id=user_id,
                        role="lead" if user_id == lead else "member",
                        invited_by_id=lead,
                        added_at=case.decided_at,
                    )
                )
            if rng.random() < 0.1:  # an invited guest from another group
                guest = rng.choice(world.experts[rng.choice(world.groups)])
                if guest not in seated:
                    seats.append(
                        PanelMember(
                            case_id=case.pk,
                            user_id=guest,
                            role="guest",
                            invited_by_id=lead,
                            added_at=case.decided_at,
                            expires_at=case.decided_at + day * 90,
                        )
                    )
            if case.status in DISCUSSED_STATUSES or (case.status == "scheduled" and rng.random() < 0.5):
                for _ in range(rng.randint(1, 4)):
                    contributions.append(
                        Contribution(
                            case_id=case.pk,
                            author_id=rng.choice(seated),
                            kind="opinion" if rng.random() < 0.9 else "request_info",
                            body=_text(rng, 1, 4),
                            created_at=min(now, case.decided_at + day * rng.uniform(1, 30)),
                        )
                    )
            if case.status in ("signed", "closed"):
                recommendations.append(
                    Recommendation(
                        case_id=case.pk,
                        summary=_text(rng, 1, 2),
                        recommendation=_text(rng, 2, 4),
                        rationale=_text(rng, 0, 2),
                        drafted_by_id=lead,
                        signed_by_id=lead,
                        signed_at=case.signed_at,
                        content_sha256="0" * 64,
                        report=f"reports/bench/{case.pk}.pdf",
                    )
                )
        CaseAttachment.objects.bulk_create(attachments, batch_size=BATCH)
        CaseMessage.objects.bulk_create(messages, batch_size=BATCH)
        PanelMember.objects.bulk_create(seats, batch_size=BATCH)
        Contribution.objects.bulk_create(contributions, batch_size=BATCH)
        Recommendation.objects.bulk_create(recommendations, batch_size=BATCH)
    with connection.cursor() as cursor:
        # Fresh statistics and visibility map, as autovacuum gives a database that has been running a while.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def _cumulative(weights: list[float]) -> list[float]:
    total, cumulative = 0.0, []
    for weight in weights:
        total += weight
        cumulative.append(total)
    return cumulative


def _noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)


def _lifecycle(case, now: datetime.datetime, withdrawn_at, rng: random.Random) -> None:  # type: ignore[no-untyped-def]
    """Walk the case through the workflow at a realistic pace; its status is the last step reached by now.

    Submitted within 10 days of the draft (1 draft in 20 is abandoned), decided 1-21 days later (8% declined),
    scheduled within a week for a discussion 1-5 weeks ahead, signed 1-14 days after it, closed within a
    month (1 in 20 never is). A withdrawal of consent stops the case if it was still open then. So the open
    cases are the recent ones, and a queue holds what arrived in the last weeks, as in a running network.
    """
    day = datetime.timedelta(days=1)
    case.status = "draft"
    end = min(now, withdrawn_at) if withdrawn_at else now
    if case.created_at >= end or rng.random() < 0.05:
        return
    submitted = case.created_at + day * rng.uniform(0.1, 10)
    decided = submitted + day * rng.uniform(1, 21)
    scheduled = decided + day * rng.uniform(0.5, 7)
    discussion = decided + day * rng.uniform(7, 35)
    signed = discussion + day * rng.uniform(1, 14)
    closed = signed + day * rng.uniform(1, 30) if rng.random() < 0.95 else None
    declined = rng.random() < 0.08
    steps = [("submitted", submitted)]
    steps += (
        [("declined", decided)]
        if declined
        else [
            ("accepted", decided),
            ("scheduled", scheduled),
            ("discussed", discussion),
            ("signed", signed),
            ("closed", closed),
        ]
    )
    for status, moment in steps:
        if moment is None or moment > end:
            break
        case.status = status
    if case.status == "draft":
        return
    case.submitted_at = submitted
    if case.status == "submitted" and rng.random() < 0.15:
        case.information_requested_at = min(end, submitted + day * rng.uniform(0.5, 5))
    if case.status != "submitted":
        case.decided_at = decided
    if case.status == "declined":
        case.decline_reason = "Outside the group's scope; please refer to the neighbouring group."
    if case.status in ("scheduled", "discussed", "signed", "closed"):
        case.discussion_on = discussion
    if case.status in ("discussed", "signed", "closed"):
        case.discussed_at = discussion
    if case.status in ("signed", "closed"):
        case.signed_at = signed
    if case.status == "closed":
        case.closed_at = closed
    if (
        withdrawn_at
        and withdrawn_at < now
        and case.status in ("submitted", "accepted", "scheduled", "discussed")
    ):
        case.status, case.stopped_at = "stopped", withdrawn_at


# --- Measuring --------------------------------------------------------------------------------------------

#: Marks a list that shows nothing (no page of rows to read: one query fewer).
EMPTY_MARKER = 'class="empty-state'


@dataclass
class Sample:
    latencies: list[float] = field(default_factory=list)
    sql: list[float] = field(default_factory=list)  # time spent in the database, ms
    #: variant ("" for lists; the case's status on the case page) -> query counts of requests with rows
    queries: dict[str, list[int]] = field(default_factory=dict)
    empty_queries: dict[str, list[int]] = field(default_factory=dict)  # requests that listed nothing

    def extend(self, other: "Sample") -> None:
        self.latencies += other.latencies
        self.sql += other.sql
        for mine, theirs in ((self.queries, other.queries), (self.empty_queries, other.empty_queries)):
            for variant, counts in theirs.items():
                mine.setdefault(variant, []).extend(counts)


@dataclass
class Request:
    """One request of a mix: the page, its query string, and the variant its query count is compared in."""

    path: str
    params: dict[str, object] = field(default_factory=dict)
    variant: str = ""
    #: Posted (untimed) before the page is read: a list's search lives in the session, never in the address.
    #: None for pages without a search; {"clear": "1"} forgets the previous mix's term.
    search: dict[str, object] | None = None


@dataclass
class Mix:
    persona: str
    make: Callable[[], Request]


Results = dict[str, Sample]


def mixes(rng: random.Random, world: World) -> dict[str, Mix]:
    """The page mixes, each a persona and a function returning one request."""
    from concilium.accounts.models import User
    from concilium.cases.models import Case, PanelMember
    from concilium.cases.permissions import CasePolicy
    from concilium.patients.models import DiagnosisCode, Patient

    users = {name: User.objects.get(pk=pk) for name, pk in world.users.items()}
    hospital_id = users["clinician"].hospital_id
    own_cases = list(Case.objects.filter(hospital_id=hospital_id).values_list("pk", "status", "reference"))
    visible = {
        name: list(CasePolicy.visible(users[name]).values_list("pk", "status")) for name in ("coordinator",)
    }
    seat_cases = set(
        PanelMember.objects.filter(user_id=world.users["expert"]).values_list("case_id", flat=True)
    )
    visible["expert"] = [
        row for row in CasePolicy.visible(users["expert"]).values_list("pk", "status") if row[0] in seat_cases
    ]
    patients = list(Patient.objects.filter(hospital_id=hospital_id).values_list("pseudonym", "diagnosis"))
    codes = list(DiagnosisCode.objects.values_list("code", flat=True))
    words = sorted({word for _, diagnosis in patients for word in diagnosis.split() if len(word) > 5})
    statuses = STATUSES
    queue_groups = [world.groups[0], world.groups[7]]

    def case_page(rows: list[tuple[int, str]]) -> Callable[[], Request]:
        def make() -> Request:
            pk, status = rng.choice(rows)[:2]
            return Request(f"/cases/{pk}/", variant=status)

        return make

    def searched(path: str, params: dict[str, object]) -> Request:
        q = params.pop("q", "")
        return Request(path, params, search={"q": q} if q else {"clear": "1"})

    def my_cases(**params: object) -> Request:
        return searched("/cases/", params)

    def queue(**params: object) -> Request:
        return Request("/cases/queue/", params)

    def my_patients(**params: object) -> Request:
        return searched("/patients/", params)

    return {
        "My cases: pages 1-5": Mix("clinician", lambda: my_cases(page=rng.randint(1, 5))),
        "My cases: a status, pages 1-3": Mix(
            "clinician", lambda: my_cases(status=rng.choice(statuses), page=rng.randint(1, 3))
        ),
        "My cases: an expert group": Mix("clinician", lambda: my_cases(group=rng.choice(world.groups[:12]))),
        "My cases: urgent only, pages 1-2": Mix(
            "clinician", lambda: my_cases(urgent="on", page=rng.randint(1, 2))
        ),
        "My cases: status + group + urgent": Mix(
            "clinician",
            lambda: my_cases(
                status=rng.choice(statuses), group=rng.choice(world.groups[:6]), urgent=rng.choice(("on", ""))
            ),
        ),
        "My cases: search a reference": Mix("clinician", lambda: my_cases(q=rng.choice(own_cases)[2])),
        "My cases: search a pseudonym": Mix("clinician", lambda: my_cases(q=rng.choice(patients)[0])),
        "My cases: search a diagnosis word": Mix("clinician", lambda: my_cases(q=rng.choice(words))),
        "My cases: search a code": Mix("clinician", lambda: my_cases(q=rng.choice(codes))),
        "My cases: search, no match": Mix("clinician", lambda: my_cases(q=f"zzqx{rng.randint(10, 99)}")),
        "Queue: each tab, pages 1-3": Mix(
            "coordinator",
            lambda: queue(status=rng.choice(("submitted", "accepted", "scheduled")), page=rng.randint(1, 3)),
        ),
        "Queue: urgent first": Mix(
            "coordinator",
            lambda: queue(status=rng.choice(("submitted", "accepted", "scheduled")), urgent_first="1"),
        ),
        "Queue: one group": Mix(
            "coordinator",
            lambda: queue(
                status=rng.choice(("submitted", "accepted", "scheduled")), group=rng.choice(queue_groups)
            ),
        ),
        "My panels: pages 1-5": Mix("expert", lambda: Request("/cases/panels/", {"page": rng.randint(1, 5)})),
        "Case page: clinician, own hospital": Mix("clinician", case_page(own_cases)),
        "Case page: coordinator": Mix("coordinator", case_page(visible["coordinator"])),
        "Case page: panel expert": Mix("expert", case_page(visible["expert"])),
        "My patients: pages 1-5": Mix("clinician", lambda: my_patients(page=rng.randint(1, 5))),
        "My patients: consent filter": Mix(
            "clinician", lambda: my_patients(consent=rng.choice(("valid", "missing", "withdrawn")))
        ),
        "My patients: search a pseudonym": Mix("clinician", lambda: my_patients(q=rng.choice(patients)[0])),
        "My patients: search a diagnosis word": Mix("clinician", lambda: my_patients(q=rng.choice(words))),
    }


def signed_in_clients(world: World) -> dict[str, object]:
    """A client per persona, signed in (and past the second factor for the coordinator)."""
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from concilium.accounts.models import User

    clients = {}
    for name, pk in world.users.items():
        user = User.objects.get(pk=pk)
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        if user.requires_2fa:
            session = client.session
            session["otp_device_id"] = TOTPDevice.objects.get(user=user).persistent_id
            session.save()
        clients[name] = client
    return clients


def measure(requests: int, rng: random.Random, world: World) -> Results:
    """Per mix: latencies (ms), database time and queries per request."""
    from django.db import connection

    clients = signed_in_clients(world)
    all_mixes = mixes(rng, world)
    for mix in all_mixes.values():  # warm up connections, templates and caches
        for _ in range(3):
            request = mix.make()
            if request.search is not None:
                clients[mix.persona].post(request.path, request.search)
            clients[mix.persona].get(request.path, request.params)
    results: Results = {}
    for label, mix in all_mixes.items():
        sample = results[label] = Sample()
        client = clients[mix.persona]
        for _ in range(requests):
            request = mix.make()
            if request.search is not None:
                client.post(request.path, request.search)
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                started = time.perf_counter()
                response = client.get(request.path, request.params)
                sample.latencies.append((time.perf_counter() - started) * 1000)
            sample.sql.append(counter.seconds * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{label}: {request.path} {request.params} answered {response.status_code}")
            body = response.content.decode()
            empty = not request.variant and EMPTY_MARKER in body  # a case page is never empty
            target = sample.empty_queries if empty else sample.queries
            target.setdefault(request.variant, []).append(counter.count)
    return results


def spread(counts: dict[str, list[int]]) -> str:
    """'14' when every request made the same number of queries, else 'min-max'; '—' when there were none."""
    values = [count for variant in counts.values() for count in variant]
    if not values:
        return "—"
    return f"{min(values)}" if min(values) == max(values) else f"{min(values)}-{max(values)}"


def row(sample: Sample) -> str:
    latencies = sample.latencies
    return (
        f"{statistics.median(latencies):.1f} | {percentile(latencies, 0.95):.1f} | {max(latencies):.1f} | "
        f"{percentile(sample.sql, 0.95):.1f} | {spread(sample.queries)} | {spread(sample.empty_queries)} |"
    )


def report(results: Results) -> None:
    print(
        "\n| page and mix | p50 ms | p95 ms | max ms | SQL p95 ms "
        "| queries/request (rows) | queries/request (empty) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    total = Sample()
    for label, sample in results.items():
        total.extend(sample)
        print(f"| {label} | {row(sample)}")
    print(f"| **all {len(total.latencies)} requests** | {row(total)}")
    lines = []
    for label, sample in results.items():
        variants = {variant for variant in sample.queries if variant}
        if variants:
            detail = ", ".join(
                f"{variant} {spread({variant: sample.queries[variant]})}" for variant in sorted(variants)
            )
            lines.append(f"- {label}, queries by the case's status: {detail}")
    if lines:
        print("\n" + "\n".join(lines))


def query_verdicts(small: Results | None, small_size: int, large: Results, large_size: int) -> list[str]:
    """Problems with the number of queries: within a mix (and variant) it must not vary between requests
    or data sizes."""
    problems = []
    for label in large:
        for found in ("queries", "empty_queries"):
            counts: dict[tuple[str, int], list[str]] = {}
            for size, results in ((small_size, small), (large_size, large)):
                sample = (results or {}).get(label)
                if sample is None:
                    continue
                for variant, values in getattr(sample, found).items():
                    for count in set(values):
                        counts.setdefault((variant, count), []).append(f"{size:,}")
            variants: dict[str, list[str]] = {}
            for (variant, count), sizes in counts.items():
                variants.setdefault(variant, []).append(f"{count} at {'/'.join(sizes)}")
            for variant, found_counts in variants.items():
                if len(found_counts) > 1:
                    what = "with rows" if found == "queries" else "empty"
                    problems.append(
                        f"{label} ({what}{', status ' + variant if variant else ''}): "
                        f"queries vary — {'; '.join(found_counts)}"
                    )
    return problems


def table_sizes() -> list[str]:
    from concilium.audit.models import AuditEvent
    from concilium.cases.models import (
        Case,
        CaseAttachment,
        CaseMessage,
        Contribution,
        PanelMember,
        Recommendation,
    )
    from concilium.patients.models import Consent, Patient

    return [
        f"{model._meta.verbose_name_plural} {model.objects.count():,}"
        for model in (
            Case,
            Patient,
            Consent,
            CaseAttachment,
            CaseMessage,
            PanelMember,
            Contribution,
            Recommendation,
            AuditEvent,
        )
    ]


def status_counts() -> str:
    from django.db.models import Count

    from concilium.cases.models import Case

    counts = dict(Case.objects.values_list("status").annotate(n=Count("pk")).order_by())
    return ", ".join(f"{status} {counts.get(status, 0):,}" for status in STATUSES)


def persona_sizes(world: World) -> str:
    from concilium.accounts.models import User
    from concilium.cases.models import Case, PanelMember
    from concilium.cases.permissions import CasePolicy
    from concilium.patients.models import Patient

    users = {name: User.objects.get(pk=pk) for name, pk in world.users.items()}
    clinician = users["clinician"]
    return (
        f"the clinician's hospital holds {Case.objects.filter(hospital_id=clinician.hospital_id).count():,} "
        f"cases and {Patient.objects.filter(hospital_id=clinician.hospital_id).count():,} patients; "
        f"the coordinator sees {CasePolicy.visible(users['coordinator']).count():,} cases "
        f"({Case.objects.filter(group_id=world.groups[0], status='submitted').count():,} submitted to the "
        f"busiest group); the expert holds "
        f"{PanelMember.objects.filter(user_id=world.users['expert']).count():,} panel seats"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200, help="requests per mix")
    parser.add_argument(
        "--compare-at", type=int, default=1000, help="first count the queries with this many cases (0: skip)"
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not 0 <= args.compare_at < args.cases:
        parser.error("--compare-at must be at least 0 and below --cases")

    database = configure(os.environ.get("DATABASE_URL"))
    import django

    django.setup()
    from django.core.management import call_command

    quiet_session_writes()

    rng = random.Random(args.seed)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    world = create_world(rng)
    small: Results | None = None
    if args.compare_at:
        add_cases(0, args.compare_at, world, rng)
        small = measure(max(5, args.requests // 10), rng, world)
    add_cases(args.compare_at, args.cases, world, rng)
    setup_seconds = time.perf_counter() - started

    print(f"# Case pages at {args.cases:,} cases\n")
    print(f"- date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"Django {django.get_version()}"
    )
    print(f"- database: {database_version()}")
    print(
        f"- setup (migrate, {args.cases:,} cases with everything they gather"
        f"{', query counts at ' + format(args.compare_at, ',') if args.compare_at else ''}): "
        f"{setup_seconds:.0f} s"
    )
    print(f"- tables before the requests: {', '.join(table_sizes())}")
    print(f"- cases by status: {status_counts()}")
    print(f"- {persona_sizes(world)}")
    print(f"- {args.requests} requests per mix, seed {args.seed}")
    load_before = os.getloadavg()[0]
    large = measure(args.requests, rng, world)
    print(f"- load average (1 min) before/after the requests: {load_before:.2f} / {os.getloadavg()[0]:.2f}")
    report(large)

    print("\nSummary:\n")
    worst = sorted((percentile(sample.latencies, 0.95), label) for label, sample in large.items())
    p95, label = worst[-1]
    over = [(value, mix) for value, mix in worst if value >= TARGET_P95_MS]
    target = "met" if not over else "NOT met: " + ", ".join(f"{mix} {value:.1f} ms" for value, mix in over)
    scope = "the target" if database == "PostgreSQL" else "for reference: the target is on PostgreSQL"
    print(
        f"- p95 latency under {TARGET_P95_MS:.0f} ms for every mix ({scope}): {target}; "
        f"the slowest mix is {label} at {p95:.1f} ms"
    )
    problems = query_verdicts(small, args.compare_at, large, args.cases)
    sizes = f"{args.compare_at:,} and {args.cases:,}" if args.compare_at else f"{args.cases:,}"
    if problems:
        for problem in problems:
            print(f"- FLAG {problem}")
    else:
        print(f"- queries per request: constant within every mix (and case status) at {sizes} cases")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
