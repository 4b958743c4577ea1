"""The JSON API (django-ninja), OpenAPI at /api/docs. Every endpoint takes a Bearer token or a session."""

from ninja import NinjaAPI

from concilium.accounts.api import router as accounts_router
from concilium.accounts.api_auth import API_AUTH, docs_login_required
from concilium.cases.api import router as cases_router
from concilium.cases.api_panel import router as panels_router
from concilium.core.problems import install_handlers
from concilium.directory.api import router as directory_router
from concilium.patients.api import router as patients_router

api = NinjaAPI(
    title="Concilium API",
    version="1",
    docs_url="/docs",
    urls_namespace="api",
    auth=API_AUTH,
    docs_decorator=docs_login_required,
)
install_handlers(api)
api.add_router("/accounts/", accounts_router)
api.add_router("/directory/", directory_router)
api.add_router("/cases/", cases_router)
api.add_router("/patients/", patients_router)
api.add_router("/panels/", panels_router)
