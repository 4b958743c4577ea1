"""The patients pages: my hospital's patients, enrolment, a patient's page, consents and their documents,
and the network admins' blank consent forms. Reads of patient data are audited; another hospital's patient
is a 404 on every page."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concilium.core.kept_uploads import KeptOwner
from concilium.core.search import posted_search
from concilium.core.text import has_control_characters
from concilium.patients.crypto import LocalIdDecryptionError, decrypt_local_id
from concilium.patients.errors import PatientError
from concilium.patients.forms import (
    ConsentFormUploadForm,
    ConsentRecordForm,
    EnrolForm,
    PatientSearchForm,
    PatientUpdateForm,
    WithdrawForm,
)
from concilium.patients.models import EU_LANGUAGES, Consent, ConsentFormTemplate, Patient
from concilium.patients.permissions import PatientAction, PatientPolicy
from concilium.patients.selectors import (
    consent_form_get,
    consent_forms_for,
    consent_get,
    consent_summary,
    consents_of,
    diagnosis_code_search,
    patient_get,
    patient_list_columns,
    patient_page_sections,
    patients_for,
)
from concilium.patients.services import (
    consent_form_upload,
    consent_record,
    consent_withdraw,
    patient_action_run,
    patient_enrol,
    patient_read_record,
    patient_update,
)

PAGE_SIZE = 25
EU_LANGUAGE_CODES = {code for code, _label in EU_LANGUAGES}


def _require(request: HttpRequest, action: PatientAction) -> None:
    if not PatientPolicy.can(request.user, action):
        raise PermissionDenied


def _patient(request: HttpRequest, patient_id: int, action: PatientAction = PatientAction.VIEW) -> Patient:
    """The patient of the actor's hospital on which they may do `action`; a 404 for anything else."""
    patient = patient_get(actor=request.user, patient_id=patient_id)
    if not PatientPolicy.can(request.user, action, patient):
        raise Http404
    return patient


def _language(request: HttpRequest) -> str:
    language = getattr(request.user, "language", "") or "en"
    return language if language in EU_LANGUAGE_CODES else "en"


def _blank_forms(request: HttpRequest) -> list[ConsentFormTemplate]:
    return list(consent_forms_for(actor=request.user).filter(is_current=True))


