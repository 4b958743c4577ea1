"""Checks on the links of in-app notifications that higher apps provide, registered at start-up.

A notification links to a page its reader could open when it was sent; later the reader may lose access (a
withdrawn consent closes a case to its panel, a member is taken off a panel). The notifications app knows no
page above it, so each app that sends links registers, from its `AppConfig.ready`, a check: given the reader
and the links of a page of notifications, it returns, for each link the reader cannot open now, why (a
sentence for a person, with no patient data). The inbox then shows the reason instead of a dead link.
"""

from collections.abc import Callable
from typing import Any

#: (reader, links) -> {link: why the reader cannot open it}; links that open are left out.
LinkCheck = Callable[[Any, list[str]], dict[str, str]]

_LINK_CHECKS: dict[str, LinkCheck] = {}


def link_check_register(name: str, check: LinkCheck) -> None:
    _LINK_CHECKS[name] = check


def closed_links(actor: Any, links: list[str]) -> dict[str, str]:
    """Every registered check's answer for `links`: the links `actor` cannot open now, with why."""
    links = [link for link in links if link]
    closed: dict[str, str] = {}
    if not links:
        return closed
    for check in _LINK_CHECKS.values():
        closed.update(check(actor, links))
    return closed
