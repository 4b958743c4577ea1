"""A refused action on a case, as the pages show it: the same for every case and panel page."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from concilium.cases.models import Case
from concilium.cases.selectors import case_access_lost
from concilium.cases.services import CaseTransitionError, Refusal
from concilium.cases.services.reads import case_access_lost_record
from concilium.cases.services.refusals import case_refusal_record


def refusal_audit(request: HttpRequest, case: Case, action: str, error: CaseTransitionError) -> None:
    """404 when the case is not the visitor's to see (nothing audited of it); else the refusal is audited."""
    if error.code == Refusal.NOT_FOUND:
        raise Http404 from error
    case_refusal_record(case=case, actor=request.user, action=action, error=error)


def refused(request: HttpRequest, case: Case, action: str, error: CaseTransitionError | Any) -> None:
    """A refused action: 404 when the case is not the visitor's to see, else audited and shown to them."""
    refusal_audit(request, case, action, error)
    messages.error(request, error.message)


def no_longer_open(request: HttpRequest, pk: int) -> HttpResponse:
    """A case page the visitor cannot open: why, for someone who was part of the case or was told of it
    (403, audited, nothing of the case shown), else the plain 404 that says nothing of the case."""
    lost = case_access_lost(actor=request.user, pk=pk)
    if lost is None:
        raise Http404
    case_access_lost_record(actor=request.user, case_pk=pk, reason=lost.reason)
    return render(request, "cases/no_longer_open.html", {"lost": lost}, status=403)
