"""The demo's patients and cases, played through the real services, then dated.

Each story (demo_case_data) enrols a patient with a signed consent and takes the patient's case as far as its
status: every step is the service a person would call, so audit events, notifications, panels and reports are
the real ones. The services stamp "now"; afterwards each row is dated to when the step happened in the story
(a queryset update), so that queues show waiting times and the figures a year of history. Audit events keep
the time the demo was loaded: the log is append-only.

Idempotent: a story whose patient exists (same hospital, same local identifier) is skipped whole.
"""

import random
import struct
import textwrap
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.db.models import F, Max, Model
from django.utils import timezone

from concilium.accounts.models import User
from concilium.cases.models import (
    Case,
    CaseAttachment,
    CaseMessage,
    CaseStatus,
    Contribution,
    PanelMember,
    PanelRole,
    Recommendation,
)
from concilium.cases.services.attachments import attachment_add
from concilium.cases.services.lifecycle import (
    case_accept,
    case_close,
    case_create,
    case_decline,
    case_mark_discussed,
    case_schedule,
    case_submit,
    case_update,
    case_url,
)
from concilium.cases.services.messages import case_message_post
from concilium.cases.services.panel import contribution_post, panel_invite, panel_set_lead
from concilium.cases.services.recommendation import (
    _sign,
    content_digest,
    recommendation_render_pdf,
    recommendation_save,
)
from concilium.core.translations import translated_lazy
from concilium.demo.case_stories import (
    BRAIN,
    BRAIN_CHECKLIST,
    BRAIN_FILES,
    CLINICIAN,
    EWING,
    EWING_CHECKLIST,
    EWING_FILES,
    EXPERT,
    FORM_LANGUAGE_BY_COUNTRY,
    HISTORY_COUNT,
    HISTORY_DECLINE_REASONS,
    HISTORY_DIAGNOSES,
    HISTORY_OPINIONS,
    HISTORY_QUESTIONS,
    HISTORY_RECOMMENDATIONS,
    OWN_FORM_LANGUAGE_BY_COUNTRY,
    PRE,
    PRE_CHECKLIST,
    PRE_FILES,
    REQUESTERS,
    STORIES,
    Post,
    Story,
)
from concilium.demo.people import DEMO_DOMAIN, PEOPLE
from concilium.directory.models import Clinician
from concilium.notifications.models import Notification
from concilium.notifications.services import notification_enqueue
from concilium.patients.crypto import local_id_digests
from concilium.patients.models import Consent, ConsentFormTemplate, DiagnosisCode, Patient, Signer
from concilium.patients.pdf import simple_pdf
from concilium.patients.services import ConsentData, consent_record, consent_withdraw, patient_enrol
from concilium.scheduling.models import ExpertGroup, GroupMembership
from concilium.scheduling.rules import WeeklyRule

HISTORY_SEED = 20261123
#: The past year's cases were opened between these many days ago (the newest are closed by now).
HISTORY_OLDEST, HISTORY_NEWEST = 356, 48
#: Rows the services stamp with "now", and the field that holds the stamp.
STAMPED: tuple[tuple[type[Model], str], ...] = (
    (Patient, "enrolled_at"),
    (Consent, "recorded_at"),
    (CaseAttachment, "uploaded_at"),
    (CaseMessage, "created_at"),
    (PanelMember, "added_at"),
    (Contribution, "created_at"),
    (Notification, "created_at"),
)
#: Steps of a story happen up to this much earlier than its whole days say (see CaseLoader.raw).
JITTER_DAYS = 0.2
#: In-app notices older than this are shown as read: the demo's people keep up with their mail.
UNREAD_DAYS = 2.5
ADULT_MONTHS = 18 * 12
#: When a group without a weekly meeting (pre-evaluation) discusses a case: a few days on, mid-afternoon.
HAND_SET_DAYS, HAND_SET_TIME = 4, time(14, 0)

