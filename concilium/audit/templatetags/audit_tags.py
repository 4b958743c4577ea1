"""Template helpers for the audit log page."""

from django import template

register = template.Library()


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
