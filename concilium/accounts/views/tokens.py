"""Personal API tokens: list one's own, create one (its secret shown once), revoke one."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from concilium.accounts.forms.tokens import ApiTokenForm
from concilium.accounts.permissions import AccountAction, can
from concilium.accounts.selectors import api_token_get, api_token_list
from concilium.accounts.services.tokens import ApiTokenError, api_token_create, api_token_revoke

PAGE_SIZE = 20


def _require(request: HttpRequest) -> None:
    if not can(request.user, AccountAction.API_TOKENS_OWN):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    _require(request)
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = api_token_create(
                user=request.user,  # type: ignore[arg-type]  # signed in: the middleware saw to it
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.expires_at(),
            )
        except ApiTokenError as error:
            form.add_error(None, error.message)
        else:
            # Rendered, not redirected: the secret exists only in this response and is never stored.
            return render(request, "accounts/tokens_created.html", {"token": token, "secret": secret})
    page = Paginator(api_token_list(actor=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/tokens.html", {"form": form, "page_obj": page}, status=status)


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    token = api_token_get(actor=request.user, pk=pk)
    try:
        api_token_revoke(token=token, actor=request.user)  # type: ignore[arg-type]  # signed in: the middleware saw to it
    except ApiTokenError as error:
        messages.info(request, error.message)
    else:
        messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:tokens")