FILE_TITLES = {
    "mri-report": ("Brain and spine MRI report", "imaging_findings"),
    "pathology-report": ("Pathology report", "pathology"),
    "staging-imaging": ("Staging imaging report", "imaging_findings"),
    "molecular": ("Molecular pathology report", "pathology"),
    "summary-letter": ("Referral letter", "clinical_history"),
}


def demo_png(size: int = 96) -> bytes:
    """A small greyscale PNG: an axial 'slice' with a bright lesion (a valid image, nothing real)."""
    centre = size / 2
    rows = bytearray()
    for y in range(size):
        rows.append(0)  # PNG filter type: none
        for x in range(size):
            dx, dy = (x - centre) / (size * 0.38), (y - centre) / (size * 0.45)
            skull = dx * dx + dy * dy
            lesion = ((x - size * 0.62) ** 2 + (y - size * 0.4) ** 2) / (size * 0.1) ** 2
            if lesion < 1:
                value = 235
            elif skull < 0.82:
                value = 80 + int(50 * (1 - skull)) + (x * 7 + y * 13) % 9
            elif skull < 1:
                value = 210
            else:
                value = 8
            rows.append(value)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def _report_pdf(title: str, pseudonym: str, text: str) -> bytes:
    lines = [f"Patient: {pseudonym}", ""]
    lines += textwrap.wrap(text or "See the case sheet.", 90)
    lines += ["", "Fictional document generated for the Concilium demo: not a real patient."]
    return simple_pdf(f"{title} (demo)", lines)


def _birth(months: int, on: date) -> tuple[int, int]:
    total = on.year * 12 + (on.month - 1) - months
    return total // 12, total % 12 + 1


@dataclass
class _Event:
    raw: datetime  # the story's time: the order the steps run in
    stamp: datetime  # the time the step's rows are given (in working hours)
    order: int
    run: Callable[[], object]  # what it returns is not used


@dataclass
class _Played:
    """What a story left behind, for dating its case afterwards."""

    case: Case
    times: dict[str, datetime] = field(default_factory=dict)


