from django.http import HttpRequest

from concilium.accounts.access import user_is_fully_authenticated
from concilium.home.navigation import items_for


def navigation(request: HttpRequest) -> dict[str, object]:
    """Role-based navigation, shown only to fully authenticated users."""
    user = getattr(request, "user", None)
    if user is None or not user_is_fully_authenticated(request):
        return {"nav_items": [], "admin_items": [], "account_items": []}
    main, admin, account = items_for(user.role, request.path)
    from concilium.notifications.selectors import inbox_unread_count

    unread = inbox_unread_count(actor=user)  # one COUNT query a page
    for item in account:
        if item["name"] == "notifications:inbox" and unread:
            item["badge"] = unread
    return {"nav_items": main, "admin_items": admin, "account_items": account, "inbox_unread": unread}
