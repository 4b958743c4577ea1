"""Template helpers for the audit log page."""

from django import template

from concilium.core.labels import AUDIT_ACTION, label_for, object_type_label

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    """The audit action's label in the active language ("Case submitted"), or its code if undeclared."""
    return label_for(AUDIT_ACTION, action)


@register.filter
def object_label(object_type: str) -> str:
    """The name of an event's object type ("User" for accounts.user), or the code if it names no model."""
    return object_type_label(object_type)


@register.filter
def detail_items(detail: object) -> list[tuple[str, str]]:
    """An event's detail as (key, value) pairs for display; lists are joined, nested values shown as text."""
    if not isinstance(detail, dict):
        return []
    items = []
    for key, value in detail.items():
        if isinstance(value, list | tuple):
            shown = ", ".join(str(part) for part in value) or "—"
        elif value is None:
            shown = "—"
        else:
            shown = str(value)
        items.append((str(key), shown))
    return items