@require_http_methods(["GET", "POST"])
def patient_list(request: HttpRequest) -> HttpResponse:
    """My hospital's patients. The search is posted and kept in the session (`core.search`): a local
    identifier or a pseudonym typed into it never appears in an address; `?q=` is ignored."""
    _require(request, PatientAction.VIEW)
    form, redirect_to = posted_search(request, key="patients", form_class=PatientSearchForm)
    if redirect_to is not None:
        return redirect_to
    filters = form.filters()
    page = Paginator(patients_for(actor=request.user, **filters), PAGE_SIZE).get_page(request.GET.get("page"))
    patient_read_record(
        actor=request.user,
        action="patient.list",
        detail={
            "page": page.number,
            "patient_ids": [patient.pk for patient in page.object_list],
            "searched": bool(filters["q"]),
        },
    )
    return render(
        request,
        "patients/list.html",
        {
            "form": form,
            "page_obj": page,
            "filtered": any(filters.values()),
            "columns": patient_list_columns(),
            "blank_forms": _blank_forms(request),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def patient_enrol_view(request: HttpRequest) -> HttpResponse:
    _require(request, PatientAction.ENROL)
    hospital = request.user.hospital  # type: ignore[union-attr]  # signed in: the middleware saw to it
    form = EnrolForm(
        request.POST or None,
        request.FILES or None,
        country=getattr(hospital, "country", ""),
        language=_language(request),
        kept_owner=KeptOwner.of(request),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            patient = patient_action_run(
                actor=request.user,
                action="patient.enrol",
                run=lambda: patient_enrol(
                    actor=request.user,
                    local_id=data["local_id"],
                    birth_year=data["birth_year"],
                    birth_month=data["birth_month"],
                    sex=data["sex"],
                    country=data["country"],
                    diagnosis=data["diagnosis"],
                    diagnosis_code=data["diagnosis_code"],
                    consent=form.consent_data(),
                ),
            )
        except PatientError as error:
            form.apply_error(error)
        else:
            form.discard_kept_uploads()
            messages.success(
                request, _("Patient enrolled as %(pseudonym)s.") % {"pseudonym": patient.pseudonym}
            )
            return redirect("patients:detail", patient_id=patient.pk)
    if request.method == "POST":
        form.keep_uploads()
    status = 400 if request.method == "POST" else 200
    return render(
        request, "patients/enrol.html", {"form": form, "blank_forms": _blank_forms(request)}, status=status
    )


@require_GET
def patient_detail(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = _patient(request, patient_id)
    try:
        local_id = decrypt_local_id(patient.local_id_encrypted)
    except LocalIdDecryptionError:
        local_id = None
    consents = consent_summary(consents_of(patient=patient))
    sections = patient_page_sections(actor=request.user, patient=patient)
    patient_read_record(
        actor=request.user,
        action="patient.view",
        patient=patient,
        detail={"view": "page", "local_id_shown": local_id is not None},
    )
    return render(
        request,
        "patients/detail.html",
        {
            "patient": patient,
            "local_id": local_id,
            "consents": consents,
            "sections": sections,
            "can_update": PatientPolicy.can(request.user, PatientAction.UPDATE, patient),
            "can_record": PatientPolicy.can(request.user, PatientAction.CONSENT_RECORD, patient),
            "can_withdraw": PatientPolicy.can(request.user, PatientAction.CONSENT_WITHDRAW, patient),
        },
    )


@require_http_methods(["GET", "POST"])
def patient_update_view(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = _patient(request, patient_id, PatientAction.UPDATE)
    initial = {
        "diagnosis": patient.diagnosis,
        "diagnosis_code": patient.diagnosis_code.code if patient.diagnosis_code else "",
    }
    form = PatientUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            patient_action_run(
                actor=request.user,
                action="patient.update",
                patient=patient,
                run=lambda: patient_update(
                    patient=patient,
                    actor=request.user,
                    diagnosis=form.cleaned_data["diagnosis"],
                    diagnosis_code=form.cleaned_data["diagnosis_code"],
                ),
            )
        except PatientError as error:
            form.apply_error(error)
        else:
            messages.success(request, _("The diagnosis is saved."))
            return redirect("patients:detail", patient_id=patient.pk)
    if request.method == "GET":
        patient_read_record(
            actor=request.user,
            action="patient.view",
            patient=patient,
            detail={"view": "edit"},
        )
    status = 400 if request.method == "POST" else 200
    return render(request, "patients/update.html", {"patient": patient, "form": form}, status=status)


@require_http_methods(["GET", "POST"])
def consent_record_view(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = _patient(request, patient_id, PatientAction.CONSENT_RECORD)
    form = ConsentRecordForm(
        request.POST or None,
        request.FILES or None,
        language=_language(request),
        kept_owner=KeptOwner.of(request),
    )
    if request.method == "POST" and form.is_valid():
        try:
            patient_action_run(
                actor=request.user,
                action="consent.record",
                patient=patient,
                run=lambda: consent_record(patient=patient, actor=request.user, data=form.consent_data()),
            )
        except PatientError as error:
            form.apply_error(error)
        else:
            form.discard_kept_uploads()
            messages.success(request, _("The consent is recorded."))
            return redirect("patients:detail", patient_id=patient.pk)
    if request.method == "POST":
        form.keep_uploads()
    if request.method == "GET":
        patient_read_record(
            actor=request.user,
            action="patient.view",
            patient=patient,
            detail={"view": "consent_record"},
        )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "patients/consent_record.html",
        {"patient": patient, "form": form, "blank_forms": _blank_forms(request)},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def consent_withdraw_view(request: HttpRequest, patient_id: int, consent_id: int) -> HttpResponse:
    patient = _patient(request, patient_id, PatientAction.CONSENT_WITHDRAW)
    consent = consent_get(actor=request.user, patient=patient, consent_id=consent_id)
    if consent.withdrawn_on is not None:
        messages.info(request, _("This consent is already withdrawn."))
        return redirect("patients:detail", patient_id=patient.pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            patient_action_run(
                actor=request.user,
                action="consent.withdraw",
                patient=patient,
                run=lambda: consent_withdraw(
                    consent=consent,
                    actor=request.user,
                    withdrawn_on=form.cleaned_data["withdrawn_on"],
                    reason=form.cleaned_data["reason"],
                ),
            )
        except PatientError as error:
            form.apply_error(error)
        else:
            messages.success(request, _("The consent is withdrawn."))
            return redirect("patients:detail", patient_id=patient.pk)
    if request.method == "GET":
        patient_read_record(
            actor=request.user,
            action="patient.view",
            patient=patient,
            obj=consent,
            detail={"view": "consent_withdraw"},
        )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "patients/consent_withdraw.html",
        {"patient": patient, "consent": consent, "form": form},
        status=status,
    )


def _attachment(file: Any, *, content_type: str, filename: str) -> FileResponse:
    try:
        handle = file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
def consent_document(request: HttpRequest, patient_id: int, consent_id: int) -> FileResponse:
    """The signed consent, streamed after the access check (never a public media URL) and audited."""
    patient = _patient(request, patient_id)
    consent: Consent = consent_get(actor=request.user, patient=patient, consent_id=consent_id)
    stored_name = consent.document.name or ""  # never empty: the document is required
    extension = stored_name.rsplit(".", 1)[-1] if "." in stored_name else "bin"
    response = _attachment(
        consent.document,
        content_type=consent.document_type or "application/octet-stream",
        filename=f"consent-{patient.pseudonym}-{consent.signed_on.isoformat()}.{extension}",
    )
    patient_read_record(
        actor=request.user,
        action="consent.document_download",
        patient=patient,
        obj=consent,
        detail={"consent_id": consent.pk},
    )
    return response


@require_http_methods(["GET", "POST"])
def consent_forms(request: HttpRequest) -> HttpResponse:
    """Network admins: every blank form by language and version, and the upload of a new one."""
    _require(request, PatientAction.FORMS_MANAGE)
    form = ConsentFormUploadForm(
        request.POST or None, request.FILES or None, kept_owner=KeptOwner.of(request)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            template = consent_form_upload(
                actor=request.user,
                language=data["language"],
                version=data["version"],
                title=data["title"],
                document=data["document"],
            )
        except PatientError as error:
            form.apply_error(error)
        else:
            form.discard_kept_uploads()
            messages.success(
                request,
                _("Form %(version)s in %(language)s is now the current one.")
                % {"version": template.version, "language": template.get_language_display()},
            )
            return redirect("patients:consent_forms")
    if request.method == "POST":
        form.keep_uploads()
    templates = list(consent_forms_for(actor=request.user))
    status = 400 if request.method == "POST" else 200
    return render(
        request, "patients/consent_forms.html", {"form": form, "templates": templates}, status=status
    )


@require_GET
def consent_form_download(request: HttpRequest, form_id: int) -> FileResponse:
    """A blank form to print (current ones for clinicians; every version for network admins)."""
    if not PatientPolicy.can(request.user, PatientAction.FORMS_DOWNLOAD):
        raise Http404
    template = consent_form_get(actor=request.user, form_id=form_id)
    return _attachment(
        template.document,
        content_type="application/pdf",
        filename=f"consent-form-{template.language}-{template.version}.pdf",
    )


@require_POST
def diagnosis_codes(request: HttpRequest) -> HttpResponse:
    """Suggestions for the diagnosis code field: <option>s for htmx, else JSON. What is typed travels in the
    request's body, never in its address (browsers keep addresses in their history, proxies in their logs)."""
    if not (
        PatientPolicy.can(request.user, PatientAction.ENROL)
        or PatientPolicy.can(request.user, PatientAction.UPDATE)
    ):
        raise PermissionDenied
    query = request.POST.get("q", "") or request.POST.get("diagnosis_code", "")
    query = "" if has_control_characters(query) else query[:100]
    codes = diagnosis_code_search(query)
    if request.headers.get("HX-Request"):
        return render(request, "patients/partials/diagnosis_options.html", {"codes": codes})
    return JsonResponse(
        {"results": [{"system": code.system, "code": code.code, "label": code.label} for code in codes]}
    )
