from django.urls import path

from concilium.patients import views

app_name = "patients"

urlpatterns = [
    path("", views.patient_list, name="list"),
    path("enrol/", views.patient_enrol_view, name="enrol"),
    path("diagnosis-codes/", views.diagnosis_codes, name="diagnosis_codes"),
    path("consent-forms/", views.consent_forms, name="consent_forms"),
    path("consent-forms/<int:form_id>/download/", views.consent_form_download, name="consent_form_download"),
    path("<int:patient_id>/", views.patient_detail, name="detail"),
    path("<int:patient_id>/edit/", views.patient_update_view, name="update"),
    path("<int:patient_id>/consents/new/", views.consent_record_view, name="consent_record"),
    path(
        "<int:patient_id>/consents/<int:consent_id>/withdraw/",
        views.consent_withdraw_view,
        name="consent_withdraw",
    ),
    path(
        "<int:patient_id>/consents/<int:consent_id>/document/",
        views.consent_document,
        name="consent_document",
    ),
]
