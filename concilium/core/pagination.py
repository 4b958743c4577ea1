"""Pages that never count every match: on a large table a COUNT(*) costs more than the page itself.

`uncounted_page` fetches one row more than the page holds to learn whether a next page exists, so a page is
one query whatever the size of the table. Templates use the same names as Django's Page.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, NoReturn, TypeVar, overload

from django.db.models import QuerySet

Row = TypeVar("Row")

#: Deep pages cost an OFFSET scan; nobody reads page 400 of a list, they filter.
MAX_PAGE = 400


@dataclass(frozen=True)
class UncountedPage(Generic[Row]):
    rows: Sequence[Row]
    number: int
    per_page: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.rows else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.rows)


def page_number(value: Any) -> int:
    """A page number from a query string; out of range or not a number gives the nearest valid one."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


def uncounted_page(
    queryset: QuerySet[Any], *, number: int, per_page: int, max_page: int = MAX_PAGE
) -> UncountedPage[Any]:
    """Page `number` (at most `max_page`) of an ordered queryset, in one query."""
    number = min(max(number, 1), max_page)
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    has_next = len(rows) > per_page and number < max_page
    return UncountedPage(rows=rows[:per_page], number=number, per_page=per_page, has_next=has_next)


class RowsByIds(Generic[Row]):
    """The rows of a search whose matching ids, in order, were read at once: it stands in for the queryset
    in a Paginator (or a slice), its count is the number of ids, and a slice reads just those rows by id.

    A search that filters row by row would otherwise run twice over every candidate, for the count and for
    the page; here it runs once, and the page costs a look-up of 25 ids.
    """

    def __init__(self, ids: Sequence[Any], queryset: QuerySet[Any]) -> None:
        self.ids = list(ids)
        self.queryset = queryset

    def count(self) -> int:
        return len(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, index: int) -> NoReturn: ...
    @overload
    def __getitem__(self, index: slice) -> list[Row]: ...
    def __getitem__(self, index: int | slice) -> list[Row]:
        if not isinstance(index, slice):
            raise TypeError("RowsByIds is read by slices (a page), not row by row")
        ids = self.ids[index]
        rows = {row.pk: row for row in self.queryset.filter(pk__in=ids)} if ids else {}
        return [rows[pk] for pk in ids if pk in rows]

    def __iter__(self) -> Iterator[Row]:
        return iter(self[:])


class IdsThenRows(Generic[Row]):
    """An ordered list read in two steps, for a Paginator (or a slice): the page's ids from an index (the
    ordered, filtered `ids` queryset, read as ids only: an index-only scan, so a deep page skips index
    entries, not rows), then just those rows by id from `rows` (with what the page shows joined).

    Sorting whole rows to keep 25 would read every row of the list, long text included, and cost more the
    deeper the page; here the last page costs what the first does. `count` reads the same index.
    """

    def __init__(self, ids: QuerySet[Any], rows: QuerySet[Any]) -> None:
        self.ids = ids
        self.rows = rows

    def count(self) -> int:
        return self.ids.order_by().count()

    def exists(self) -> bool:
        return self.ids.exists()

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> NoReturn: ...
    @overload
    def __getitem__(self, index: slice) -> list[Row]: ...
    def __getitem__(self, index: int | slice) -> list[Row]:
        if not isinstance(index, slice):
            raise TypeError("IdsThenRows is read by slices (a page), not row by row")
        return RowsByIds(list(self.ids.values_list("pk", flat=True)[index]), self.rows)[:]

    def __iter__(self) -> Iterator[Row]:
        return iter(self[:])
