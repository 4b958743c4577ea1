"""Parts of the patient pages that higher apps provide, registered at start-up.

The patients app sits below the apps that use patients (cases, later the registry) and never imports them.
Such an app registers, from its `AppConfig.ready`, what it adds to the patients' pages: a column of the
"My patients" list (a value annotated on each row of the page, in the same query) and a section of the
patient page (its template and a function giving the template's context). The patient pages show what is
registered and nothing else.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Expression
from django.utils.functional import Promise


@dataclass(frozen=True)
class ListColumn:
    """A column of the "My patients" list: `annotation()` is an expression over a patient row (it may use
    `OuterRef("pk")` in a subquery), annotated as `name`."""

    name: str
    header: str | Promise
    annotation: Callable[[], Expression | Any]


@dataclass(frozen=True)
class PageSection:
    """A section of the patient page: `template` rendered with `context(actor, patient)`."""

    template: str
    context: Callable[[Any, Any], dict[str, object]]


_LIST_COLUMNS: dict[str, ListColumn] = {}
_PAGE_SECTIONS: dict[str, PageSection] = {}


def list_column_register(column: ListColumn) -> None:
    _LIST_COLUMNS[column.name] = column


def page_section_register(section: PageSection) -> None:
    _PAGE_SECTIONS[section.template] = section


def list_columns() -> list[ListColumn]:
    return list(_LIST_COLUMNS.values())


def page_sections() -> list[PageSection]:
    return list(_PAGE_SECTIONS.values())
