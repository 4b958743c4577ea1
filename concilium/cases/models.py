"""Cases put before an expert group: the episode, its attachments, the pre-selection thread, the panel, the
discussion and the signed recommendation. Every change of `status` goes through a service in services/."""

from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class CaseStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("case status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("case status", "Submitted")
    ACCEPTED = "accepted", pgettext_lazy("case status", "Accepted")
    DECLINED = "declined", pgettext_lazy("case status", "Declined")
    SCHEDULED = "scheduled", pgettext_lazy("case status", "Scheduled")
    DISCUSSED = "discussed", pgettext_lazy("case status", "Discussed")
    SIGNED = "signed", pgettext_lazy("case status", "Recommendation signed")
    CLOSED = "closed", pgettext_lazy("case status", "Closed")
    STOPPED = "stopped", pgettext_lazy("case status", "Stopped (consent withdrawn)")


#: Statuses in which a case is still moving; withdrawal of consent stops these.
OPEN_STATUSES = frozenset(
    {CaseStatus.DRAFT, CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.SCHEDULED, CaseStatus.DISCUSSED}
)

#: The episode description: field name -> label. A group's case-sheet template says which are required.
EPISODE_FIELDS: "dict[str, StrOrPromise]" = {
    "clinical_history": _("Clinical history"),
    "imaging_findings": _("Imaging findings"),
    "pathology": _("Pathology"),
    "laboratory": _("Laboratory"),
    "treatment_so_far": _("Treatment so far"),
    "question": _("Question to the panel"),
}


class CaseTemplate(models.Model):
    """An expert group's case sheet (which episode fields it needs, with guidance) and its checklist.

    `sections`: [{"field": "clinical_history", "required": true, "guidance": "..."}] over EPISODE_FIELDS.
    `checklist`: [{"key": "mri", "label": "Brain MRI report attached", "kind": "attachment" | "confirm"}].
    """

    group = models.OneToOneField(
        "scheduling.ExpertGroup", on_delete=models.CASCADE, related_name="case_template"
    )
    sections = models.JSONField(_("case sheet"), default=list)
    checklist = models.JSONField(_("checklist"), default=list)
    #: Guidance and checklist labels in the other site languages, by "guidance.<field>" and
    #: "checklist.<key>": {"de": {"guidance.question": "…", "checklist.mri": "…"}} (core.translations).
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case template")
        verbose_name_plural = _("case templates")

    def __str__(self) -> str:
        return f"{self.group} case template"


class Case(models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="cases")
    #: The owning hospital (the patient's): its clinicians see the case.
    hospital = models.ForeignKey("directory.Hospital", on_delete=models.PROTECT, related_name="cases")
    group = models.ForeignKey(
        "scheduling.ExpertGroup",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("expert group"),
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requested_cases"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.DRAFT, db_index=True
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    clinical_history = models.TextField(_("clinical history"), blank=True)
    imaging_findings = models.TextField(_("imaging findings"), blank=True)
    pathology = models.TextField(_("pathology"), blank=True)
    laboratory = models.TextField(_("laboratory"), blank=True)
    treatment_so_far = models.TextField(_("treatment so far"), blank=True)
    question = models.TextField(_("question to the panel"), blank=True)
    #: Checklist items the requester confirmed (keys of the group's checklist of kind "confirm").
    checklist_confirmed = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("accepted or declined"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    #: Set while the coordinator waits for more information from the requester (pre-selection thread).
    information_requested_at = models.DateTimeField(_("information requested"), null=True, blank=True)
    discussion_on = models.DateTimeField(_("discussion date"), null=True, blank=True)
    discussed_at = models.DateTimeField(_("discussed"), null=True, blank=True)
    signed_at = models.DateTimeField(_("recommendation signed"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["hospital", "status", "-created_at"], name="case_hospital_status"),
            # "My cases": a hospital's cases newest first, a page at a time; the filters' and the search's
            # columns come last, so that filtering and counting read the index alone.
            models.Index(
                fields=[
                    "hospital",
                    "-created_at",
                    "-id",
                    "status",
                    "group",
                    "urgent",
                    "reference",
                    "patient",
                ],
                name="case_hospital_recent",
            ),
            # "My panels": the cases whose panel is at work, soonest discussion first.
            models.Index(
                Coalesce("discussion_on", "submitted_at"),
                F("created_at").desc(),
                F("id"),
                condition=Q(status__in=["accepted", "discussed", "scheduled"]),
                name="case_panel_at_work",
            ),
            # The dashboard's "Panels at work": the few cases at work, with what its counts read (index-only).
            models.Index(
                fields=["id"],
                include=["status", "patient", "discussion_on"],
                condition=Q(status__in=["accepted", "discussed", "scheduled"]),
                name="case_at_work",
            ),
            models.Index(fields=["group", "status", "submitted_at"], name="case_group_queue"),
            models.Index(fields=["requester", "-created_at"], name="case_requester_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False), name="case_submitted_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""), name="case_declined_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class CaseAttachment(models.Model):
    class Kind(models.TextChoices):
        PDF = "pdf", _("PDF")
        IMAGE = "image", _("Image")
        DOCUMENT = "document", _("Document")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="cases/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    description = models.CharField(_("description"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    #: The checklist item this attachment answers, if any.
    checklist_key = models.CharField(max_length=50, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class CaseMessage(models.Model):
    """The pre-selection thread between the group's coordinator and the requester."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.case} message {self.pk}"


class PanelRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    MEMBER = "member", _("Member")
    GUEST = "guest", _("Guest")


def live_seat(now: datetime | None = None) -> Q:
    """The one rule for a seat that gives access: leads and members, and guests until their access expires."""
    return ~Q(role=PanelRole.GUEST) | Q(expires_at__gt=now or timezone.now())


class PanelMemberQuerySet(models.QuerySet["PanelMember"]):
    def live(self, now: datetime | None = None) -> "PanelMemberQuerySet":
        """The seats that give access now (`live_seat`)."""
        return self.filter(live_seat(now))


class PanelMember(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="panel")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_seats")
    role = models.CharField(_("role"), max_length=10, choices=PanelRole.choices, default=PanelRole.MEMBER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    #: Guests' access ends here (at most 90 days after the invitation).
    expires_at = models.DateTimeField(_("access expires"), null=True, blank=True)

    objects = PanelMemberQuerySet.as_manager()

    class Meta:
        ordering = ["role", "added_at"]
        verbose_name = _("panel member")
        verbose_name_plural = _("panel members")
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="panel_unique_member"),
            models.UniqueConstraint(fields=["case"], condition=Q(role="lead"), name="panel_one_lead"),
            models.CheckConstraint(
                condition=~Q(role="guest") | Q(expires_at__isnull=False), name="panel_guest_expires"
            ),
        ]
        # "My panels": a user's seats, latest first (the unique constraint serves the look-ups by case).
        indexes = [
            models.Index(fields=["user", "-added_at", "-id"], name="panel_user_recent"),
            # A user's live seats among a set of cases (the dashboard's panels at work), from the index alone.
            models.Index(fields=["user", "case"], include=["role", "expires_at"], name="panel_user_case"),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.case} ({self.role})"

    @staticmethod
    def is_live_seat(role: str, expires_at: datetime | None, now: datetime | None = None) -> bool:
        """`live_seat` for one seat's values (a row already read)."""
        return role != PanelRole.GUEST or (expires_at is not None and expires_at > (now or timezone.now()))

    @property
    def is_live(self) -> bool:
        return self.is_live_seat(self.role, self.expires_at)


class Contribution(models.Model):
    class Kind(models.TextChoices):
        OPINION = "opinion", _("Opinion")
        REQUEST_INFO = "request_info", _("Request for more information")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contributions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.OPINION)
    body = models.TextField(_("contribution"))
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")

    def __str__(self) -> str:
        return f"{self.case} contribution {self.pk}"


class Recommendation(models.Model):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="recommendation")
    summary = models.TextField(_("summary"))
    recommendation = models.TextField(_("recommendation"))
    rationale = models.TextField(_("rationale"), blank=True)
    references = models.TextField(_("references"), blank=True)
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", blank=True, verbose_name=_("participants")
    )
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    #: SHA-256 of the signed content, printed on the report; the PDF is kept in storage.
    content_sha256 = models.CharField(max_length=64, blank=True)
    report = models.FileField(upload_to="reports/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")

    def __str__(self) -> str:
        return f"{self.case} recommendation"
