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
from concilium.core.translations import clean_translations, translated
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


def template_sections(template: CaseTemplate, *, translate: bool = True) -> list[Section]:
    """Every episode field in order, with whether the template requires it and its guidance (in the active
    language; `translate=False` gives the base text, for the form that edits it)."""
    configured = {item.get("field"): item for item in template.sections if isinstance(item, dict)}
    sections = []
    for name, label in EPISODE_FIELDS.items():
        guidance = str(configured.get(name, {}).get("guidance", ""))
        if translate and guidance:
            guidance = translated(template, f"guidance.{name}", default=guidance)
        sections.append(
            Section(
                field=name,
                label=str(label),
                required=bool(configured.get(name, {}).get("required", False)),
                guidance=guidance,
            )
        )
    return sections


def checklist_items(template: CaseTemplate) -> list[dict[str, str]]:
    """The checklist for people to read: each item's key and kind, its label in the active language."""
    return [
        {
            **item,
            "label": translated(
                template, f"checklist.{item.get('key', '')}", default=str(item.get("label", ""))
            ),
        }
        for item in template.checklist
        if isinstance(item, dict)
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
    for item in checklist_items(template):
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


def _base_texts(sections: Iterable[dict[str, Any]], checklist: Iterable[dict[str, Any]]) -> dict[str, str]:
    """A template's translatable texts by translation key ("guidance.question", "checklist.mri")."""
    texts = {f"guidance.{s['field']}": str(s["guidance"]) for s in sections if s.get("guidance")}
    texts.update({f"checklist.{c['key']}": str(c["label"]) for c in checklist})
    return texts


def _kept_translations(
    old: dict[str, dict[str, str]], old_texts: dict[str, str], new_texts: dict[str, str]
) -> dict[str, dict[str, str]]:
    """The translations still true: those of texts that are still there, unchanged."""
    kept = {
        language: {
            key: text
            for key, text in texts.items()
            if key in new_texts and old_texts.get(key) == new_texts[key]
        }
        for language, texts in old.items()
    }
    return {language: texts for language, texts in kept.items() if texts}


@transaction.atomic
def case_template_update(
    *,
    group: ExpertGroup,
    sections: Iterable[dict[str, Any]],
    checklist: Iterable[dict[str, Any]],
    actor: Any,
    translations: dict[str, dict[str, str]] | None = None,
) -> CaseTemplate:
    """Replace the group's case sheet and checklist (network admins only); ValidationError on bad input.

    `translations` ({"de": {"guidance.question": "…", "checklist.mri": "…"}}) replaces the template's
    translations; without it, the translations of texts left unchanged are kept and the others dropped, so
    a reader never sees a translation of an older text.
    """
    if actor is not None and not can_configure_templates(actor):
        raise PermissionDenied
    clean_s = clean_sections(sections)
    clean_c = clean_checklist(checklist)
    new_texts = _base_texts(clean_s, clean_c)
    clean_t = None if translations is None else clean_translations(translations, keys=set(new_texts))
    template, created = CaseTemplate.objects.select_for_update().get_or_create(
        group=group,
        defaults={
            "sections": clean_s,
            "checklist": clean_c,
            "translations": clean_t or {},
            "updated_by": actor,
        },
    )
    if not created:
        if clean_t is None:
            old_texts = _base_texts(template.sections, template.checklist)
            clean_t = _kept_translations(template.translations or {}, old_texts, new_texts)
        template.sections, template.checklist, template.updated_by = clean_s, clean_c, actor
        template.translations = clean_t
        template.save()
    audit_record(
        action="case_template.update",
        actor=actor,
        obj=template,
        detail={
            "group": group.pk,
            "required": [s["field"] for s in clean_s if s["required"]],
            "checklist": [c["key"] for c in clean_c],
            "translated": sorted(template.translations),
        },
    )
    return template
