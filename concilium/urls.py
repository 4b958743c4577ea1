from django.urls import include, path
from django.views.i18n import set_language

from concilium.accounts.access import public

urlpatterns = [
    path("", include("concilium.core.urls")),
    path("", include("concilium.home.urls")),
    path("accounts/", include("concilium.accounts.urls")),
    path("accounts/", include("concilium.helpdesk.urls")),
    path("directory/", include("concilium.directory.urls")),
    path("patients/", include("concilium.patients.urls")),
    path("cases/", include("concilium.cases.urls")),
    path("helpdesk/", include("concilium.notifications.urls")),
    path("audit/", include("concilium.audit.urls")),
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("api/", include("concilium.api.urls")),
]

handler400 = "concilium.core.views.bad_request"
handler403 = "concilium.core.views.permission_denied"
handler404 = "concilium.core.views.page_not_found"
handler500 = "concilium.core.views.server_error"
