"""The signed recommendation as a printable report: HTML from a template, PDF through WeasyPrint.

WeasyPrint needs pango at run time; where it cannot load, `render_report_pdf` raises ReportUnavailable and the
caller keeps the signature and offers to generate the report again later.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from concilium.cases.models import PanelMember, PanelRole, Recommendation


class ReportUnavailable(Exception):
    """The PDF could not be made here (WeasyPrint or its system libraries are missing, or it failed)."""


def weasyprint_import_error() -> str | None:
    """None when WeasyPrint can be imported, else why not (for skipped tests and the admin's eyes)."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        return f"{type(error).__name__}: {error}"
    return None


def report_language(rec: Recommendation) -> str:
    """The report is written in the requester's language."""
    return rec.case.requester.language or settings.LANGUAGE_CODE


#: The PDF variant: PDF/UA-1, a tagged PDF (structure tree, reading order, language, title) that assistive
#: technology reads; WeasyPrint writes the tags from the HTML's structure.
PDF_VARIANT = "pdf/ua-1"

_ROLE_ORDER: dict[str, int] = {PanelRole.LEAD: 0, PanelRole.MEMBER: 1, PanelRole.GUEST: 2}


def render_report_html(rec: Recommendation) -> str:
    """The report: the reference, the patient's pseudonym and diagnosis, the requester and their hospital,
    the expert group, the discussion date, the panel with each member's role, the recommendation, and who
    signed it when."""
    case = rec.case
    language = report_language(rec)
    seats = PanelMember.objects.filter(case=case).select_related("user", "user__hospital")
    panel = sorted(seats, key=lambda seat: (_ROLE_ORDER.get(seat.role, 9), seat.user.full_name))
    context = {
        "rec": rec,
        "case": case,
        "patient": case.patient,
        "group": case.group,
        "requester": case.requester,
        "hospital": case.hospital,
        "discussed_on": case.discussed_at or case.discussion_on,
        "panel": panel,
        "participants": sorted(rec.participants.select_related("hospital"), key=lambda u: u.full_name),
        "language": language,
    }
    with translation.override(language), timezone.override("UTC"):
        return render_to_string("cases/panel/report.html", context)


def _fetch_nothing(url: str, *args: object, **kwargs: object) -> dict[str, object]:
    """The report refers to no file or URL: WeasyPrint fetches nothing while rendering it."""
    raise ValueError(f"the report fetches nothing ({url[:40]})")


def render_report_pdf(rec: Recommendation) -> bytes:
    """The report as PDF bytes; raises ReportUnavailable when WeasyPrint cannot run."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:
        raise ReportUnavailable(f"WeasyPrint cannot be loaded: {error}") from error
    html = render_report_html(rec)
    try:
        pdf: bytes = HTML(string=html, url_fetcher=_fetch_nothing).write_pdf(pdf_variant=PDF_VARIANT)
        return pdf
    except Exception as error:  # WeasyPrint raises many kinds; the signature must not depend on them
        raise ReportUnavailable(f"WeasyPrint failed: {type(error).__name__}") from error
