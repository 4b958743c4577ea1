"""The navigation each role sees. Items point at URL names; roles listed are the ones that may open them."""

from dataclasses import dataclass
from functools import lru_cache
from typing import NotRequired, TypedDict

from django.urls import get_script_prefix, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from concilium.core.roles import CLINICAL_ROLES, Role

ALL_ROLES = frozenset(Role)
STAFF = frozenset({Role.HELPDESK, Role.NETWORK_ADMIN})
#: Roles that hold patients at their hospital.
TREATING = CLINICAL_ROLES


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    icon: str
    roles: frozenset[str]


MAIN = [
    NavItem("home:dashboard", _("Dashboard"), "speedometer2", ALL_ROLES),
    NavItem("directory:search", _("Directory"), "person-lines-fill", ALL_ROLES),
    NavItem("patients:list", _("Patients"), "person-vcard", TREATING),
    NavItem("cases:list", _("Cases"), "folder2-open", TREATING),
    NavItem("cases:queue", _("Group queue"), "inboxes", frozenset({Role.COORDINATOR})),
    NavItem("cases:my_panels", _("My panels"), "people", frozenset({Role.EXPERT, Role.COORDINATOR})),
    NavItem("cases:figures", _("Figures"), "bar-chart", frozenset({Role.COORDINATOR, Role.NETWORK_ADMIN})),
    NavItem("helpdesk:activation_queue", _("Activations"), "person-check", STAFF),
]

#: Less frequent work, gathered in the "Administration" menu so the main bar stays one line.
ADMINISTRATION = [
    NavItem("administration:users", _("Users"), "people-fill", STAFF),
    NavItem("administration:hospitals", _("Hospitals"), "hospital", STAFF),
    NavItem("administration:networks", _("Networks"), "diagram-3", frozenset({Role.NETWORK_ADMIN})),
    NavItem("administration:groups", _("Expert groups"), "collection", frozenset({Role.NETWORK_ADMIN})),
    NavItem("notifications:outbox", _("Outbox"), "envelope", STAFF),
    NavItem("audit:events", _("Audit log"), "journal-text", frozenset({Role.NETWORK_ADMIN})),
    NavItem("cases:templates", _("Case templates"), "ui-checks", frozenset({Role.NETWORK_ADMIN})),
    NavItem(
        "patients:consent_forms", _("Consent forms"), "file-earmark-text", frozenset({Role.NETWORK_ADMIN})
    ),
]

ACCOUNT = [
    NavItem("notifications:inbox", _("Notifications"), "bell", ALL_ROLES),
    NavItem("accounts:security", _("Sign-in and security"), "shield-lock", ALL_ROLES),
    NavItem("accounts:tokens", _("API tokens"), "key", ALL_ROLES),
]


class NavEntry(TypedDict):
    name: str
    url: str
    label: str | Promise
    icon: str
    active: bool
    #: Unread notifications, on the inbox's entry (set by the context processor).
    badge: NotRequired[int]


Entries = list[NavEntry]


#: A menu of one role, built once: (URL name, URL, label, icon) of each item the role may open.
Menu = tuple[tuple[str, str, str | Promise, str], ...]


@lru_cache(maxsize=64)
def menus_of(role: str, script_prefix: str) -> tuple[Menu, Menu, Menu]:
    """The main bar, the administration menu and the account menu of a role, with their URLs: the same for
    every page and every person of the role, so built once per role (and deployment prefix) per process."""

    def build(items: list[NavItem]) -> Menu:
        return tuple(
            (item.url_name, reverse(item.url_name), item.label, item.icon)
            for item in items
            if role in item.roles
        )

    return build(MAIN), build(ADMINISTRATION), build(ACCOUNT)


def items_for(role: str, current_path: str) -> tuple[Entries, Entries, Entries]:
    """The main bar, the administration menu and the account menu of a role, the current page marked."""

    def mark(menu: Menu) -> Entries:
        built: Entries = [
            {
                "name": name,
                "url": url,
                "label": label,
                "icon": icon,
                "active": current_path == url or (url != "/" and current_path.startswith(url)),
            }
            for name, url, label, icon in menu
        ]
        # Only the most specific match is active (/cases/panels/ is "My panels", not also "Cases").
        longest = max((len(entry["url"]) for entry in built if entry["active"]), default=0)
        for entry in built:
            entry["active"] = entry["active"] and len(entry["url"]) == longest
        return built

    main, administration, account = menus_of(role, get_script_prefix())
    return mark(main), mark(administration), mark(account)
