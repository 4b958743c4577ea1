"""Reads for the directory: the search, a count-free page of results, filter options, the CSV export."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypedDict

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan
from django.shortcuts import get_object_or_404

from concilium.core.pagination import UncountedPage, uncounted_page
from concilium.core.translations import translation_of
from concilium.directory.models import (
    SPECIALTY_TRANSLATIONS_CACHE_KEY,
    Clinician,
    Hospital,
    Language,
    Network,
    Specialty,
    fold,
)
from concilium.directory.permissions import ClinicianPolicy, HospitalPolicy, NetworkPolicy
from concilium.directory.reference import country_name

PAGE_SIZE = 25
#: Counting every match of a broad search at 100,000 clinicians costs more than the page itself: stop here.
COUNT_CAP = 200
#: Deep offsets get slow and nobody reads page 400; past it, ask for a narrower search.
MAX_PAGE = 400
#: The shortest name fragment the trigram index (migration 0003) can answer.
TRIGRAM = 3

CSV_COLUMNS = ("full_name", "email", "hospital", "country", "specialty", "languages", "networks")


def clinician_search(
    *,
    actor: Any,
    name: str = "",
    specialty_id: int | None = None,
    country: str = "",
    language: str = "",
    network_id: int | None = None,
) -> QuerySet[Clinician]:
    """Listed clinicians `actor` may see, filtered; the name matches anywhere, ignoring case and accents."""
    queryset = ClinicianPolicy.visible(actor)
    needle = fold(name)
    if len(needle) >= TRIGRAM:
        queryset = queryset.filter(search_name__contains=needle)
    elif needle:
        # One or two letters hold no trigram: PostgreSQL would read the whole trigram index for LIKE. The
        # same test written as strpos/instr walks the names in order instead, and stops after one page.
        queryset = queryset.filter(GreaterThan(StrIndex("search_name", Value(needle)), 0))
    if specialty_id:
        queryset = queryset.filter(specialty_id=specialty_id)
    if country:
        queryset = queryset.filter(country=country)
    if language:
        speaks = Clinician.languages.through.objects.filter(clinician_id=OuterRef("pk"), language_id=language)
        queryset = queryset.filter(Exists(speaks))
    if network_id:
        member = Clinician.networks.through.objects.filter(clinician_id=OuterRef("pk"), network_id=network_id)
        queryset = queryset.filter(Exists(member))
    return queryset.order_by("search_name", "id")


@dataclass(frozen=True)
class Tag:
    """A language or network shown beside a clinician: its code and its name."""

    code: str
    name: str


@dataclass(frozen=True)
class DirectoryEntry:
    """One row of the directory, shaped for the page and the API (plain values, no lazy lookups)."""

    id: int
    full_name: str
    specialty: str
    hospital_id: int
    hospital_name: str
    hospital_city: str
    is_reference_centre: bool
    country: str
    languages: list[Tag]
    networks: list[Tag]


@dataclass(frozen=True)
class ClinicianPage(UncountedPage[DirectoryEntry]):
    """One page of results with the number of matches, counted up to COUNT_CAP (a capped COUNT is cheap)."""

    total: int = 0
    total_is_capped: bool = False


def _tags(clinician_ids: list[int]) -> tuple[dict[int, list[Tag]], dict[int, list[Tag]]]:
    """The languages and the networks of these clinicians, by clinician id and sorted by code.

    One plain UNION query (names from the models, ids as parameters): built through the ORM, the same query
    costs three times as long, on every keystroke.
    """
    languages: dict[int, list[Tag]] = {clinician_id: [] for clinician_id in clinician_ids}
    networks: dict[int, list[Tag]] = {clinician_id: [] for clinician_id in clinician_ids}
    if not clinician_ids:
        return languages, networks
    quote = connection.ops.quote_name
    placeholders = ", ".join(["%s"] * len(clinician_ids))

    def part(kind: str, link: Any, target: Any) -> str:
        owner = quote(link._meta.get_field("clinician").column)
        pointer = quote(link._meta.get_field(target._meta.model_name).column)
        # Names come from the models and values are parameters: no injection.
        return (
            f"SELECT '{kind}', t.{owner}, x.{quote('code')}, x.{quote('name')} "  # noqa: S608
            f"FROM {quote(link._meta.db_table)} t JOIN {quote(target._meta.db_table)} x "
            f"ON x.{quote(target._meta.pk.column)} = t.{pointer} WHERE t.{owner} IN ({placeholders})"
        )

    sql = (
        part("l", Clinician.languages.through, Language)
        + " UNION ALL "
        + part("n", Clinician.networks.through, Network)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*clinician_ids, *clinician_ids])
        rows = cursor.fetchall()
    for kind, clinician_id, code, name in sorted(rows, key=lambda row: row[2]):
        (languages if kind == "l" else networks)[clinician_id].append(Tag(code, name))
    return languages, networks


#: How long the specialties' translated names stay cached (saving a specialty drops them at once).
SPECIALTY_TRANSLATIONS_CACHE_SECONDS = 600


def _specialty_translations() -> dict[int, dict[str, Any]]:
    """Every translated specialty's `translations`, by id: from the cache, else one query of a small table."""

    def load() -> dict[int, dict[str, Any]]:
        return {
            pk: translations
            for pk, translations in Specialty.objects.values_list("id", "translations")
            if translations
        }

    found = cache.get_or_set(SPECIALTY_TRANSLATIONS_CACHE_KEY, load, SPECIALTY_TRANSLATIONS_CACHE_SECONDS)
    return found or {}


