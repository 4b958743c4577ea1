"""Case pages: my cases, start a case, the case page, its edit form, attachments, the thread and the
transitions (each a POST that calls one service). A case the visitor does not see is a 404."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concilium.cases.forms import (
    AttachmentForm,
    CaseCreateForm,
    CaseEditForm,
    CaseFilterForm,
    ChecklistConfirmForm,
    DeclineForm,
    MessageForm,
    ScheduleForm,
)
from concilium.cases.models import EPISODE_FIELDS, Case
from concilium.cases.permissions import CaseAction, CasePolicy, can_create_case
from concilium.cases.selectors import (
    CaseFilters,
    attachment_get,
    case_get,
    case_get_for_write,
    case_list_for,
    case_timeline,
    patients_for_new_case,
)
from concilium.cases.services import CaseTransitionError
from concilium.cases.services.attachments import (
    attachment_add,
    attachment_download_record,
    attachment_remove,
    max_bytes,
)
from concilium.cases.services.lifecycle import (
    case_accept,
    case_checklist_confirm,
    case_close,
    case_create,
    case_decline,
    case_mark_discussed,
    case_schedule,
    case_submit,
    case_update,
)
from concilium.cases.services.messages import case_message_post
from concilium.cases.services.reads import case_read_record, cases_listed
from concilium.cases.services.templates import (
    checklist_items,
    completeness,
    template_for,
    template_sections,
)
from concilium.cases.views.refusals import no_longer_open, refusal_audit, refused
from concilium.core.search import posted_search
from concilium.patients.models import Patient
from concilium.scheduling.models import ExpertGroup
from concilium.scheduling.selectors import expert_group_get, next_meetings

PAGE_SIZE = 25


#: The panel's part of the case page, when the panel's templates provide it (included under the attachments).
PANEL_SECTION = "cases/panel/_case_section.html"


def _panel_section_template() -> str:
    try:
        get_template(PANEL_SECTION)
    except TemplateDoesNotExist:
        return ""
    return PANEL_SECTION


def _detail(case: Case) -> HttpResponse:
    return redirect("cases:detail", pk=case.pk)


@require_http_methods(["GET", "POST"])
def case_list(request: HttpRequest) -> HttpResponse:
    """ "My cases": the cases of my hospital, with filters and search. The filters are posted; the search
    term (a reference, a pseudonym, a local identifier) is kept in the session, never in the address
    (`core.search`); status, group and urgency stay in the query string."""
    if not can_create_case(request.user):
        raise PermissionDenied
    form, redirect_to = posted_search(request, key="cases", form_class=CaseFilterForm)
    if redirect_to is not None:
        return redirect_to
    filters = CaseFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = CaseFilters(
            status=data.get("status") or "",
            group=data["group"].pk if data.get("group") else None,
            urgent=bool(data.get("urgent")),
            q=data.get("q") or "",
        )
    page = Paginator(case_list_for(actor=request.user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    filtered = any([filters.status, filters.group, filters.urgent, filters.q])
    cases_listed(
        actor=request.user,
        action="case.list",
        case_ids=[case.pk for case in page.object_list],
        page=page.number,
    )
    return render(
        request,
        "cases/list.html",
        {"form": form, "page_obj": page, "filtered": filtered},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    """Start a draft case for one of my hospital's patients with a valid care consent."""
    if not can_create_case(request.user):
        raise PermissionDenied
    patients = patients_for_new_case(actor=request.user).order_by("pseudonym")
    initial = {}
    if request.GET.get("patient", "").isdigit():
        initial["patient"] = int(request.GET["patient"])
    source = request.POST if request.method == "POST" else request.GET
    group = _chosen_group(source.get("group", ""))
    if group is not None and request.method == "GET":
        initial["group"] = group.pk
    guidance = _group_guidance(group)
    form = CaseCreateForm(
        request.POST or None, patients=patients, initial=initial, sections=guidance.get("sections")
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = case_create(
                actor=request.user,
                patient=form.cleaned_data["patient"],
                group=form.cleaned_data["group"],
                urgent=form.cleaned_data["urgent"],
                episode=form.episode(),
            )
        except CaseTransitionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("The draft case %(reference)s is saved.") % {"reference": case.reference}
            )
            return _detail(case)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "cases/new.html",
        {
            "form": form,
            "has_patients": patients.exists(),
            "episode_fields": [form[name] for name in EPISODE_FIELDS],
            **guidance,
        },
        status=status,
    )


def _chosen_group(value: str) -> ExpertGroup | None:
    return expert_group_get(group_id=int(value)) if value.isdigit() else None


