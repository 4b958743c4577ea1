"""JSON API for the directory: GET /api/directory/clinicians, the page's search with the same filters.

Authentication is the API's default (a Bearer token with the read scope, or a fully authenticated session).
"""

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import field_validator

from concilium.accounts.api_auth import api_user, required_scope
from concilium.accounts.models import TokenScope
from concilium.core.errors import DomainError
from concilium.core.text import has_control_characters
from concilium.directory.permissions import ClinicianPolicy, DirectoryAction
from concilium.directory.selectors import (
    COUNT_CAP,
    MAX_PAGE,
    PAGE_SIZE,
    DirectoryEntry,
    clinician_page,
    clinician_search,
)

router = Router(tags=["directory"])


class ClinicianFilters(Schema):
    q: str = Field("", max_length=100, description="part of the name; case and accents are ignored")
    specialty: int | None = Field(None, description="specialty id")
    country: str = Field(
        "", pattern=r"^([A-Za-z]{2})?$", description="ISO 3166-1 alpha-2 code of the hospital"
    )
    language: str = Field("", max_length=8, description="ISO 639-1 language code")
    network: int | None = Field(None, description="network id")
    page: int = Field(1, ge=1, le=MAX_PAGE)

    @field_validator("q", "language")
    @classmethod
    def no_control_characters(cls, value: str) -> str:
        if has_control_characters(value):
            raise ValueError("must not contain control characters")
        return value.strip()


class HospitalOut(Schema):
    id: int
    name: str
    city: str
    country: str
    is_reference_centre: bool


class ClinicianOut(Schema):
    id: int
    full_name: str
    specialty: str
    hospital: HospitalOut
    country: str
    languages: list[str] = Field(description="ISO 639-1 codes")
    networks: list[str] = Field(description="network codes")

    @staticmethod
    def resolve_hospital(entry: DirectoryEntry) -> dict[str, object]:
        return {
            "id": entry.hospital_id,
            "name": entry.hospital_name,
            "city": entry.hospital_city,
            "country": entry.country,
            "is_reference_centre": entry.is_reference_centre,
        }

    @staticmethod
    def resolve_languages(entry: DirectoryEntry) -> list[str]:
        return [tag.code for tag in entry.languages]

    @staticmethod
    def resolve_networks(entry: DirectoryEntry) -> list[str]:
        return [tag.code for tag in entry.networks]


class ClinicianPageOut(Schema):
    items: list[ClinicianOut]
    page: int
    per_page: int
    has_next: bool
    total: int = Field(description=f"number of matches, counted up to {COUNT_CAP}")
    total_is_capped: bool = Field(description=f"true when more than {COUNT_CAP} clinicians match")


@router.get("/clinicians", response=ClinicianPageOut, url_name="directory_clinicians")
def list_clinicians(request: HttpRequest, filters: Query[ClinicianFilters]) -> dict[str, object]:
    """Listed clinicians matching the filters, 25 a page, sorted by name (total counted up to 200)."""
    actor = api_user(request)
    required_scope(request, TokenScope.READ)
    if not ClinicianPolicy.can(actor, DirectoryAction.VIEW):
        raise DomainError("forbidden", "You may not read the directory.")
    queryset = clinician_search(
        actor=actor,
        name=filters.q,
        specialty_id=filters.specialty,
        country=filters.country.upper(),
        language=filters.language.lower(),
        network_id=filters.network,
    )
    page = clinician_page(queryset, number=filters.page)
    return {
        "items": page.rows,
        "page": page.number,
        "per_page": PAGE_SIZE,
        "has_next": page.has_next,
        "total": page.total,
        "total_is_capped": page.total_is_capped,
    }
