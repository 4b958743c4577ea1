"""The one shape of an access policy, used by every app (`<app>/permissions.py`, one policy per model).

A policy answers three questions about an actor (the signed-in user or the API token's user):

- `refusal(actor, action, obj=None)`: None when the actor may do `action` (with `obj`), else a `Refused`
  (a stable code and a message for a person). `NOT_FOUND` means the actor does not see `obj` at all, and
  callers answer it exactly like a missing object (404), so existence never leaks;
- `can(actor, action, obj=None)`: `refusal(...) is None`;
- `visible(actor, queryset=None)`: the objects of the model the actor may see, as a queryset that every
  selector starts from, so that no read can skip the check.

`require(actor, action, obj=None)` raises the refusal as a `DomainError`. Most policies are a table from
role to actions narrowed to what the actor's role and place (hospital, group) reach: `RolePolicy`. A policy
with rules of its own (the cases' statuses and consent) subclasses `Policy` and writes `refusal` itself.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, Generic, TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from concilium.core.errors import DomainError, ErrorKind, register_codes

M = TypeVar("M", bound=Model)


class Refusal(StrEnum):
    """Why an action is refused, for every policy; apps add codes of their own (`register_codes`)."""

    NOT_FOUND = "not_found"  # the actor does not see the object at all
    FORBIDDEN = "forbidden"  # sees it (or no object is involved), but the action is not theirs
    WRONG_STATUS = "wrong_status"  # not in the object's present status
    NO_CONSENT = "no_consent"  # the patient has no valid consent for the purpose


register_codes(
    {
        Refusal.NOT_FOUND: ErrorKind.NOT_FOUND,
        Refusal.FORBIDDEN: ErrorKind.FORBIDDEN,
        Refusal.WRONG_STATUS: ErrorKind.CONFLICT,
        Refusal.NO_CONSENT: ErrorKind.CONFLICT,
    }
)


@dataclass(frozen=True)
class Refused:
    code: str
    message: str

    def error(self) -> DomainError:
        return DomainError(self.code, self.message)


def is_usable(actor: Any) -> bool:
    """An authenticated, activated account: a pending, rejected or suspended one holds no action."""
    return bool(getattr(actor, "is_authenticated", False) and getattr(actor, "is_active", False))


def refused_not_found() -> Refused:
    return Refused(Refusal.NOT_FOUND, _("Not found."))


def refused_forbidden(message: str = "") -> Refused:
    return Refused(Refusal.FORBIDDEN, message or _("You may not do this."))


class Policy(Generic[M]):
    """The shape every policy has. Subclasses set `model` and write `refusal` and `scope`."""

    model: ClassVar[type[Model]]

    @classmethod
    def refusal(cls, actor: Any, action: str, obj: Any = None) -> Refused | None:
        raise NotImplementedError

    @classmethod
    def can(cls, actor: Any, action: str, obj: Any = None) -> bool:
        return cls.refusal(actor, action, obj) is None

    @classmethod
    def require(cls, actor: Any, action: str, obj: Any = None) -> None:
        """Raise the refusal as a `DomainError` unless the actor may do `action`."""
        refused = cls.refusal(actor, action, obj)
        if refused is not None:
            raise refused.error()

    @classmethod
    def visible(cls, actor: Any, queryset: QuerySet[M] | None = None) -> QuerySet[M]:
        queryset = cls.model._default_manager.all() if queryset is None else queryset  # type: ignore[assignment]  # model is M (a ClassVar cannot be generic)
        assert queryset is not None
        if not is_usable(actor):
            return queryset.none()
        return cls.scope(actor, queryset)

    @classmethod
    def scope(cls, actor: Any, queryset: QuerySet[M]) -> QuerySet[M]:
        """`queryset` narrowed to what a usable actor sees."""
        raise NotImplementedError


class RolePolicy(Policy[M]):
    """A policy from a table: role -> the actions it holds, and the objects within the actor's reach.

    `view_action` is the action that lets an actor see objects at all; `scope` narrows them (to the actor's
    hospital, say) and `reaches(actor, obj)` says whether one object is within reach (default: in `scope`).
    """

    role_actions: ClassVar[Mapping[str, frozenset[Any]]]
    view_action: ClassVar[str]

    @classmethod
    def holds(cls, actor: Any, action: str) -> bool:
        return is_usable(actor) and action in cls.role_actions.get(getattr(actor, "role", ""), frozenset())

    @classmethod
    def refusal(cls, actor: Any, action: str, obj: Any = None) -> Refused | None:
        if obj is not None and not cls.reaches(actor, obj):
            return refused_not_found()
        if not cls.holds(actor, action):
            return refused_not_found() if obj is not None else refused_forbidden()
        return None

    @classmethod
    def reaches(cls, actor: Any, obj: Any) -> bool:
        """Whether `obj` is within the actor's reach (a patient of their hospital): see `scope`."""
        return (
            cls.holds(actor, cls.view_action)
            and cls.scope(actor, type(obj)._default_manager.filter(pk=obj.pk)).exists()
        )

    @classmethod
    def visible(cls, actor: Any, queryset: QuerySet[M] | None = None) -> QuerySet[M]:
        queryset = cls.model._default_manager.all() if queryset is None else queryset  # type: ignore[assignment]  # model is M (a ClassVar cannot be generic)
        assert queryset is not None
        if not cls.holds(actor, cls.view_action):
            return queryset.none()
        return cls.scope(actor, queryset)

    @classmethod
    def scope(cls, actor: Any, queryset: QuerySet[M]) -> QuerySet[M]:
        return queryset