def _group_guidance(group: ExpertGroup | None) -> dict[str, Any]:
    """What the chosen group's case sheet asks for: each episode field (required or not, with guidance) and
    the checklist; nothing before a group is chosen."""
    if group is None:
        return {"guidance_group": None, "sections": None, "guidance_checklist": []}
    template = template_for(group)
    return {
        "guidance_group": group,
        "sections": template_sections(template),
        "guidance_checklist": checklist_items(template),
    }


@require_GET
def case_new_guidance(request: HttpRequest) -> HttpResponse:
    """The chosen group's guidance for "New case" (htmx, when the group changes): the summary and, out of
    band, the guidance under each episode field. Reference data only, no patient data."""
    if not can_create_case(request.user):
        raise PermissionDenied
    value = request.GET.get("group", "")
    group = _chosen_group(value)
    if value and group is None:
        raise Http404
    guidance = _group_guidance(group)
    form = CaseCreateForm(patients=Patient.objects.none(), sections=guidance["sections"])
    context = {**guidance, "oob": True, "episode_fields": [form[name] for name in EPISODE_FIELDS]}
    return render(request, "cases/_new_case_guidance.html", context)


@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        case = case_get(actor=request.user, pk=pk)
    except Http404:
        return no_longer_open(request, pk)
    case_read_record(actor=request.user, case=case)
    template = template_for(case.group)
    attachments = list(case.attachments.all())
    found = completeness(case, template=template, attachments=attachments)
    allowed = CasePolicy.allowed_actions(request.user, case)
    access = CasePolicy.access(request.user, case)
    attachment_items = [i for i in checklist_items(template) if i.get("kind") == "attachment"]
    context = {
        "case": case,
        "patient": case.patient,
        "access": access,
        "allowed": allowed,
        "completeness": found,
        "attachments": attachments,
        "thread": list(case.messages.all()),
        "timeline": case_timeline(case),
        "sections": [(s, getattr(case, s.field)) for s in template_sections(template)],
        "checklist": checklist_items(template),
        "confirmed": set(case.checklist_confirmed or []),
        "answered": {a.checklist_key for a in attachments if a.checklist_key},
        "attachment_form": AttachmentForm(attachment_items=attachment_items) if "attach" in allowed else None,
        "message_form": MessageForm() if "message" in allowed else None,
        "decline_form": DeclineForm() if "decide" in allowed else None,
        "schedule_form": ScheduleForm() if "schedule" in allowed else None,
        "max_mb": max_bytes() // (1024 * 1024),
        "panel_section_template": _panel_section_template(),
    }
    return render(request, "cases/detail.html", context)


@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get_for_write(actor=request.user, pk=pk)
    refusal = CasePolicy.refusal(request.user, CaseAction.EDIT, case)
    if refusal is not None:
        refused(request, case, "edit", refusal)
        return _detail(case)
    template = template_for(case.group)
    sections = template_sections(template)
    confirm_items = [i for i in checklist_items(template) if i.get("kind") == "confirm"]
    initial: dict[str, Any] = {s.field: getattr(case, s.field) for s in sections}
    initial.update(urgent=case.urgent, checklist_confirmed=list(case.checklist_confirmed or []))
    form = CaseEditForm(request.POST or None, initial=initial, sections=sections, confirm_items=confirm_items)
    if request.method == "POST" and form.is_valid():
        try:
            case_update(
                case=case,
                actor=request.user,
                episode=form.episode(),
                urgent=form.cleaned_data["urgent"],
                checklist_confirmed=form.cleaned_data.get("checklist_confirmed", [])
                if confirm_items
                else None,
            )
        except CaseTransitionError as error:
            refusal_audit(request, case, "edit", error)
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The case is saved."))
            return _detail(case)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "cases/edit.html",
        {"case": case, "form": form, "sections": {s.field: s for s in sections}},
        status=status,
    )


def _transition(
    request: HttpRequest, pk: int, action: str, run: Callable[[Case], object], done: str
) -> HttpResponse:
    case = case_get_for_write(actor=request.user, pk=pk)
    try:
        run(case)
    except CaseTransitionError as error:
        refused(request, case, action, error)
    else:
        messages.success(request, done)
    if not CasePolicy.visible(request.user).filter(pk=case.pk).exists():
        return redirect("cases:queue")
    return _detail(case)


@require_POST
def case_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        "submit",
        lambda case: case_submit(case=case, actor=request.user),
        _("The case is submitted. The group's coordinator will decide on it."),
    )


@require_POST
def case_accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        "accept",
        lambda case: case_accept(case=case, actor=request.user),
        _("The case is accepted. Set its discussion date next."),
    )


@require_POST
def case_discussed_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        "discussed",
        lambda case: case_mark_discussed(case=case, actor=request.user),
        _("The case is marked as discussed."),
    )


@require_POST
def case_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        "close",
        lambda case: case_close(case=case, actor=request.user),
        _("The case is closed."),
    )


