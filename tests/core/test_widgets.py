"""QuickSelect renders the markup Django's Select renders, without a template per option."""

import pytest
from django import forms
from django.test.html import parse_html

from concilium.core.widgets import QuickSelect

CHOICES = [("", "All groups"), ("1", "Brain & spine"), ("Sarcoma", [("2", "Ewing"), ("3", 'Osteo "high"')])]


@pytest.mark.parametrize("value", ["", "1", "3", None, "missing"])
def test_quick_select_renders_what_djangos_select_renders(value):
    attrs = {"class": "form-select", "required": True, "data-autosubmit": "", "hidden": False}
    expected = forms.Select(attrs=attrs, choices=CHOICES).render("group", value, attrs={"id": "id_group"})
    rendered = QuickSelect(attrs=attrs, choices=CHOICES).render("group", value, attrs={"id": "id_group"})
    assert parse_html(rendered) == parse_html(expected)


def test_quick_select_escapes_labels_and_values():
    rendered = QuickSelect(choices=[('"><script>', "<b>bold</b>")]).render("q", None)
    assert "<script>" not in rendered and "<b>" not in rendered
    assert "&lt;b&gt;bold&lt;/b&gt;" in rendered
