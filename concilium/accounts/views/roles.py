"""A network admin's page for one account: change its role or suspend it (both audited)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from concilium.accounts.forms.roles import RoleChangeForm, SuspendForm
from concilium.accounts.models import User
from concilium.accounts.permissions import AccountAction, can
from concilium.accounts.selectors import managed_user_get
from concilium.accounts.services.roles import AccountChangeError, user_role_change, user_suspend
from concilium.core.roles import Role


@require_http_methods(["GET", "POST"])
def user_role(request: HttpRequest, pk: int) -> HttpResponse:
    if not can(request.user, AccountAction.ROLE_CHANGE):
        raise PermissionDenied
    admin: User = request.user  # type: ignore[assignment]  # fully authenticated: the middleware saw to it
    user = managed_user_get(actor=admin, pk=pk)
    action = request.POST.get("action") if request.method == "POST" else None
    role_form = RoleChangeForm(request.POST if action == "role" else None, initial={"role": user.role})
    suspend_form = SuspendForm(request.POST if action == "suspend" else None)
    try:
        if action == "role" and role_form.is_valid():
            user_role_change(user=user, role=role_form.cleaned_data["role"], actor=admin)
            messages.success(request, _("The role is now “%(role)s”.") % {"role": Role(user.role).label})
            return redirect("accounts:user_role", pk=user.pk)
        if action == "suspend" and can(admin, AccountAction.ACCOUNT_SUSPEND) and suspend_form.is_valid():
            reason = suspend_form.cleaned_data["reason"]
            user_suspend(user=user, actor=admin, reason=reason)
            messages.success(
                request, _("The account is suspended; its sessions and API tokens stopped working.")
            )
            return redirect("accounts:user_role", pk=user.pk)
    except AccountChangeError as error:
        (role_form if action == "role" else suspend_form).add_error(None, error.message)
    status = 400 if request.method == "POST" else 200
    context = {
        "account": user,
        "role_form": role_form,
        "suspend_form": suspend_form,
        "is_self": user.pk == admin.pk,
    }
    return render(request, "accounts/user_role.html", context, status=status)
