"""Clinician registration (public) and the helpdesk's activation queue."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concilium.accounts.access import public, user_is_fully_authenticated
from concilium.accounts.models import RegistrationRequest
from concilium.helpdesk.forms import RegistrationForm, RejectionForm
from concilium.helpdesk.permissions import HelpdeskAction, can
from concilium.helpdesk.selectors import (
    ACTIVATION_TARGET,
    activation_decision_counts,
    activation_queue,
    registration_request_get,
    request_age,
)
from concilium.helpdesk.services import (
    RegistrationError,
    registration_activate,
    registration_reject,
    registration_submit,
)

QUEUE_PAGE_SIZE = 25
Decision = RegistrationRequest.Decision


def _ui_language() -> str:
    """The language the applicant is reading this page in: their emails will use it."""
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


@public
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if user_is_fully_authenticated(request):
        return redirect("home:dashboard")
    form = RegistrationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration_submit(
                full_name=data["full_name"],
                email=data["email"],
                password=data["password1"],
                hospital=data["hospital"],
                specialty=data["specialty"],
                country=data["country"],
                languages=data["languages"],
                professional_role=data["professional_role"],
                reason=data["reason"],
                language=_ui_language(),
            )
        except RegistrationError as error:
            form.add_error(None, error.message)
        else:
            # The same page whether the address was new or already had an account: nothing leaks.
            return redirect("helpdesk:register_done")
    status = 400 if form.is_bound else 200
    target_hours = int(ACTIVATION_TARGET.total_seconds() // 3600)
    return render(
        request, "helpdesk/register.html", {"form": form, "target_hours": target_hours}, status=status
    )


@public
@require_GET
def register_done(request: HttpRequest) -> HttpResponse:
    target_hours = int(ACTIVATION_TARGET.total_seconds() // 3600)
    return render(request, "helpdesk/register_done.html", {"target_hours": target_hours})


@require_GET
def activation_queue_view(request: HttpRequest) -> HttpResponse:
    if not can(request.user, HelpdeskAction.REGISTRATION_REVIEW):
        raise PermissionDenied
    decision = request.GET.get("decision", Decision.PENDING)
    if decision not in Decision.values:
        decision = Decision.PENDING
    page = Paginator(activation_queue(actor=request.user, decision=decision), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [{"request": item, "age": request_age(item.submitted_at)} for item in page.object_list]
    counts = activation_decision_counts(actor=request.user)
    tabs = [
        {"decision": value, "label": label, "count": counts[value], "active": value == decision}
        for value, label in Decision.choices
    ]
    return render(
        request,
        "helpdesk/activation_queue.html",
        {
            "page_obj": page,
            "rows": rows,
            "tabs": tabs,
            "decision": decision,
            "target_hours": int(ACTIVATION_TARGET.total_seconds() // 3600),
        },
    )


def _detail(
    request: HttpRequest,
    registration: RegistrationRequest,
    *,
    reject_form: RejectionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    until = registration.decided_at
    return render(
        request,
        "helpdesk/activation_detail.html",
        {
            "registration": registration,
            "applicant": registration.user,
            "age": request_age(registration.submitted_at, until=until),
            "reject_form": reject_form or RejectionForm(),
            "can_decide": can(request.user, HelpdeskAction.REGISTRATION_DECIDE),
            "target_hours": int(ACTIVATION_TARGET.total_seconds() // 3600),
        },
        status=status,
    )


@require_GET
def activation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    registration = registration_request_get(actor=request.user, pk=pk)
    return _detail(request, registration)


@require_POST
def activation_activate(request: HttpRequest, pk: int) -> HttpResponse:
    registration = registration_request_get(actor=request.user, pk=pk)
    try:
        registration_activate(request_obj=registration, actor=request.user)
    except RegistrationError as error:
        messages.error(request, error.message)
        return redirect("helpdesk:activation_detail", pk=registration.pk)
    messages.success(
        request,
        _("%(name)s's account is active; they have been emailed.") % {"name": registration.user.full_name},
    )
    return redirect("helpdesk:activation_queue")


@require_POST
def activation_reject(request: HttpRequest, pk: int) -> HttpResponse:
    registration = registration_request_get(actor=request.user, pk=pk)
    form = RejectionForm(request.POST)
    if not form.is_valid():
        return _detail(request, registration, reject_form=form, status=400)
    try:
        registration_reject(request_obj=registration, actor=request.user, reason=form.cleaned_data["reason"])
    except RegistrationError as error:
        messages.error(request, error.message)
        return redirect("helpdesk:activation_detail", pk=registration.pk)
    messages.success(
        request,
        _("%(name)s's request is rejected; they have been emailed the reason.")
        % {"name": registration.user.full_name},
    )
    return redirect(reverse("helpdesk:activation_queue"))
