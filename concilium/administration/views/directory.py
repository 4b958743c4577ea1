"""Hospitals (the helpdesk and network admins) and networks (network admins, each for its own networks)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from concilium.accounts.selectors import network_admins_active
from concilium.administration.forms import HospitalForm, NetworkForm, UserSearchForm
from concilium.core.errors import DomainError
from concilium.core.pagination import page_number
from concilium.directory.models import Hospital, Network
from concilium.directory.permissions import DirectoryAction, HospitalPolicy, NetworkPolicy
from concilium.directory.selectors import (
    hospital_get,
    hospital_page,
    network_get,
    networks_administered,
    networks_all,
)
from concilium.directory.services import hospital_create, hospital_update, network_create, network_update


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- Hospitals -------------------------------------------------------------------------------------------


@require_GET
def hospital_list(request: HttpRequest) -> HttpResponse:
    _require(HospitalPolicy.can(request.user, DirectoryAction.HOSPITALS_MANAGE))
    form = UserSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = hospital_page(actor=request.user, query=query, number=page_number(request.GET.get("page")))
    return render(
        request,
        "administration/hospitals.html",
        {"form": form, "page_obj": page, "hospitals": page.rows, "searched": bool(query)},
    )


def _hospital_form(request: HttpRequest, hospital: Hospital | None) -> HttpResponse:
    initial = None
    if hospital is not None:
        initial = {
            "name": hospital.name,
            "city": hospital.city,
            "country": hospital.country,
            "is_reference_centre": hospital.is_reference_centre,
            "networks": list(hospital.networks.all()),
        }
    form = HospitalForm(
        request.POST if request.method == "POST" else None, initial=initial, networks=networks_all()
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {
            "name": data["name"],
            "city": data["city"],
            "country": data["country"],
            "is_reference_centre": data["is_reference_centre"],
            "networks": data["networks"],
        }
        try:
            if hospital is None:
                hospital = hospital_create(actor=request.user, **values)
                messages.success(request, _("The hospital is added: applicants can choose it now."))
            else:
                hospital = hospital_update(actor=request.user, hospital=hospital, **values)
                messages.success(request, _("The hospital is saved."))
        except DomainError as error:
            form.apply_error(error)
        else:
            return redirect("administration:hospitals")
    return render(
        request,
        "administration/hospital_form.html",
        {"form": form, "hospital": hospital},
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
def hospital_new(request: HttpRequest) -> HttpResponse:
    _require(HospitalPolicy.can(request.user, DirectoryAction.HOSPITALS_MANAGE))
    return _hospital_form(request, None)


@require_http_methods(["GET", "POST"])
def hospital_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _hospital_form(request, hospital_get(actor=request.user, pk=pk))


# --- Networks --------------------------------------------------------------------------------------------


@require_GET
def network_list(request: HttpRequest) -> HttpResponse:
    _require(NetworkPolicy.can(request.user, DirectoryAction.NETWORKS_MANAGE))
    return render(
        request, "administration/networks.html", {"networks": networks_administered(actor=request.user)}
    )


def _network_form(request: HttpRequest, network: Network | None) -> HttpResponse:
    admins = None
    initial = None
    if network is not None:
        admins = network_admins_active()
        initial = {
            "name": network.name,
            "kind": network.kind,
            "description": network.description,
            "administrators": list(network.administrators.all()),
        }
    form = NetworkForm(request.POST if request.method == "POST" else None, initial=initial, admins=admins)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {"name": data["name"], "kind": data["kind"], "description": data["description"]}
        try:
            if network is None:
                network_create(actor=request.user, code=data["code"], **values)
                messages.success(request, _("The network is added; you administer it."))
            else:
                network_update(
                    actor=request.user, network=network, administrators=data["administrators"], **values
                )
                messages.success(request, _("The network is saved."))
        except DomainError as error:
            form.apply_error(error)
        else:
            return redirect("administration:networks")
    return render(
        request,
        "administration/network_form.html",
        {"form": form, "network": network},
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
def network_new(request: HttpRequest) -> HttpResponse:
    _require(NetworkPolicy.can(request.user, DirectoryAction.NETWORKS_MANAGE))
    return _network_form(request, None)


@require_http_methods(["GET", "POST"])
def network_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _network_form(request, network_get(actor=request.user, pk=pk))
