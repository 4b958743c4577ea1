"""Searches whose terms never travel in a URL.

A list page's filter form is posted (with its CSRF token). Its private fields (the search box: a name, a
pseudonym, a local identifier, a diagnosis) are kept in the session under the page's key; the browser is sent
back to the page's address (post/redirect/get) with only the public filters in the query string (a status, a
group: choices that identify nobody), so that filtered pages can still be linked and paged. The page then
reads the private fields from the session; the same fields in a query string are ignored. An address, which
browsers keep in their history and proxies in their logs, never holds a search term.
"""

from typing import Any, TypeVar

from django import forms
from django.http import HttpRequest, HttpResponseRedirect, QueryDict
from django.utils.http import urlencode

F = TypeVar("F", bound=forms.Form)

#: The submit button's name that forgets the page's search and filters.
CLEAR = "clear"


def posted_search(
    request: HttpRequest,
    *,
    key: str,
    form_class: type[F],
    private: tuple[str, ...] = ("q",),
    **form_kwargs: Any,
) -> tuple[F, HttpResponseRedirect | None]:
    """The page's filter form and, after a POST that the page must answer with, a redirect.

    POST: a valid form keeps its `private` fields in the session under `key` and redirects to the page's
    address with the other fields in the query string; the `clear` button forgets everything and redirects
    to the bare address; an invalid form comes back bound, with its errors and no redirect, for the page to
    show (status 400). GET: the form bound to the query string's public fields and the session's private
    ones (both may be empty: no filter)."""
    session_key = f"search:{key}"
    if request.method == "POST":
        if CLEAR in request.POST:
            request.session.pop(session_key, None)
            return form_class(QueryDict(), **form_kwargs), HttpResponseRedirect(request.path)
        posted = form_class(request.POST, **form_kwargs)
        if not posted.is_valid():
            return posted, None
        request.session[session_key] = {
            name: request.POST.get(name, "") for name in private if request.POST.get(name, "")
        }
        public = [
            (name, value)
            for name in posted.fields
            if name not in private
            for value in request.POST.getlist(name)
            if value
        ]
        return posted, HttpResponseRedirect(request.path + (f"?{urlencode(public)}" if public else ""))
    data = QueryDict(mutable=True)
    for name in form_class.base_fields:
        if name not in private and name in request.GET:
            data.setlist(name, request.GET.getlist(name))
    for name, value in (request.session.get(session_key) or {}).items():
        if name in private:
            data[name] = str(value)
    return form_class(data, **form_kwargs), None
