"""Coordinator figures: a page with charts per group and network, and the same figures as CSV."""

from datetime import date, timedelta

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from concilium.cases.figures import case_figures, figures_csv_rows
from concilium.cases.permissions import CasePolicy, FiguresAction, FiguresPolicy
from concilium.core.spreadsheet import SafeWriter

#: The longest period one page covers; longer ones are refused, not silently cut.
MAX_PERIOD = timedelta(days=5 * 366)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or date(end.year - 1, end.month, 1)
        if start > end:
            self.add_error("end", _("The end of the period must not be before its start."))
        elif end - start > MAX_PERIOD:
            self.add_error("start", _("Choose a period of at most five years."))
        data["start"], data["end"] = start, end
        return data


@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    if not FiguresPolicy.can(request.user, FiguresAction.VIEW):
        raise PermissionDenied
    form = PeriodForm(request.GET)  # empty fields mean the last twelve months
    valid = form.is_valid()
    data = None
    if valid:
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        data = case_figures(cases=FiguresPolicy.cases(request.user), start=start, end=end)
    if data is not None and request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="concilium-figures-{data.start.isoformat()}-{data.end.isoformat()}.csv"'
        )
        SafeWriter(response).writerows(figures_csv_rows(data))
        return response
    query = request.GET.copy()
    query["format"] = "csv"
    # The flagged cases link to their page only for those who may open it (a network admin sees the
    # figures of every group and no case).
    flagged_ids = [case["id"] for case in data.flagged] if data is not None else []
    openable = set(CasePolicy.visible(request.user).filter(pk__in=flagged_ids).values_list("pk", flat=True))
    return render(
        request,
        "cases/figures.html",
        {"form": form, "figures": data, "csv_query": query.urlencode(), "openable": openable},
        status=200 if valid else 400,
    )