def specialty_name(
    specialty_id: int, name: str, translations: dict[int, dict[str, Any]] | None = None
) -> str:
    """A specialty's name in the active language, given its id and its (English) name; a caller naming many
    passes the translations it read once (`_specialty_translations`: a cache read each)."""
    found = _specialty_translations() if translations is None else translations
    return translation_of(found.get(specialty_id), "name") or name


def clinician_page(
    queryset: QuerySet[Clinician], *, number: int = 1, per_page: int = PAGE_SIZE
) -> ClinicianPage:
    """Page `number` of the matches with hospital, specialty, languages and networks: three queries."""
    number = min(max(number, 1), MAX_PAGE)
    offset = (number - 1) * per_page
    # The page's ids first (from the listed-name index), then hospital and specialty for those rows only.
    page_ids = queryset.values("id")[offset : offset + per_page + 1]
    values = list(
        Clinician.objects.filter(id__in=Subquery(page_ids))
        .order_by("search_name", "id")
        .values_list(
            "id",
            "full_name",
            "specialty__name",
            "hospital_id",
            "hospital__name",
            "hospital__city",
            "hospital__is_reference_centre",
            "country",
            "specialty_id",
        )
    )
    has_next = len(values) > per_page and number < MAX_PAGE
    values = values[:per_page]
    ids = [row[0] for row in values]
    languages, networks = _tags(ids)
    translations = _specialty_translations()
    rows = [
        DirectoryEntry(
            row[0],
            row[1],
            specialty_name(row[8], row[2], translations),
            *row[3:8],
            languages=languages[row[0]],
            networks=networks[row[0]],
        )
        for row in values
    ]
    total = queryset.order_by().values("id")[: COUNT_CAP + 1].count()
    return ClinicianPage(
        rows=rows,
        number=number,
        per_page=per_page,
        has_next=has_next,
        total=min(total, COUNT_CAP),
        total_is_capped=total > COUNT_CAP,
    )


@dataclass(frozen=True)
class FilterOptions:
    """The choices of the directory's filters (small tables: one query each)."""

    specialties: list[tuple[int, str]]
    countries: list[tuple[str, str]]
    languages: list[tuple[str, str]]
    networks: list[tuple[int, str]]


def directory_filter_options() -> FilterOptions:
    """Specialties, countries with a hospital, languages and networks, sorted for people to pick from.

    Read in one plain UNION query: the page runs on every keystroke, and building the same query through the
    ORM costs more than running it. Table and column names come from the models; there are no parameters.
    """
    quote = connection.ops.quote_name

    def part(kind: str, model: Any, key: str, label: str, *, distinct: bool = False) -> str:
        key_sql = f"CAST({quote(key)} AS VARCHAR(20))" if key == "id" else quote(key)
        select = "SELECT DISTINCT" if distinct else "SELECT"
        return f"{select} '{kind}', {key_sql}, {quote(label)} FROM {quote(model._meta.db_table)}"

    sql = " UNION ALL ".join(
        [
            part("s", Specialty, "id", "name"),
            part("c", Hospital, "country", "country", distinct=True),
            part("l", Language, "code", "name"),
            part("n", Network, "id", "name"),
        ]
    )
    found: dict[str, list[tuple[str, str]]] = {"s": [], "c": [], "l": [], "n": []}
    translations = _specialty_translations()
    with connection.cursor() as cursor:
        cursor.execute(sql)
        for kind, key, label in cursor.fetchall():
            shown = specialty_name(int(key), label, translations) if kind == "s" else label
            found[kind].append((key, country_name(key) if kind == "c" else shown))
    for choices in found.values():
        choices.sort(key=lambda item: fold(item[1]))
    return FilterOptions(
        specialties=[(int(key), label) for key, label in found["s"]],
        countries=found["c"],
        languages=[(code, f"{name} ({code})") for code, name in found["l"]],
        networks=[(int(key), label) for key, label in found["n"]],
    )


