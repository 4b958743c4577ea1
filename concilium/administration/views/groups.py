"""Expert groups, for network admins (the groups of the networks they administer): the group's details, its
members and coordinators, and its weekly meeting rule. Every change goes through a scheduling service,
checked and audited there; a refusal shows on the form's field."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concilium.accounts.selectors import active_user_by_email
from concilium.administration.forms import ExpertGroupForm, MemberAddForm, MemberRoleForm, WeeklyRuleForm
from concilium.core.errors import DomainError
from concilium.directory.selectors import networks_administered
from concilium.scheduling.models import ExpertGroup
from concilium.scheduling.permissions import ExpertGroupPolicy, GroupAction
from concilium.scheduling.selectors import (
    expert_group_administered_get,
    expert_groups_administered,
    group_membership_get,
    group_roster,
    next_meetings,
)
from concilium.scheduling.services import (
    expert_group_create,
    expert_group_rule_set,
    expert_group_update,
    group_member_remove,
    group_member_set,
)


@require_GET
def group_list(request: HttpRequest) -> HttpResponse:
    if not ExpertGroupPolicy.can(request.user, GroupAction.VIEW):
        raise PermissionDenied
    return render(
        request, "administration/groups.html", {"groups": expert_groups_administered(actor=request.user)}
    )


@require_http_methods(["GET", "POST"])
def group_new(request: HttpRequest) -> HttpResponse:
    if not ExpertGroupPolicy.can(request.user, GroupAction.CONFIGURE):
        raise PermissionDenied
    form = ExpertGroupForm(
        request.POST if request.method == "POST" else None, networks=networks_administered(actor=request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            group = expert_group_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.apply_error(error)
        else:
            messages.success(request, _("The group is added. Add its members and its weekly meeting."))
            return redirect("administration:group_detail", pk=group.pk)
    return render(
        request, "administration/group_new.html", {"form": form}, status=400 if form.is_bound else 200
    )


def _details_form(request: HttpRequest, group: ExpertGroup, data: Any = None) -> ExpertGroupForm:
    initial = {
        "network": group.network,
        "name": group.name,
        "description": group.description,
        "is_pre_evaluation": group.is_pre_evaluation,
    }
    return ExpertGroupForm(data, initial=initial, networks=networks_administered(actor=request.user))


def _rule_form(group: ExpertGroup, data: Any = None) -> WeeklyRuleForm:
    initial = {
        "weekday": group.weekday,
        "local_time": group.local_time,
        "time_zone": group.time_zone,
        "slot_count": group.slot_count,
        "slot_minutes": group.slot_minutes,
    }
    return WeeklyRuleForm(data, initial=initial)


def _group_page(request: HttpRequest, group: ExpertGroup, *, status: int = 200, **forms: Any) -> HttpResponse:
    """The group's page, with any bound form that failed in place of its blank one."""
    roster = group_roster(group=group)
    context = {
        "group": group,
        "details_form": forms.get("details_form") or _details_form(request, group),
        "rule_form": forms.get("rule_form") or _rule_form(group),
        "member_form": forms.get("member_form") or MemberAddForm(),
        "roster": [
            {"membership": m, "role_form": MemberRoleForm(initial={"role": m.role}, prefix=f"m{m.pk}")}
            for m in roster
        ],
        "next_meetings": next_meetings(group=group),
    }
    return render(request, "administration/group_detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = expert_group_administered_get(actor=request.user, pk=pk)
    if request.method == "GET":
        return _group_page(request, group)
    form = _details_form(request, group, request.POST)
    if form.is_valid():
        try:
            expert_group_update(actor=request.user, group=group, **form.cleaned_data)
        except DomainError as error:
            form.apply_error(error)
        else:
            messages.success(request, _("The group is saved."))
            return redirect("administration:group_detail", pk=group.pk)
    return _group_page(request, group, status=400, details_form=form)


@require_POST
def group_rule(request: HttpRequest, pk: int) -> HttpResponse:
    group = expert_group_administered_get(actor=request.user, pk=pk)
    form = _rule_form(group, request.POST)
    if form.is_valid():
        try:
            expert_group_rule_set(actor=request.user, group=group, **form.cleaned_data)
        except DomainError as error:
            form.apply_error(error)
        else:
            messages.success(request, _("The weekly meeting is saved."))
            return redirect("administration:group_detail", pk=group.pk)
    return _group_page(request, group, status=400, rule_form=form)


@require_POST
def group_member_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    group = expert_group_administered_get(actor=request.user, pk=pk)
    form = MemberAddForm(request.POST)
    if form.is_valid():
        user = active_user_by_email(email=form.cleaned_data["email"])
        if user is None:
            form.add_error("email", _("No active account signs in with this address."))
        else:
            try:
                group_member_set(actor=request.user, group=group, user=user, role=form.cleaned_data["role"])
            except DomainError as error:
                error.field = "email" if error.field == "user" else error.field
                form.apply_error(error)
            else:
                messages.success(request, _("%(name)s is in the group.") % {"name": user.full_name})
                return redirect("administration:group_detail", pk=group.pk)
    return _group_page(request, group, status=400, member_form=form)


@require_POST
def group_member_role(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    group = expert_group_administered_get(actor=request.user, pk=pk)
    membership = group_membership_get(group=group, pk=membership_pk)
    form = MemberRoleForm(request.POST, prefix=f"m{membership.pk}")
    if form.is_valid():
        try:
            group_member_set(
                actor=request.user, group=group, user=membership.user, role=form.cleaned_data["role"]
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The role in the group is saved."))
    else:
        messages.error(request, _("Choose one of the listed roles."))
    return redirect("administration:group_detail", pk=group.pk)


@require_POST
def group_member_remove_view(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    group = expert_group_administered_get(actor=request.user, pk=pk)
    membership = group_membership_get(group=group, pk=membership_pk)
    group_member_remove(actor=request.user, group=group, membership=membership)
    messages.success(request, _("%(name)s left the group.") % {"name": membership.user.full_name})
    return redirect("administration:group_detail", pk=group.pk)
