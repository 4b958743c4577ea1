"""The app's URLs and, beside them, a trivial view: the baseline the load benchmark compares every page to.

The trivial view goes through the same middleware as every page (sessions, security headers, the login gate),
reads nothing and renders no template, so the ratio to it is what the page itself costs.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from concilium.accounts.access import public
from concilium.urls import handler400, handler403, handler404, handler500
from concilium.urls import urlpatterns as app_urlpatterns


@public
def trivial(request: HttpRequest) -> HttpResponse:
    """A page with nothing in it."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/trivial/", trivial), *app_urlpatterns]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
