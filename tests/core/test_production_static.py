"""The production configuration's static files: `collectstatic` builds the manifest with DEBUG off, and pages
are served with the hashed names it lists (without it, every page would answer 500)."""

import pytest
from django.core.management import call_command
from django.test import override_settings

MANIFEST_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


@pytest.fixture(scope="module")
def collected(tmp_path_factory):  # type: ignore[no-untyped-def]
    """Static files collected once into a fresh folder by the production storage, as an operator would."""
    root = tmp_path_factory.mktemp("static")
    with override_settings(
        DEBUG=False, STATIC_ROOT=root, STORAGES=MANIFEST_STORAGES, WHITENOISE_USE_FINDERS=False
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


def test_collectstatic_builds_the_manifest_with_debug_off(collected) -> None:
    assert (collected / "staticfiles.json").is_file()
    css = next(collected.glob("vendor/bootstrap/bootstrap.min.*.css"))
    assert "sourceMappingURL" not in css.read_text()


def test_a_page_is_served_with_the_manifests_hashed_names(collected, client) -> None:
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/vendor/bootstrap/bootstrap.min.css" not in html
    assert "/static/vendor/bootstrap/bootstrap.min." in html


def test_the_api_docs_load_swagger_from_our_own_static_files(collected, client_for, requester) -> None:
    response = client_for(requester).get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn." not in html
    assert "/static/ninja/swagger-ui-bundle." in html
    assert (collected / "ninja").is_dir()
