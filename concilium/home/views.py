"""The dashboard and the public information pages (about Concilium, the privacy statement)."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from concilium.home.dashboard import cards_for


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "home/dashboard.html", {"cards": cards_for(request.user, request=request)})


@login_not_required
@require_GET
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "home/about.html")


@login_not_required
@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "home/privacy.html")