@require_http_methods(["GET", "POST"])
def case_decline_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get_for_write(actor=request.user, pk=pk)
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case_decline(case=case, actor=request.user, reason=form.cleaned_data["reason"])
        except CaseTransitionError as error:
            refused(request, case, "decline", error)
            return _detail(case)
        messages.success(request, _("The case is declined; the requester is told."))
        return _detail(case)
    if not CasePolicy.can(request.user, CaseAction.DECIDE, case):
        return _detail(case)
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/decline.html", {"case": case, "form": form}, status=status)


def _schedule_initial(case: Case) -> dict[str, Any]:
    """A default the form accepts: the planned date while it is ahead, else the group's next meeting (a
    date already past, left as the default, would only earn "must be in the future")."""
    now = timezone.now()
    if case.discussion_on and case.discussion_on > now:
        return {"discussion_on": case.discussion_on}
    upcoming = next_meetings(group=case.group, count=1, now=now)
    return {"discussion_on": upcoming[0]} if upcoming else {}


@require_http_methods(["GET", "POST"])
def case_schedule_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get_for_write(actor=request.user, pk=pk)
    form = ScheduleForm(request.POST or None, initial=_schedule_initial(case))
    if request.method == "POST" and form.is_valid():
        try:
            case_schedule(
                case=case,
                actor=request.user,
                discussion_on=form.cleaned_data["discussion_on"],
            )
        except CaseTransitionError as error:
            refused(request, case, "schedule", error)
            return _detail(case)
        messages.success(request, _("The discussion date is set; the requester is told."))
        return _detail(case)
    if not CasePolicy.can(request.user, CaseAction.SCHEDULE, case):
        refusal = CasePolicy.refusal(request.user, CaseAction.SCHEDULE, case)
        if refusal is not None:
            refused(request, case, "schedule", refusal)
        return _detail(case)
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/schedule.html", {"case": case, "form": form}, status=status)


@require_POST
def case_message_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get_for_write(actor=request.user, pk=pk)
    form = MessageForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return _detail(case)
    try:
        case_message_post(
            case=case,
            actor=request.user,
            body=form.cleaned_data["body"],
            request_information=form.cleaned_data["request_information"],
        )
    except CaseTransitionError as error:
        refused(request, case, "message", error)
    else:
        messages.success(request, _("Your message is posted."))
    return redirect(f"{reverse('cases:detail', args=[case.pk])}#thread")


@require_POST
def case_checklist_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm one checklist item (or take it back) from the case page; the same rule as editing."""
    case = case_get_for_write(actor=request.user, pk=pk)
    items = [i for i in checklist_items(template_for(case.group)) if i.get("kind") == "confirm"]
    form = ChecklistConfirmForm(request.POST, confirm_items=items)
    back = redirect(f"{reverse('cases:detail', args=[case.pk])}#checklist")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return back
    confirmed = form.cleaned_data["confirmed"]
    try:
        case_checklist_confirm(
            case=case, actor=request.user, key=form.cleaned_data["key"], confirmed=confirmed
        )
    except CaseTransitionError as error:
        refused(request, case, "checklist_confirm", error)
    else:
        label = dict(form.fields["key"].choices)[form.cleaned_data["key"]]  # type: ignore[attr-defined]  # a ChoiceField
        done = _("“%(item)s” is confirmed.") if confirmed else _("“%(item)s” is no longer confirmed.")
        messages.success(request, done % {"item": label})
    return back


@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get_for_write(actor=request.user, pk=pk)
    items = [i for i in checklist_items(template_for(case.group)) if i.get("kind") == "attachment"]
    form = AttachmentForm(request.POST, request.FILES, attachment_items=items)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(f"{reverse('cases:detail', args=[case.pk])}#attachments")
    try:
        attachment = attachment_add(
            case=case,
            actor=request.user,
            upload=form.cleaned_data["file"],
            description=form.cleaned_data["description"],
            checklist_key=form.cleaned_data["checklist_key"],
        )
    except CaseTransitionError as error:
        refused(request, case, "attach", error)
    else:
        messages.success(request, _("“%(name)s” is attached.") % {"name": attachment.name})
    return redirect(f"{reverse('cases:detail', args=[case.pk])}#attachments")


@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    attachment = attachment_get(actor=request.user, case_pk=pk, pk=attachment_pk)
    with transaction.atomic():
        attachment_download_record(attachment=attachment, actor=request.user)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def attachment_delete(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    attachment = attachment_get(actor=request.user, case_pk=pk, pk=attachment_pk)
    try:
        attachment_remove(attachment=attachment, actor=request.user)
    except CaseTransitionError as error:
        refused(request, attachment.case, "remove_attachment", error)
    else:
        messages.success(request, _("The file is removed."))
    return redirect(f"{reverse('cases:detail', args=[pk])}#attachments")
