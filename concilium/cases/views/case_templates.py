"""Network admins configure each expert group's case template: the case sheet and the checklist."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from concilium.cases.forms import TemplateForm, checklist_as_text
from concilium.cases.permissions import can_configure_templates
from concilium.cases.services.templates import case_template_update, template_for, template_sections
from concilium.scheduling.selectors import expert_groups_all


def _require(request: HttpRequest) -> None:
    if not can_configure_templates(request.user):
        raise PermissionDenied


@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    _require(request)
    groups = expert_groups_all().select_related("case_template")
    rows = []
    for group in groups:
        template = template_for(group)
        rows.append(
            {
                "group": group,
                "configured": template.pk is not None,
                "required": sum(1 for s in template_sections(template) if s.required),
                "checklist": len(template.checklist),
                "updated_at": template.updated_at if template.pk else None,
            }
        )
    return render(request, "cases/templates_list.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, group_pk: int) -> HttpResponse:
    _require(request)
    group = expert_groups_all().select_related("case_template").filter(pk=group_pk).first()
    if group is None:
        raise Http404
    template = template_for(group)
    sections = template_sections(template, translate=False)  # the base texts, which this page edits
    form = TemplateForm(
        request.POST or None, sections=sections, initial={"checklist": checklist_as_text(template.checklist)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            case_template_update(
                group=group,
                sections=form.sections(),
                checklist=form.cleaned_data["checklist"],
                actor=request.user,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request, _("The case template of %(group)s is saved.") % {"group": group.display_name}
            )
            return redirect("cases:templates")
    status = 400 if request.method == "POST" else 200
    pairs = [(form[f"required_{s.field}"], form[f"guidance_{s.field}"]) for s in sections]
    return render(
        request, "cases/template_edit.html", {"group": group, "form": form, "pairs": pairs}, status=status
    )
