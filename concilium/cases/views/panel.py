"""The panel's pages: my panels, a case's panel (members, invitations), its discussion, the recommendation
(editor, signature, PDF report). Each case page is found among the cases the user sees, else 404.

Sections (`_panel_section.html`, ...) are also served alone so that the case page can load them with htmx.
"""

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concilium.accounts.models import User
from concilium.cases.forms_panel import ContributionForm, InviteForm, RecommendationForm, SignForm
from concilium.cases.models import Case, PanelMember
from concilium.cases.permissions import PANEL_STATUSES, CaseAction, CasePolicy, PanelAction
from concilium.cases.selectors_panel import (
    contributions_for,
    invite_candidates,
    mention_candidates,
    my_panels_page,
    panel_members,
    panel_users,
    recommendation_for,
)
from concilium.cases.services import CaseTransitionError
from concilium.cases.services.panel import (
    contribution_post,
    panel_form_from_group,
    panel_invite,
    panel_remove,
    panel_set_lead,
)
from concilium.cases.services.reads import case_read_record, cases_listed
from concilium.cases.services.recommendation import (
    recommendation_render_pdf,
    recommendation_save,
    recommendation_sign,
    signing_needs_code,
)
from concilium.cases.views.refusals import no_longer_open, refusal_audit, refused
from concilium.core.pagination import page_number
from concilium.directory.models import Clinician
from concilium.directory.permissions import ClinicianPolicy

MY_PANELS_PER_PAGE = 25


