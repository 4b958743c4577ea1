"""The navigation is the same for every page and person of a role: built once per role, and each page only
marks its own item."""

from unittest import mock

import pytest

from concilium.core.roles import Role
from concilium.home import navigation
from concilium.home.navigation import items_for, menus_of


@pytest.fixture(autouse=True)
def _fresh_menus() -> None:
    menus_of.cache_clear()


def test_the_menus_of_a_role_are_built_once_whatever_the_page() -> None:
    with mock.patch.object(navigation, "reverse", wraps=navigation.reverse) as reverse:
        items_for(Role.COORDINATOR, "/cases/queue/")
        built = reverse.call_count
        items_for(Role.COORDINATOR, "/directory/")
        items_for(Role.COORDINATOR, "/")
    assert built > 0 and reverse.call_count == built


def test_only_the_most_specific_item_is_marked_and_each_page_gets_its_own_entries() -> None:
    main, _admin, _account = items_for(Role.EXPERT, "/cases/panels/")
    assert [entry["name"] for entry in main if entry["active"]] == ["cases:my_panels"]
    main[0]["badge"] = 3  # the context processor adds badges to the entries of one page
    again, _admin, _account = items_for(Role.EXPERT, "/")
    assert [entry["name"] for entry in again if entry["active"]] == ["home:dashboard"]
    assert "badge" not in again[0]


def test_each_role_sees_only_its_items() -> None:
    clinician = [entry["name"] for entry in items_for(Role.CLINICIAN, "/")[0]]
    assert "cases:list" in clinician and "cases:queue" not in clinician
    assert "cases:queue" in [entry["name"] for entry in items_for(Role.COORDINATOR, "/")[0]]
