"""Human labels for internal codes: audit actions, notification kinds and the object types of the audit log.

Each app says, in its own `labels.py`, what its codes mean to a person (translatable):

    register_labels(AUDIT_ACTION, {"case.submit": _("Case submitted")})
    register_labels(NOTIFICATION_KIND, {"case_submitted": _("Case submitted to the group")})

The audit log, its export and the outbox show `label_for(...)`; a code nobody declared is shown as it is.
The `labels` modules of the installed apps are imported the first time a label is asked for.
"""

from collections.abc import Mapping

from django.apps import apps
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules

#: The namespaces: what kind of code a label names.
AUDIT_ACTION = "audit_action"
AUDIT_FAMILY = "audit_family"  # the part of an audit action before its dot: "case" in "case.submit"
NOTIFICATION_KIND = "notification_kind"

_labels: dict[str, dict[str, str | Promise]] = {}
_discovered = False


def register_labels(namespace: str, labels: Mapping[str, str | Promise]) -> None:
    """Declare the labels of some codes; declaring one code twice with another label is a mistake."""
    known = _labels.setdefault(namespace, {})
    for code, label in labels.items():
        if code in known and str(known[code]) != str(label):
            raise ValueError(f"label of {namespace} {code!r} declared twice")
        known[code] = label


def _discover() -> None:
    global _discovered  # noqa: PLW0603 - imported once per process, on first use
    if not _discovered:
        autodiscover_modules("labels")
        _discovered = True


def label_for(namespace: str, code: str) -> str:
    """The label of `code` in the active language, or `code` itself when no app declared it."""
    _discover()
    label = _labels.get(namespace, {}).get(code)
    return str(label) if label is not None else code


def has_label(namespace: str, code: str) -> bool:
    _discover()
    return code in _labels.get(namespace, {})


def object_type_label(object_type: str) -> str:
    """The name of the model an audit event's `object_type` ("accounts.user") stands for, or the code."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    return str(model._meta.verbose_name).capitalize()
