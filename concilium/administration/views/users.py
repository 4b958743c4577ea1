"""Accounts, for the helpdesk and network admins: find a person, see their role, hospital and groups;
suspend and reactivate, reset a lost second factor, end their sessions (each confirmed, each audited)."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from concilium.accounts.access import has_confirmed_device
from concilium.accounts.models import User
from concilium.accounts.permissions import AccountAction, AccountPolicy
from concilium.accounts.selectors import managed_user_get, user_administered_networks, user_page
from concilium.accounts.services.roles import (
    AccountChangeError,
    user_reactivate,
    user_second_factor_reset,
    user_sessions_end,
    user_suspend,
)
from concilium.administration.forms import ReasonForm, UserSearchForm
from concilium.core.pagination import page_number
from concilium.scheduling.selectors import memberships_of_users


@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    if not AccountPolicy.can(request.user, AccountAction.USERS_VIEW):
        raise PermissionDenied
    form = UserSearchForm(request.GET or None)
    query, status = "", ""
    if form.is_valid():
        query, status = form.cleaned_data["q"], form.cleaned_data["status"]
    page = user_page(
        actor=request.user, query=query, status=status, number=page_number(request.GET.get("page"))
    )
    groups = memberships_of_users(user_ids=[user.pk for user in page.rows])
    rows = [{"user": user, "memberships": groups[user.pk]} for user in page.rows]
    return render(
        request,
        "administration/users.html",
        {"form": form, "rows": rows, "page_obj": page, "searched": bool(query or status)},
    )


@require_GET
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = managed_user_get(actor=request.user, pk=pk)
    actor = request.user
    is_self = account.pk == actor.pk
    return render(
        request,
        "administration/user_detail.html",
        {
            "account": account,
            "memberships": memberships_of_users(user_ids=[account.pk])[account.pk],
            "networks": user_administered_networks(user=account),
            "has_second_factor": has_confirmed_device(account),
            "is_self": is_self,
            "may": {
                action.value: not is_self and AccountPolicy.can(actor, action, account)
                for action in (
                    AccountAction.ROLE_CHANGE,
                    AccountAction.ACCOUNT_SUSPEND,
                    AccountAction.ACCOUNT_REACTIVATE,
                    AccountAction.SECOND_FACTOR_RESET,
                    AccountAction.SESSIONS_END,
                )
            },
        },
    )


def _confirmed_change(
    request: HttpRequest,
    pk: int,
    *,
    action: AccountAction,
    run: Callable[[User, User, str], object],
    title: str,
    text: str,
    button: str,
    done: str,
    with_reason: bool,
    danger: bool = True,
) -> HttpResponse:
    """A change on one account behind a confirmation page (GET), made by its POST; a refusal (the account is
    in the wrong state, or a staff account the helpdesk may not touch) shows on the page."""
    account = managed_user_get(actor=request.user, pk=pk)
    actor: User = request.user  # type: ignore[assignment]  # fully authenticated: the middleware saw to it
    form = ReasonForm(request.POST if request.method == "POST" else None) if with_reason else None
    refused = AccountPolicy.refusal(actor, action, account)
    if refused is not None:
        raise PermissionDenied(refused.message)
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            run(account, actor, form.cleaned_data["reason"] if form is not None else "")
        except AccountChangeError as error:
            if form is None:
                messages.error(request, error.message)
                return redirect("administration:user_detail", pk=account.pk)
            form.apply_error(error)
        else:
            messages.success(request, done)
            return redirect("administration:user_detail", pk=account.pk)
    return render(
        request,
        "administration/user_confirm.html",
        {
            "account": account,
            "form": form,
            "title": title,
            "text": text,
            "button": button,
            "danger": danger,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def user_suspend_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _confirmed_change(
        request,
        pk,
        action=AccountAction.ACCOUNT_SUSPEND,
        run=lambda user, actor, reason: user_suspend(user=user, actor=actor, reason=reason),
        title=_("Deactivate the account"),
        text=_(
            "The person is signed out everywhere at once, their API tokens stop working and they cannot sign "
            "in until the account is reactivated. Their cases, opinions and records stay as they are."
        ),
        button=_("Deactivate the account"),
        done=_("The account is deactivated; its sessions and API tokens stopped working."),
        with_reason=True,
    )


@require_http_methods(["GET", "POST"])
def user_reactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _confirmed_change(
        request,
        pk,
        action=AccountAction.ACCOUNT_REACTIVATE,
        run=lambda user, actor, reason: user_reactivate(user=user, actor=actor),
        title=_("Reactivate the account"),
        text=_(
            "The person can sign in again with their password (and their second factor, if their role "
            "needs one). Their role, hospital and groups are as they were."
        ),
        button=_("Reactivate the account"),
        done=_("The account is active again."),
        with_reason=False,
        danger=False,
    )


@require_http_methods(["GET", "POST"])
def user_second_factor_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _confirmed_change(
        request,
        pk,
        action=AccountAction.SECOND_FACTOR_RESET,
        run=lambda user, actor, reason: user_second_factor_reset(user=user, actor=actor, reason=reason),
        title=_("Reset the second factor"),
        text=_(
            "For a person who lost their phone: their authenticator and backup codes are removed and they "
            "are signed out everywhere. At their next sign-in they set up a new authenticator. Check who is "
            "asking first, and say how in the reason."
        ),
        button=_("Reset the second factor"),
        done=_("The second factor is reset; the person sets up a new one at their next sign-in."),
        with_reason=True,
    )


@require_http_methods(["GET", "POST"])
def user_sessions_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _confirmed_change(
        request,
        pk,
        action=AccountAction.SESSIONS_END,
        run=lambda user, actor, reason: user_sessions_end(user=user, actor=actor),
        title=_("End all sessions"),
        text=_(
            "The person is signed out of every browser at their next click (a shared or lost computer). "
            "They can sign in again at once."
        ),
        button=_("End all sessions"),
        done=_("Every session of the account ended."),
        with_reason=False,
    )
