"""An expert group's name and description in German and French, set with the group and checked."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from concilium.audit.models import AuditEvent
from concilium.scheduling.services import expert_group_upsert
from tests.factories import NetworkFactory

pytestmark = pytest.mark.django_db

DE = {"name": "Expertengruppe Hirntumoren", "description": "Bespricht ZNS-Tumoren bei Kindern."}


def _upsert(**changes):  # type: ignore[no-untyped-def]
    network = NetworkFactory(code="ern-paedcan")
    return expert_group_upsert(network=network, slug="brain", name="Brain Tumour Expert Group", **changes)


def test_a_group_carries_its_translated_name_and_description():
    group, _created = _upsert(translations={"de": DE})
    with translation.override("de"):
        assert (group.display_name, group.display_description, str(group)) == (
            DE["name"],
            DE["description"],
            DE["name"],
        )
    with translation.override("fr"):
        assert group.display_name == "Brain Tumour Expert Group"


def test_changing_the_translations_is_an_audited_update_and_none_leaves_them():
    _upsert(translations={"de": DE})
    group, created = _upsert(translations={"de": DE, "fr": {"name": "Groupe d'experts Tumeurs cérébrales"}})
    assert not created
    assert AuditEvent.objects.get(action="expert_group.update").detail == {"fields": ["translations"]}
    group, _created = _upsert()
    assert group.translations["fr"] == {"name": "Groupe d'experts Tumeurs cérébrales"}


def test_a_translation_of_anything_else_is_refused():
    with pytest.raises(ValidationError):
        _upsert(translations={"de": {"slug": "hirn"}})
