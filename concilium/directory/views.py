"""The directory page: search and filter listed clinicians; htmx swaps in the results as you type."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from concilium.directory.forms import DirectorySearchForm
from concilium.directory.permissions import ClinicianPolicy, DirectoryAction
from concilium.directory.selectors import clinician_page, clinician_search, directory_filter_options


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    if not ClinicianPolicy.can(request.user, DirectoryAction.VIEW):
        raise PermissionDenied
    form = DirectorySearchForm(request.GET, options=directory_filter_options())
    page = clinician_page(clinician_search(actor=request.user, **form.filters()), number=form.page_number())
    context = {"form": form, "page": page}
    if request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request"):
        # Only the results, without the layout's context processors (navigation, badges): no queries for them.
        response = HttpResponse(render_to_string("directory/_results.html", {**context, "request": request}))
    else:
        response = render(request, "directory/search.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response
