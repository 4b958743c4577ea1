"""Expert groups' case templates (the case sheet and its checklist) and how complete a case is."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from concilium.audit.services import audit_record
from concilium.cases.models import EPISODE_FIELDS, Case, CaseAttachment, CaseTemplate
from concilium.cases.permissions import can_configure_templates
from concilium.core.text import MULTILINE_ALLOWED, NONE_ALLOWED, find_control_character
from concilium.scheduling.models import ExpertGroup

CHECKLIST_KINDS = ("attachment", "confirm")
#: Sections required when a group has not configured its template yet.
DEFAULT_REQUIRED = ("clinical_history", "question")
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")
MAX_GUIDANCE = 500
MAX_LABEL = 200
MAX_ITEMS = 30


@dataclass(frozen=True)
class MissingItem:
    kind: str  # "section", "attachment" or "confirm"
    key: str
    label: str


@dataclass(frozen=True)
class Completeness:
    done: int
    total: int
    missing: list[MissingItem] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return 100 if self.total == 0 else round(100 * self.done / self.total)

    @property
    def complete(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class Section:
    field: str
    label: str
    required: bool
    guidance: str


def default_sections() -> list[dict[str, object]]:
    return [{"field": name, "required": name in DEFAULT_REQUIRED, "guidance": ""} for name in EPISODE_FIELDS]


def template_for(group: ExpertGroup) -> CaseTemplate:
    """The group's template, or an unsaved default one (history and question required, no checklist)."""
    try:
        return group.case_template
    except CaseTemplate.DoesNotExist:
        return CaseTemplate(group=group, sections=default_sections(), checklist=[])


def template_sections(template: CaseTemplate) -> list[Section]:
    """Every episode field in order, with whether the template requires it and its guidance."""
    configured = {item.get("field"): item for item in template.sections if isinstance(item, dict)}
    return [
        Section(
            field=name,
            label=str(label),
            required=bool(configured.get(name, {}).get("required", False)),
            guidance=str(configured.get(name, {}).get("guidance", "")),
        )
        for name, label in EPISODE_FIELDS.items()
    ]


def completeness(
    case: Case, *, template: CaseTemplate | None = None, attachments: Iterable[CaseAttachment] | None = None
) -> Completeness:
    """What the group's template asks for that the case has and lacks (required sections, checklist items).

    Pass `attachments` when they are already loaded (the case page) to save a query.
    """
    template = template or template_for(case.group)
    if attachments is None:
        answered = set(case.attachments.exclude(checklist_key="").values_list("checklist_key", flat=True))
    else:
        answered = {a.checklist_key for a in attachments if a.checklist_key}
    confirmed = set(case.checklist_confirmed or [])
    missing: list[MissingItem] = []
    total = 0
    for section in template_sections(template):
        if not section.required:
            continue
        total += 1
        if not (getattr(case, section.field, "") or "").strip():
            missing.append(MissingItem("section", section.field, section.label))
    for item in template.checklist:
        total += 1
        key, kind, label = item.get("key", ""), item.get("kind", ""), item.get("label", "")
        done = key in answered if kind == "attachment" else key in confirmed
        if not done:
            missing.append(MissingItem(kind, key, label))
    return Completeness(done=total - len(missing), total=total, missing=missing)


def _clean_text(value: object, *, limit: int, what: str, multiline: bool = False) -> str:
    text = str(value or "").strip()
    if find_control_character(text, allowed=MULTILINE_ALLOWED if multiline else NONE_ALLOWED):
        raise ValidationError(_("%(what)s must not contain control characters.") % {"what": what})
    if len(text) > limit:
        raise ValidationError(
            _("%(what)s is too long (at most %(limit)d characters).") % {"what": what, "limit": limit}
        )
    return text


def clean_sections(sections: Iterable[dict[str, Any]]) -> list[dict[str, object]]:
    """Validate a case sheet: known fields only, each once; guidance short plain text."""
    cleaned: dict[str, dict[str, object]] = {}
    for item in sections:
        name = item.get("field")
        if name not in EPISODE_FIELDS:
            raise ValidationError(_("Unknown section “%(name)s”.") % {"name": name})
        if name in cleaned:
            raise ValidationError(_("The section “%(name)s” appears twice.") % {"name": name})
        cleaned[name] = {
            "field": name,
            "required": bool(item.get("required")),
            "guidance": _clean_text(
                item.get("guidance"), limit=MAX_GUIDANCE, what=_("Guidance"), multiline=True
            ),
        }
    return [cleaned.get(name, {"field": name, "required": False, "guidance": ""}) for name in EPISODE_FIELDS]


def clean_checklist(items: Iterable[dict[str, Any]]) -> list[dict[str, str]]:
    """Validate checklist items: a unique key (lower case, digits, - and _), a label and a kind."""
    cleaned: list[dict[str, str]] = []
    seen: set[str] = set()
    for item in items:
        key = str(item.get("key", "")).strip()
        label = _clean_text(item.get("label"), limit=MAX_LABEL, what=_("A checklist label"))
        kind = item.get("kind")
        if not KEY_PATTERN.match(key):
            raise ValidationError(
                _("Checklist keys use lower-case letters, digits, - and _ (got “%(key)s”).")
                % {"key": key[:60]}
            )
        if key in seen:
            raise ValidationError(_("The checklist key “%(key)s” appears twice.") % {"key": key})
        if not label:
            raise ValidationError(_("Every checklist item needs a label."))
        if kind not in CHECKLIST_KINDS:
            raise ValidationError(_("A checklist item is either an attachment or a confirmation."))
        seen.add(key)
        cleaned.append({"key": key, "label": label, "kind": str(kind)})
    if len(cleaned) > MAX_ITEMS:
        raise ValidationError(_("A checklist holds at most %(count)d items.") % {"count": MAX_ITEMS})
    return cleaned


@transaction.atomic
def case_template_update(
    *,
    group: ExpertGroup,
    sections: Iterable[dict[str, Any]],
    checklist: Iterable[dict[str, Any]],
    actor: Any,
) -> CaseTemplate:
    """Replace the group's case sheet and checklist (network admins only); ValidationError on bad input."""
    if actor is not None and not can_configure_templates(actor):
        raise PermissionDenied
    clean_s = clean_sections(sections)
    clean_c = clean_checklist(checklist)
    template, created = CaseTemplate.objects.select_for_update().get_or_create(
        group=group, defaults={"sections": clean_s, "checklist": clean_c, "updated_by": actor}
    )
    if not created:
        template.sections, template.checklist, template.updated_by = clean_s, clean_c, actor
        template.save()
    audit_record(
        action="case_template.update",
        actor=actor,
        obj=template,
        detail={
            "group": group.pk,
            "required": [s["field"] for s in clean_s if s["required"]],
            "checklist": [c["key"] for c in clean_c],
        },
    )
    return template