class CaseLoader:
    """Plays the demo's stories; counts the patients and cases it created."""

    def __init__(self) -> None:
        self.now = timezone.now()
        self.zone = timezone.get_current_timezone()
        self.users = {user.full_name: user for user in User.objects.filter(email__endswith="@" + DEMO_DOMAIN)}
        self.groups = {
            group.slug: group for group in ExpertGroup.objects.filter(slug__in=(BRAIN, EWING, PRE))
        }
        self.coordinators = {
            membership.group.slug: membership.user
            for membership in GroupMembership.objects.filter(
                group__in=self.groups.values(), role=GroupMembership.GroupRole.COORDINATOR
            ).select_related("group", "user")
        }
        self.codes = {code.code: code for code in DiagnosisCode.objects.all()}
        self.forms = {form.language: form for form in ConsentFormTemplate.objects.filter(is_current=True)}
        self.png = demo_png()
        self.marks = {
            model: model._default_manager.aggregate(last=Max("pk"))["last"] or 0 for model, _stamp in STAMPED
        }
        self.notification_mark = self.marks[Notification]
        self.played: list[_Played] = []
        self.patients = 0

    # --- time ----------------------------------------------------------------------------------------------

    def raw(self, days: float, key: str = "") -> datetime:
        """`days` before now; with a `key`, up to a fifth of a day earlier (the same on every run), so that
        steps a whole number of days apart do not all fall at the same time of day."""
        jitter = JITTER_DAYS * zlib.crc32(key.encode()) / 2**32 if key else 0
        return self.now - timedelta(days=days + jitter)

    def working(self, moment: datetime) -> datetime:
        """The same day with its 24 hours squeezed into 8:00-18:00 local: people work in the daytime.

        Monotonic, so the story keeps its order; today's times that would move past now stay as they are.
        """
        local = moment.astimezone(self.zone)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        squeezed = midnight + timedelta(hours=8) + (local - midnight) * (10 / 24)
        return squeezed if squeezed < self.now - timedelta(minutes=5) else moment

    def meeting(self, group: ExpertGroup, after: datetime) -> datetime:
        """The group's first meeting after `after` (its weekly rule), or a date set by hand without a rule."""
        if group.weekday is None or group.local_time is None:
            day = after.astimezone(self.zone).date() + timedelta(days=HAND_SET_DAYS)
            return datetime.combine(day, HAND_SET_TIME, tzinfo=self.zone)
        rule = WeeklyRule(group.weekday, group.local_time, group.time_zone, max(group.slot_count, 1), 20)
        return rule.occurrences(after, 1)[0]

    def discussion_date(self, story: Story, group: ExpertGroup) -> datetime:
        """The meeting that discusses the story's case: the first after `meeting_after` days ago."""
        meeting = self.meeting(group, self.raw(story.meeting_after))
        if story.status != CaseStatus.SCHEDULED and meeting > self.now - timedelta(hours=3):
            meeting -= timedelta(weeks=1)  # loaded during that very meeting: it was the week before
        return meeting

    @contextmanager
    def at(self, when: datetime) -> Iterator[None]:
        """Rows the services create inside the block are dated `when` (every step of a story runs in one)."""
        yield
        for model, stamp in STAMPED:
            extra = {"next_attempt_at": when} if model is Notification else {}
            if model._default_manager.filter(pk__gt=self.marks[model]).update(**{stamp: when}, **extra):
                self.marks[model] = model._default_manager.aggregate(last=Max("pk"))["last"]

    # --- people --------------------------------------------------------------------------------------------

    def person(self, name: str, story: Story) -> User:
        if name == "coordinator":
            return self.coordinators[story.group]
        if name == "requester":
            return self.users[story.requester]
        return self.users[name]

    @staticmethod
    def guardian_name(country: str, seed: str) -> str:
        firsts, lasts, _language = PEOPLE.get(country, PEOPLE["IE"])
        rng = random.Random(seed)  # noqa: S311 - invented names, not security
        return f"{rng.choice(firsts)} {rng.choice(lasts)}"

    # --- patients ------------------------------------------------------------------------------------------

    def consent_data(
        self, *, requester: User, story: Story, signed_on: date, care: bool = True
    ) -> ConsentData:
        """A signed consent: on the demo's form in en/de/fr, else on the hospital's own form."""
        country = requester.hospital.country  # type: ignore[union-attr]  # demo requesters have a hospital
        language = FORM_LANGUAGE_BY_COUNTRY.get(country) or OWN_FORM_LANGUAGE_BY_COUNTRY.get(country, "en")
        form = self.forms.get(language)
        adult = story.months >= ADULT_MONTHS
        return ConsentData(
            signed_on=signed_on,
            signer=Signer.PATIENT if adult else Signer.GUARDIAN,
            guardian_name="" if adult else self.guardian_name(country, story.local_id),
            language=language,
            form=form,
            form_version="" if form else f"{country}-{signed_on.year - 1}.2",
            document=ContentFile(
                simple_pdf("Signed consent (demo)", ["Fictional signed consent form of a demo patient."]),
                name="signed-consent.pdf",
            ),
            for_care=care,
            for_registry=story.registry or not care,
            for_research_contact=story.research or not care,
        )

    def enrol(self, story: Story, when: datetime) -> Patient | None:
        """The story's patient, enrolled with a signed care consent; None when already there."""
        requester = self.users[story.requester]
        digests = local_id_digests(story.local_id)
        if Patient.objects.filter(hospital=requester.hospital_id, local_id_digest__in=digests).exists():
            return None
        signed_on = timezone.localdate(when)
        birth_year, birth_month = _birth(story.months, signed_on)
        with self.at(when):
            patient = patient_enrol(
                actor=requester,
                local_id=story.local_id,
                birth_year=birth_year,
                birth_month=birth_month,
                sex=story.sex,
                country=requester.hospital.country,  # type: ignore[union-attr]  # demo requesters have one
                diagnosis=story.diagnosis,
                diagnosis_code=self.codes.get(story.code),
                consent=self.consent_data(requester=requester, story=story, signed_on=signed_on),
            )
        self.patients += 1
        return patient

    # --- a story -------------------------------------------------------------------------------------------

    def play(self, story: Story) -> None:
        requester = self.users[story.requester]
        created = self.working(self.raw(story.days["created"], f"{story.local_id}:created"))
        patient = self.enrol(story, created - timedelta(days=1, hours=2))
        if patient is None:
            return
        with self.at(created):
            case = case_create(
                actor=requester,
                patient=patient,
                group=self.groups[story.group],
                urgent=story.urgent,
                episode=story.episode,
            )
            if story.confirmed:
                case = case_update(case=case, actor=requester, checklist_confirmed=list(story.confirmed))
            self.attach(case, requester, story)
        played = _Played(case=case, times={"created": created})
        self.played.append(played)
        for event in sorted(self.events(story, played), key=lambda event: (event.raw, event.order)):
            with self.at(event.stamp):
                event.run()

    def attach(self, case: Case, requester: User, story: Story) -> None:
        """Generated reports for the checklist's files (PDF) and, for "image", a key image (PNG)."""
        for key in story.files:
            if key == "image":
                upload = ContentFile(self.png, name="MRI axial T2 key image.png")
                attachment_add(case=case, actor=requester, upload=upload, description="Key image (demo)")
                continue
            title, source = FILE_TITLES[key]
            pdf = _report_pdf(title, case.patient.pseudonym, story.episode.get(source, ""))
            attachment_add(
                case=case, actor=requester, upload=ContentFile(pdf, name=f"{title}.pdf"), checklist_key=key
            )

    def events(self, story: Story, played: _Played) -> list[_Event]:  # noqa: PLR0911 - a return per status
        """The story's steps after the draft, each with its time; they run in the story's order."""
        case, times = played.case, played.times
        requester = self.users[story.requester]
        coordinator = self.coordinators[story.group]
        group = self.groups[story.group]
        status = story.status
        events: list[_Event] = []

        def add(raw: datetime, run: Callable[[], object], *, exact: bool = False, order: int = 0) -> datetime:
            stamp = raw if exact else self.working(raw)
            events.append(_Event(raw, stamp, order, run))
            return stamp

        if status == CaseStatus.DRAFT:
            return events
        times["submitted"] = add(
            self.raw(story.days["submitted"], f"{story.local_id}:submitted"),
            lambda: case_submit(case=case, actor=requester),
        )
        for number, post in enumerate(story.thread):
            stamp = add(
                self.raw(post.days, f"{story.local_id}:thread{number}"), self._thread_post(case, story, post)
            )
            if post.request_info:
                times["information_requested"] = stamp
        if status == CaseStatus.SUBMITTED:
            return events
        decided = self.raw(story.days["decided"], f"{story.local_id}:decided")
        if status == CaseStatus.DECLINED:
            times["decided"] = add(
                decided, lambda: case_decline(case=case, actor=coordinator, reason=story.reason)
            )
            return events
        times["decided"] = add(decided, lambda: case_accept(case=case, actor=coordinator))
        add(decided + timedelta(minutes=20), lambda: self._panel(case, story, coordinator))
        if story.later_consent:
            add(decided, lambda: self._later_consent(case, story, requester, times["decided"]), order=1)
        for number, post in enumerate(story.discussion):
            add(self.raw(post.days, f"{story.local_id}:post{number}"), self._contribution(case, story, post))
        if status == CaseStatus.STOPPED:  # withdrawn before the discussion was scheduled
            stopped = self.raw(story.days["stopped"], f"{story.local_id}:stopped")
            times["stopped"] = add(
                stopped, lambda: self._withdraw(case, story, requester, self.working(stopped))
            )
        if status in (CaseStatus.ACCEPTED, CaseStatus.STOPPED):
            return events
        times["discussion_on"] = meeting = self.discussion_date(story, group)
        add(decided + timedelta(hours=3), lambda: self._schedule(case, coordinator, meeting))
        if status == CaseStatus.SCHEDULED:
            return events
        lead = self.users[story.lead] if story.lead else coordinator
        times["discussed"] = add(
            meeting + timedelta(minutes=40),
            lambda: case_mark_discussed(case=case, actor=coordinator),
            exact=True,
        )
        add(meeting + timedelta(hours=2), lambda: self._draft(case, story, lead), exact=True)
        if status == CaseStatus.DISCUSSED:
            return events
        times["signed"] = add(
            self.raw(story.days["signed"], f"{story.local_id}:signed"),
            lambda: _sign(case=case, actor=lead, kind="demo_load", render_report=False),
        )
        if status == CaseStatus.SIGNED:
            return events
        times["closed"] = add(
            self.raw(story.days["closed"], f"{story.local_id}:closed"),
            lambda: case_close(case=case, actor=requester),
        )
        return events

    def _schedule(self, case: Case, coordinator: User, meeting: datetime) -> None:
        """Set the discussion date. The service takes only future dates: a past meeting is set as the next one
        and dated back afterwards, and the requester's notice is written again with the real date."""
        if meeting > self.now:
            case_schedule(case=case, actor=coordinator, discussion_on=meeting)
            return
        mark = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
        case_schedule(case=case, actor=coordinator, discussion_on=self.meeting(case.group, self.now))
        Notification.objects.filter(pk__gt=mark, kind="case_scheduled").delete()
        notification_enqueue(
            app="cases",
            recipient=case.requester,
            kind="case_scheduled",
            context={"group_name": translated_lazy(case.group, "name"), "discussion_on": meeting},
            link=case_url(case),
        )

    def _thread_post(self, case: Case, story: Story, post: Post) -> Callable[[], None]:
        def run() -> None:
            case_message_post(
                case=case,
                actor=self.person(post.author, story),
                body=post.body,
                request_information=post.request_info,
            )

        return run

    def _contribution(self, case: Case, story: Story, post: Post) -> Callable[[], None]:
        def run() -> None:
            contribution_post(
                case=case,
                actor=self.person(post.author, story),
                body=post.body,
                kind=Contribution.Kind.REQUEST_INFO if post.request_info else Contribution.Kind.OPINION,
            )

        return run

    def _panel(self, case: Case, story: Story, coordinator: User) -> None:
        if story.lead:
            seat = PanelMember.objects.get(case=case, user=self.users[story.lead])
            panel_set_lead(case=case, member=seat, actor=coordinator)
        if story.guest:
            clinician = Clinician.objects.get(user=self.users[story.guest])
            panel_invite(case=case, clinician=clinician, role=PanelRole.GUEST, actor=coordinator)

    def _draft(self, case: Case, story: Story, lead: User) -> None:
        summary, recommendation, rationale, references = story.recommendation
        speakers = {self.person(post.author, story).pk for post in story.discussion} | {lead.pk}
        seated = PanelMember.objects.filter(case=case, user_id__in=speakers).select_related("user")
        recommendation_save(
            case=case,
            actor=lead,
            summary=summary,
            recommendation=recommendation,
            rationale=rationale,
            references=references,
            participants=[seat.user for seat in seated],
        )

    def _later_consent(self, case: Case, story: Story, requester: User, when: datetime) -> None:
        data = self.consent_data(
            requester=requester,
            story=story,
            signed_on=timezone.localdate(when),
            care=False,
        )
        consent_record(patient=case.patient, actor=requester, data=data)

    def _withdraw(self, case: Case, story: Story, requester: User, when: datetime) -> None:
        consent = Consent.objects.filter(
            patient=case.patient, for_care=True, withdrawn_on__isnull=True
        ).first()
        if consent is not None:
            consent_withdraw(
                consent=consent, actor=requester, withdrawn_on=timezone.localdate(when), reason=story.reason
            )

    # --- afterwards ----------------------------------------------------------------------------------------

    def date_cases(self) -> None:
        """Give each case the times of its story, number the cases by year, render the signed reports."""
        for played in self.played:
            case, times = played.case, played.times
            fields: dict[str, Any] = {
                "created_at": times["created"],
                "submitted_at": times.get("submitted"),
                "decided_at": times.get("decided"),
                "discussion_on": times.get("discussion_on"),
                "discussed_at": times.get("discussed"),
                "signed_at": times.get("signed"),
                "closed_at": times.get("closed"),
                "stopped_at": times.get("stopped"),
            }
            fields = {name: value for name, value in fields.items() if value is not None}
            still_asked = Case.objects.filter(pk=case.pk, information_requested_at__isnull=False).exists()
            if still_asked and "information_requested" in times:
                fields["information_requested_at"] = times["information_requested"]
            fields["updated_at"] = max(value for name, value in fields.items() if name != "discussion_on")
            Case.objects.filter(pk=case.pk).update(**fields)
        self._number_by_year()
        self._date_recommendations()
        self._settle_notifications()

    def _number_by_year(self) -> None:
        """References follow the year each case was opened (C-2025-00031), in the order they were opened."""
        ids = [played.case.pk for played in self.played]
        if not ids:
            return
        for pk in ids:
            Case.objects.filter(pk=pk).update(reference=f"T-{pk}")
        cases = Case.objects.filter(pk__in=ids).order_by("created_at", "pk").values_list("pk", "created_at")
        numbers: dict[int, int] = {}
        for pk, created in cases:
            year = timezone.localdate(created).year
            if year not in numbers:
                taken = Case.objects.filter(reference__startswith=f"C-{year}-").values_list(
                    "reference", flat=True
                )
                numbers[year] = max((int(ref.rsplit("-", 1)[1]) for ref in taken), default=0)
            numbers[year] += 1
            Case.objects.filter(pk=pk).update(reference=f"C-{year}-{numbers[year]:05d}")

    def _date_recommendations(self) -> None:
        for played in self.played:
            signed = played.times.get("signed")
            drafted = played.times.get("discussed")
            recommendation = Recommendation.objects.filter(case=played.case).first()
            if recommendation is None:
                continue
            if signed is None:
                Recommendation.objects.filter(pk=recommendation.pk).update(
                    updated_at=(drafted or self.now) + timedelta(hours=2)
                )
                continue
            recommendation = (
                Recommendation.objects.select_related("case__patient", "case__group", "signed_by")
                .prefetch_related("participants")
                .get(pk=recommendation.pk)
            )
            signed = signed.astimezone(UTC)  # as the database gives it back: the fingerprint covers its text
            recommendation.signed_at = signed
            digest = content_digest(recommendation)
            Recommendation.objects.filter(pk=recommendation.pk).update(
                signed_at=signed, updated_at=signed, content_sha256=digest
            )
            recommendation.content_sha256 = digest
            recommendation_render_pdf(recommendation=recommendation)

    def _settle_notifications(self) -> None:
        """The demo's past is past: its emails went out, and the older in-app notices were read."""
        mine = Notification.objects.filter(pk__gt=self.notification_mark)
        mine.filter(channel=Notification.Channel.EMAIL).update(
            status=Notification.Status.SENT, sent_at=F("created_at")
        )
        mine.filter(
            channel=Notification.Channel.IN_APP, created_at__lt=self.now - timedelta(days=UNREAD_DAYS)
        ).update(read_at=F("created_at"))


