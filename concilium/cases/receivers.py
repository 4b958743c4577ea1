"""What the cases app adds to the apps below it: it reacts to their signals and fills their extension points.

- A patient who lost their last valid care consent: their open cases stop (patients.signals).
- The "My patients" list gets a column with each patient's number of cases, and the patient page the
  section listing the patient's cases (patients.extensions).
- The inbox asks which of its links to case pages the reader can no longer open, and why
  (notifications.extensions).
"""

from typing import Any

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from concilium.cases.models import Case
from concilium.cases.selectors import case_links_closed, cases_of_patient
from concilium.cases.services.lifecycle import cases_stop_for_withdrawn_consent
from concilium.notifications.extensions import link_check_register
from concilium.patients.extensions import ListColumn, PageSection, list_column_register, page_section_register
from concilium.patients.signals import care_consent_lost


def stop_open_cases(sender: Any, *, patient: Any, actor: Any, **kwargs: Any) -> int:
    """Stop the patient's open cases in the transaction that withdrew the consent; how many stopped."""
    return cases_stop_for_withdrawn_consent(patient=patient, actor=actor)


def case_count() -> Any:
    """A patient row's number of cases, as a subquery: counted for the page's rows only, where a join and
    GROUP BY would count the cases of every patient of the hospital before the page is cut."""
    cases = Case.objects.filter(patient_id=OuterRef("pk")).order_by().values("patient_id")
    return Coalesce(Subquery(cases.annotate(n=Count("pk")).values("n")), 0)


def patient_cases_context(actor: Any, patient: Any) -> dict[str, object]:
    return {"cases": cases_of_patient(actor=actor, patient=patient)}


def closed_case_links(actor: Any, links: list[str]) -> dict[str, str]:
    """The in-app notifications' links to case pages the reader can no longer open, with why."""
    return case_links_closed(actor=actor, links=links)


def connect() -> None:
    care_consent_lost.connect(stop_open_cases, dispatch_uid="cases.stop_open_cases")
    link_check_register("cases", closed_case_links)
    list_column_register(ListColumn(name="case_count", header=_("Cases"), annotation=case_count))
    page_section_register(
        PageSection(template="cases/patient/_cases_section.html", context=patient_cases_context)
    )