def clinician_export_rows(
    *, include_unlisted: bool = False, chunk_size: int = 2000
) -> Iterator[dict[str, str]]:
    """Every clinician as a CSV row, streamed in chunks so memory stays flat whatever the directory's size."""
    queryset = Clinician.objects.all() if include_unlisted else Clinician.objects.filter(is_listed=True)
    queryset = (
        queryset.select_related("hospital", "specialty")
        .only("id", "full_name", "email", "hospital__name", "hospital__country", "specialty__name")
        .prefetch_related(
            Prefetch("languages", queryset=Language.objects.only("code").order_by("code")),
            Prefetch("networks", queryset=Network.objects.only("id", "code").order_by("code")),
        )
        .order_by("id")
    )
    for clinician in queryset.iterator(chunk_size=chunk_size):
        yield {
            "full_name": clinician.full_name,
            "email": clinician.email,
            "hospital": clinician.hospital.name,
            "country": clinician.hospital.country,
            "specialty": clinician.specialty.name,
            "languages": ";".join(language.code for language in clinician.languages.all()),
            "networks": ";".join(network.code for network in clinician.networks.all()),
        }


class CountryCount(TypedDict):
    country: str
    total: int
    #: Of the country with the most listed clinicians.
    percent: int


#: The dashboard's directory figures, the same for everyone: cached, dropped on every change of a
#: clinician, hospital or network (`services.directory_overview_changed`), kept an hour at most.
OVERVIEW_CACHE_KEY = "directory:overview:v1"
OVERVIEW_CACHE_SECONDS = 3600
OVERVIEW_COUNTRIES = 8


def directory_overview() -> dict[str, object]:
    """Listed clinicians per country (the top 8), with totals: from the cache, else four aggregate queries
    (two of them over every listed clinician)."""
    overview = cache.get(OVERVIEW_CACHE_KEY)
    if overview is None:
        overview = _directory_overview(OVERVIEW_COUNTRIES)
        cache.set(OVERVIEW_CACHE_KEY, overview, OVERVIEW_CACHE_SECONDS)
    return overview  # type: ignore[no-any-return]  # the cache holds what _directory_overview returned


def _directory_overview(limit: int) -> dict[str, object]:
    # One pass over the listed clinicians: every country's count (a few dozen rows), summed for the total.
    every = sorted(
        Clinician.objects.filter(is_listed=True)
        .values_list("country")
        .annotate(total=Count("id"))
        .order_by(),
        key=lambda row: (-row[1], row[0]),
    )
    counts = every[:limit]
    peak = max((total for _country, total in counts), default=0) or 1
    by_country: list[CountryCount] = [
        {"country": country, "total": total, "percent": round(100 * total / peak)}
        for country, total in counts
    ]
    return {
        "clinicians": sum(total for _country, total in every),
        "hospitals": Hospital.objects.count(),
        "networks": Network.objects.count(),
        "by_country": by_country,
    }


# --- Hospitals and networks, for the administration screens ----------------------------------------------

#: Hospitals on one page of the administration's list.
HOSPITAL_PAGE_SIZE = 25


def hospital_page(*, actor: Any, query: str = "", number: int = 1) -> UncountedPage[Hospital]:
    """A page of the hospitals the actor manages whose name or city holds `query`, by country and name,
    with their networks (two queries, no count)."""
    hospitals = HospitalPolicy.visible(actor)
    query = query.strip()
    if query:
        hospitals = hospitals.filter(Q(name__icontains=query) | Q(city__icontains=query))
    hospitals = hospitals.prefetch_related(Prefetch("networks", queryset=Network.objects.order_by("name")))
    return uncounted_page(
        hospitals.order_by("country", "name", "pk"), number=number, per_page=HOSPITAL_PAGE_SIZE
    )


def hospital_get(*, actor: Any, pk: int) -> Hospital:
    """A hospital the actor manages, or 404."""
    return get_object_or_404(HospitalPolicy.visible(actor), pk=pk)


def networks_all() -> QuerySet[Network]:
    """Every network by name: the choices of a hospital's networks."""
    return Network.objects.order_by("name")


def networks_administered(*, actor: Any) -> QuerySet[Network]:
    """The networks the actor administers, by name, with their number of hospitals."""
    return NetworkPolicy.visible(actor).annotate(hospital_count=Count("hospitals")).order_by("name")


def network_get(*, actor: Any, pk: int) -> Network:
    """A network the actor administers, or 404 (the same for another admin's network and a missing one)."""
    return get_object_or_404(NetworkPolicy.visible(actor), pk=pk)