def history_stories() -> list[Story]:
    """About forty cases of the past year (closed, a few signed, some declined), the same on every run."""
    rng = random.Random(HISTORY_SEED)  # noqa: S311 - deterministic demo data, not security
    requesters = [CLINICIAN, *(name for _email, name, *_rest in REQUESTERS)]
    checklists = {BRAIN: BRAIN_CHECKLIST, EWING: EWING_CHECKLIST, PRE: PRE_CHECKLIST}
    files = {BRAIN: BRAIN_FILES, EWING: EWING_FILES, PRE: PRE_FILES}
    step = (HISTORY_OLDEST - HISTORY_NEWEST) / (HISTORY_COUNT - 1)
    # Spread over the year, unevenly: busy weeks and quiet ones, but every month has some.
    ages = sorted(
        (HISTORY_OLDEST - n * step + rng.uniform(-6, 6) for n in range(HISTORY_COUNT)), reverse=True
    )
    stories = []
    for index, age in enumerate(ages):
        group = rng.choices((BRAIN, EWING, PRE), weights=(45, 35, 20))[0]
        low, high, code, diagnosis = rng.choice(HISTORY_DIAGNOSES[group])
        months = rng.randint(low, high)
        sex = rng.choice(("female", "male"))
        created = age
        submitted = created - rng.uniform(0.3, 3)
        decided = submitted - rng.uniform(1, 7)
        meeting_after = decided - 1.6  # after the discussion's last post
        signed = meeting_after - 7 - rng.uniform(1, 6)
        closed = signed - rng.uniform(1, 14)
        declined = index % 7 == 3
        status = (
            "declined"
            if declined
            else ("signed" if index in (HISTORY_COUNT - 1, HISTORY_COUNT - 3) else "closed")
        )
        members = _history_members(group)
        thin = index in (6, 23)
        opinions = rng.sample(
            HISTORY_OPINIONS, 0 if thin and index == 6 else 1 if thin else rng.randint(2, 5)
        )
        discussion = tuple(
            Post(decided - 0.25 * (number + 1), rng.choice(members), text)
            for number, text in enumerate(opinions)
        )
        recommendation, rationale = rng.choice(HISTORY_RECOMMENDATIONS)
        years = months // 12
        person = ("girl" if sex == "female" else "boy") if months < ADULT_MONTHS else "patient"
        summary = f"{years}-year-old {person} with {diagnosis[0].lower()}{diagnosis[1:]}."
        episode = {
            "clinical_history": summary,
            "imaging_findings": "Imaging at diagnosis and after treatment: see the attached report.",
            "pathology": "Reviewed by the reference pathologist: see the attached report.",
            "treatment_so_far": "Treated according to the national protocol.",
            "question": rng.choice(HISTORY_QUESTIONS[group]),
        }
        if group == PRE:
            episode = {name: episode[name] for name in ("clinical_history", "question")}
        stories.append(
            Story(
                local_id=f"DEMO-H{index + 1:03d}",
                requester=rng.choice(requesters),
                months=months,
                sex=sex,
                code=code,
                diagnosis=diagnosis,
                group=group,
                status=status,
                episode=episode,
                days={
                    "created": created,
                    "submitted": submitted,
                    "decided": decided,
                    "signed": signed,
                    "closed": closed,
                },
                registry=rng.random() < 0.4,
                research=rng.random() < 0.2,
                files=files[group],
                confirmed=checklists[group],
                discussion=() if declined else discussion,
                lead="" if rng.random() < 0.5 else rng.choice([m for m in members if m != EXPERT]),
                meeting_after=meeting_after,
                recommendation=(summary, recommendation, rationale, ""),
                reason=rng.choice(HISTORY_DECLINE_REASONS) if declined else "",
            )
        )
    return stories


def _history_members(group: str) -> list[str]:
    from concilium.demo.people import EXPERT_GROUPS

    spec = next(spec for spec in EXPERT_GROUPS if spec.slug == group)
    names = [name for name, _hospital, _specialty in spec.members]
    return names if spec.is_pre_evaluation else [*names, EXPERT]


def demo_cases() -> tuple[int, int]:
    """Play the demo's stories that are not loaded yet; returns (patients, cases) created."""
    loader = CaseLoader()
    if len(loader.groups) < 3 or len(loader.coordinators) < 3:
        return 0, 0
    for story in (*history_stories(), *STORIES):
        loader.play(story)
    loader.date_cases()
    return loader.patients, len(loader.played)