def _is_htmx(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def _case(request: HttpRequest, pk: int) -> Case:
    """The case if the user sees it, else 404 (whether it exists or not)."""
    queryset = CasePolicy.visible(request.user).select_related("patient", "group", "hospital", "requester")
    return get_object_or_404(queryset, pk=pk)


def _can(user: Any, case: Case) -> dict[str, bool]:
    """What the user may do with the case's panel, for the templates."""
    return {
        "manage": CasePolicy.can(user, CaseAction.MANAGE_PANEL, case),
        "contribute": CasePolicy.can(user, PanelAction.CONTRIBUTE, case),
        "request_info": CasePolicy.can(user, PanelAction.REQUEST_INFO, case),
        "view_draft": CasePolicy.can(user, PanelAction.VIEW_DRAFT, case),
        "draft": CasePolicy.can(user, PanelAction.DRAFT_RECOMMENDATION, case),
        "sign": CasePolicy.can(user, PanelAction.SIGN_RECOMMENDATION, case),
        "download": CasePolicy.can(user, PanelAction.DOWNLOAD_REPORT, case),
        "render": CasePolicy.can(user, PanelAction.RENDER_REPORT, case),
    }


def _audit_view(request: HttpRequest, case: Case, action: str) -> None:
    case_read_record(actor=request.user, case=case, action=action)


# --- My panels ------------------------------------------------------------------------------------------


@require_GET
def my_panels(request: HttpRequest) -> HttpResponse:
    page = my_panels_page(
        actor=request.user,  # type: ignore[arg-type]  # signed in: the middleware saw to it
        number=page_number(request.GET.get("page")),
        per_page=MY_PANELS_PER_PAGE,
    )
    cases_listed(
        actor=request.user,
        action="panel.list",
        case_ids=[seat.case_id for seat in page.rows],
        page=page.number,
    )
    return render(request, "cases/panel/my_panels.html", {"page_obj": page})


# --- The panel ------------------------------------------------------------------------------------------


def _panel_context(request: HttpRequest, case: Case, invite_form: InviteForm | None = None) -> dict[str, Any]:
    can = _can(request.user, case)
    return {
        "case": case,
        "can": can,
        "members": panel_members(case=case),
        "invite_form": invite_form or (InviteForm() if can["manage"] else None),
        "candidates": [],
    }


def _render_panel(request: HttpRequest, case: Case, invite_form: InviteForm | None = None) -> HttpResponse:
    context = _panel_context(request, case, invite_form)
    if _is_htmx(request):
        response = HttpResponse(
            render_to_string("cases/panel/_panel_section.html", {**context, "htmx": True}, request=request)
        )
    else:
        response = render(request, "cases/panel/panel.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def panel(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    if not _is_htmx(request):
        _audit_view(request, case, "case.panel_view")
    return _render_panel(request, case)


@require_POST
def panel_form(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    try:
        added = panel_form_from_group(case=case, actor=request.user)  # type: ignore[arg-type]  # signed in: the middleware saw to it
    except CaseTransitionError as error:
        refused(request, case, CaseAction.MANAGE_PANEL, error)
    else:
        messages.success(request, _("%(count)d group members added to the panel.") % {"count": len(added)})
    return _after_panel_change(request, case)


def _after_panel_change(request: HttpRequest, case: Case) -> HttpResponse:
    if _is_htmx(request):
        CasePolicy.forget(case)
        return _render_panel(request, case)
    return redirect("cases:panel", pk=case.pk)


def _invite_queryset(request: HttpRequest) -> QuerySet[Clinician]:
    return ClinicianPolicy.visible(request.user).filter(user__isnull=False, user__is_active=True)


@require_POST
def panel_invite_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    if not CasePolicy.can(request.user, CaseAction.MANAGE_PANEL, case):
        refused(
            request,
            case,
            CaseAction.MANAGE_PANEL,
            CasePolicy.refusal(request.user, CaseAction.MANAGE_PANEL, case),
        )
        return _after_panel_change(request, case)
    form = InviteForm(request.POST, candidates=_invite_queryset(request))
    if form.is_valid():
        try:
            member = panel_invite(
                case=case,
                clinician=form.cleaned_data["clinician"],
                role=form.cleaned_data["role"],
                expires_at=form.expires_at(),
                actor=request.user,  # type: ignore[arg-type]  # signed in: the middleware saw to it
            )
        except CaseTransitionError as error:
            refusal_audit(request, case, CaseAction.MANAGE_PANEL, error)
            form.add_error("expires_on" if "expires_at" in error.missing else None, error.message)
        else:
            messages.success(
                request, _("%(name)s was invited to the panel.") % {"name": member.user.full_name}
            )
            return _after_panel_change(request, case)
    return _render_panel(request, case, invite_form=form)


@require_POST
def panel_candidates(request: HttpRequest, pk: int) -> HttpResponse:
    """The directory autocomplete of the invitation form (an htmx fragment). The name being typed travels
    in the request's body, never in its address (which browsers keep in their history, proxies in logs)."""
    case = _case(request, pk)
    if not CasePolicy.can(request.user, CaseAction.MANAGE_PANEL, case):
        raise Http404
    query = request.POST.get("q", "")[:100]
    candidates = invite_candidates(actor=request.user, case=case, q=query)  # type: ignore[arg-type]  # signed in: the middleware saw to it
    return HttpResponse(
        render_to_string(
            "cases/panel/_candidates.html", {"candidates": candidates, "query": query}, request=request
        )
    )


def _member(case: Case, member_id: int) -> PanelMember:
    return get_object_or_404(PanelMember.objects.select_related("user"), pk=member_id, case=case)


@require_POST
def panel_remove_view(request: HttpRequest, pk: int, member_id: int) -> HttpResponse:
    case = _case(request, pk)
    member = _member(case, member_id)
    try:
        panel_remove(case=case, member=member, actor=request.user)  # type: ignore[arg-type]  # signed in: the middleware saw to it
    except CaseTransitionError as error:
        refused(request, case, CaseAction.MANAGE_PANEL, error)
    else:
        messages.success(request, _("%(name)s left the panel.") % {"name": member.user.full_name})
    return _after_panel_change(request, case)


@require_POST
def panel_lead_view(request: HttpRequest, pk: int, member_id: int) -> HttpResponse:
    case = _case(request, pk)
    member = _member(case, member_id)
    try:
        panel_set_lead(case=case, member=member, actor=request.user)  # type: ignore[arg-type]  # signed in: the middleware saw to it
    except CaseTransitionError as error:
        refused(request, case, CaseAction.MANAGE_PANEL, error)
    else:
        messages.success(request, _("%(name)s now leads the panel.") % {"name": member.user.full_name})
    return _after_panel_change(request, case)


# --- Discussion -----------------------------------------------------------------------------------------


def _discussion_context(
    request: HttpRequest, case: Case, form: ContributionForm | None = None
) -> dict[str, Any]:
    can = _can(request.user, case)
    if form is None and can["contribute"]:
        form = ContributionForm(allow_request=can["request_info"])
    return {
        "case": case,
        "can": can,
        "contributions": list(contributions_for(case=case)),
        "form": form,
        "discussion_open": case.status in PANEL_STATUSES,
    }


@require_http_methods(["GET", "POST"])
def discussion(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        case = _case(request, pk)
    except Http404:
        if request.method != "GET":
            raise
        return no_longer_open(request, pk)
    if not CasePolicy.can(request.user, PanelAction.READ_DISCUSSION, case):
        raise Http404
    form = None
    if request.method == "POST":
        can_request = CasePolicy.can(request.user, PanelAction.REQUEST_INFO, case)
        form = ContributionForm(request.POST, allow_request=can_request)
        if form.is_valid():
            try:
                contribution_post(
                    case=case,
                    actor=request.user,  # type: ignore[arg-type]  # signed in: the middleware saw to it
                    body=form.cleaned_data["body"],
                    kind=form.cleaned_data["kind"],
                )
            except CaseTransitionError as error:
                refusal_audit(request, case, PanelAction.CONTRIBUTE, error)
                form.add_error("body" if "body" in error.missing else None, error.message)
            else:
                if not _is_htmx(request):
                    messages.success(request, _("Your contribution was posted."))
                    return redirect("cases:discussion", pk=case.pk)
                form = None
    elif not _is_htmx(request):
        _audit_view(request, case, "case.discussion_view")
    context = _discussion_context(request, case, form)
    if _is_htmx(request):
        response = HttpResponse(
            render_to_string(
                "cases/panel/_discussion_section.html", {**context, "htmx": True}, request=request
            )
        )
    else:
        response = render(request, "cases/panel/discussion.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_POST
def discussion_mentions(request: HttpRequest, pk: int) -> HttpResponse:
    """Panel members matching the name being typed after "@" (an htmx fragment). The draft travels in the
    request's body, never in its address (which browsers keep in their history and proxies in their logs)."""
    case = _case(request, pk)
    if not CasePolicy.can(request.user, PanelAction.CONTRIBUTE, case):
        raise Http404
    text = request.POST.get("body", "")[-200:]
    at = text.rfind("@")
    fragment = text[at + 1 :] if at >= 0 else ""
    people: list[User] = []
    if at >= 0 and "\n" not in fragment and len(fragment) <= 60:
        people = mention_candidates(case=case, q=fragment, exclude=request.user)  # type: ignore[arg-type]  # signed in: the middleware saw to it
    return HttpResponse(
        render_to_string(
            "cases/panel/_mentions.html", {"people": people, "fragment": fragment}, request=request
        )
    )


# --- Recommendation -------------------------------------------------------------------------------------


def _recommendation_context(
    request: HttpRequest,
    case: Case,
    form: RecommendationForm | None = None,
    sign_form: SignForm | None = None,
) -> dict[str, Any]:
    can = _can(request.user, case)
    rec = recommendation_for(case=case)
    shown = rec is not None and (rec.signed_at is not None or can["view_draft"])
    members = panel_members(case=case)
    if can["draft"] and form is None and (rec is None or rec.signed_at is None):
        initial: dict[str, Any] = {}
        if rec is not None:
            initial = {
                "summary": rec.summary,
                "recommendation": rec.recommendation,
                "rationale": rec.rationale,
                "references": rec.references,
                "participants": [u.pk for u in rec.participants.all()],
            }
        form = RecommendationForm(initial=initial, panel_users=panel_users(case=case))
    needs_code = signing_needs_code(request.user) if can["sign"] else False  # type: ignore[arg-type]  # signed in: the middleware saw to it
    if can["sign"] and rec is not None and sign_form is None:
        sign_form = SignForm(needs_code=needs_code)
    return {
        "case": case,
        "can": can,
        "rec": rec if shown else None,
        "has_draft": rec is not None,
        "members": members,
        "form": form if can["draft"] else None,
        "sign_form": sign_form if can["sign"] and rec is not None else None,
        "needs_code": needs_code,
    }


def _render_recommendation(request: HttpRequest, case: Case, **kwargs: Any) -> HttpResponse:
    context = _recommendation_context(request, case, **kwargs)
    if _is_htmx(request):
        response = HttpResponse(
            render_to_string(
                "cases/panel/_recommendation_section.html", {**context, "htmx": True}, request=request
            )
        )
    else:
        response = render(request, "cases/panel/recommendation.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_http_methods(["GET", "POST"])
def recommendation(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    if request.method == "GET":
        if not _is_htmx(request):
            _audit_view(request, case, "recommendation.view")
        return _render_recommendation(request, case)
    form = RecommendationForm(request.POST, panel_users=panel_users(case=case))
    if form.is_valid():
        try:
            recommendation_save(
                case=case,
                actor=request.user,  # type: ignore[arg-type]  # signed in: the middleware saw to it
                summary=form.cleaned_data["summary"],
                recommendation=form.cleaned_data["recommendation"],
                rationale=form.cleaned_data["rationale"],
                references=form.cleaned_data["references"],
                participants=list(form.cleaned_data["participants"]),
            )
        except CaseTransitionError as error:
            refusal_audit(request, case, PanelAction.DRAFT_RECOMMENDATION, error)
            field = error.missing[0] if error.missing and error.missing[0] in form.fields else None
            if field is None:
                messages.error(request, error.message)
            else:
                form.add_error(field, error.message)
        else:
            messages.success(request, _("The draft recommendation was saved."))
            return redirect("cases:recommendation", pk=case.pk)
    return _render_recommendation(request, case, form=form)


@require_POST
def recommendation_sign_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    needs_code = signing_needs_code(request.user)  # type: ignore[arg-type]  # signed in: the middleware saw to it
    sign_form: SignForm | None = SignForm(request.POST, needs_code=needs_code)
    if sign_form is not None and sign_form.is_valid():
        try:
            rec = recommendation_sign(
                case=case,
                actor=request.user,  # type: ignore[arg-type]  # signed in: the middleware saw to it
                credential=sign_form.cleaned_data["credential"],
            )
        except CaseTransitionError as error:
            refusal_audit(request, case, PanelAction.SIGN_RECOMMENDATION, error)
            if "credential" in error.missing:
                sign_form.add_error("credential", error.message)
            else:
                messages.error(request, error.message)
                sign_form = None
        else:
            if rec.report:
                messages.success(request, _("The recommendation is signed and its report is ready."))
            else:
                messages.warning(
                    request,
                    _(
                        "The recommendation is signed, but its PDF report could not be made. "
                        "Generate it again later."
                    ),
                )
            return redirect("cases:recommendation", pk=case.pk)
    CasePolicy.forget(case)
    case.refresh_from_db()
    return _render_recommendation(request, case, sign_form=sign_form)


@require_GET
def recommendation_report(request: HttpRequest, pk: int) -> FileResponse:
    case = _case(request, pk)
    if not CasePolicy.can(request.user, PanelAction.DOWNLOAD_REPORT, case):
        raise Http404
    rec = recommendation_for(case=case)
    if rec is None or not rec.report:
        raise Http404
    try:
        handle = rec.report.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    _audit_view(request, case, "recommendation.report_download")
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{case.reference}-recommendation.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def recommendation_report_render(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    if not CasePolicy.can(request.user, PanelAction.RENDER_REPORT, case):
        refused(
            request,
            case,
            PanelAction.RENDER_REPORT,
            CasePolicy.refusal(request.user, PanelAction.RENDER_REPORT, case),
        )
        return redirect("cases:recommendation", pk=case.pk)
    rec = recommendation_for(case=case)
    if rec is None or rec.signed_at is None:
        raise Http404
    if recommendation_render_pdf(recommendation=rec, actor=request.user):  # type: ignore[arg-type]  # signed in: the middleware saw to it
        messages.success(request, _("The report was generated."))
    else:
        messages.error(request, _("The report could not be generated on this server. Ask the operators."))
    return redirect("cases:recommendation", pk=case.pk)
