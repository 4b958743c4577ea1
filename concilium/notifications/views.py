"""The helpdesk's outbox page and every user's in-app inbox."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from concilium.notifications.extensions import closed_links
from concilium.notifications.models import Notification
from concilium.notifications.permissions import OutboxAction, OutboxPolicy
from concilium.notifications.selectors import (
    inbox_get,
    inbox_list,
    inbox_unread_count,
    outbox_get,
    outbox_list,
    outbox_status_counts,
)
from concilium.notifications.services import (
    NotificationError,
    notification_enqueue,
    notification_mark_read,
    notification_retry,
    notifications_mark_all_read,
)

OUTBOX_PAGE_SIZE = 25
INBOX_PAGE_SIZE = 20


def _require(request: HttpRequest, action: OutboxAction) -> None:
    if not OutboxPolicy.can(request.user, action):
        raise PermissionDenied


def _outbox_url(status: str) -> str:
    url = reverse("notifications:outbox")
    return f"{url}?{urlencode({'status': status})}" if status in Notification.Status.values else url


@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    _require(request, OutboxAction.VIEW)
    status = request.GET.get("status", "")
    status = status if status in Notification.Status.values else ""
    page = Paginator(outbox_list(actor=request.user, status=status), OUTBOX_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    counts = outbox_status_counts(actor=request.user)
    cards = [
        {"status": value, "label": label, "count": counts[value], "active": value == status}
        for value, label in Notification.Status.choices
    ]
    return render(
        request,
        "notifications/outbox.html",
        {
            "page_obj": page,
            "cards": cards,
            "status": status,
            "status_label": Notification.Status(status).label if status else "",
        },
    )


@require_POST
def outbox_retry(request: HttpRequest, notification_id: int) -> HttpResponse:
    _require(request, OutboxAction.RETRY)
    try:
        notification = outbox_get(actor=request.user, notification_id=notification_id)
    except Notification.DoesNotExist as exc:
        raise Http404 from exc
    try:
        notification_retry(notification=notification, actor=request.user)
    except NotificationError:
        messages.error(request, _("Only a failed message can be sent again."))
    else:
        messages.success(request, _("The message will be sent again now."))
    return redirect(_outbox_url(request.POST.get("status", "")))


@require_POST
def outbox_send_test(request: HttpRequest) -> HttpResponse:
    """Send a test email to the person asking, to check the mail server settings end to end."""
    _require(request, OutboxAction.SEND_TEST)
    with transaction.atomic():
        notification_enqueue(
            app="notifications",
            recipient=request.user,
            kind="outbox_test",
            link=reverse("notifications:outbox"),
            channels=(Notification.Channel.EMAIL,),
        )
    messages.success(
        request, _("A test message is on its way to your address. Follow it in the table below.")
    )
    return redirect("notifications:outbox")


def _with_closed_links(actor: object, notifications: list[Notification]) -> list[Notification]:
    """Mark each notification whose link the reader cannot open now with why (`closed_reason`), so that
    the inbox shows the reason instead of a dead link."""
    closed = closed_links(actor, [notification.link for notification in notifications])
    for notification in notifications:
        notification.closed_reason = closed.get(notification.link, "")  # type: ignore[attr-defined]  # shown by the template only
    return notifications


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(inbox_list(actor=request.user), INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _with_closed_links(request.user, list(page.object_list))
    return render(request, "notifications/inbox.html", {"page_obj": page})


@require_POST
def inbox_mark_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    try:
        notification = inbox_get(actor=request.user, notification_id=notification_id)
    except Notification.DoesNotExist as exc:
        raise Http404 from exc
    notification_mark_read(notification=notification, actor=request.user)
    if request.headers.get("HX-Request"):
        return render(
            request,
            "notifications/partials/inbox_item.html",
            {
                "notification": _with_closed_links(request.user, [notification])[0],
                "inbox_unread": inbox_unread_count(actor=request.user),
                "oob": True,
            },
        )
    return redirect("notifications:inbox")


@require_POST
def inbox_mark_all_read(request: HttpRequest) -> HttpResponse:
    changed = notifications_mark_all_read(actor=request.user)
    if changed:
        messages.success(request, _("All notifications are marked read."))
    return redirect("notifications:inbox")
