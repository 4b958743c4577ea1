"""The one text rule: forms (every text field) and services refuse the same text for the same reason."""

from django import forms

from concilium.core.errors import DomainError
from concilium.core.forms import StyledForm
from concilium.core.text import MULTILINE_ALLOWED, clean_text, find_control_character, text_problem


class NoteForm(StyledForm):
    title = forms.CharField(max_length=100)
    note = forms.CharField(widget=forms.Textarea)


def test_a_one_line_field_refuses_a_newline_a_textarea_keeps_it() -> None:
    form = NoteForm({"title": "a\nb", "note": "line one\nline two"})
    assert not form.is_valid()
    assert [error.code for error in form.errors.as_data()["title"]] == ["control_characters"]
    assert "note" not in form.errors


def test_nul_is_refused_by_forms_and_services_alike() -> None:
    form = NoteForm({"title": "ok", "note": "bad\x00text"})
    assert not form.is_valid()
    assert [error.code for error in form.errors.as_data()["note"]] == ["control_characters"]
    assert (
        text_problem("bad\x00text", limit=100)
        == "Remove the control characters (such as NUL) from this text."
    )
    try:
        clean_text("bad\x00text", limit=100, field="note")
    except DomainError as error:
        assert (error.code, error.field, error.status) == ("invalid_request", "note", 422)
    else:  # pragma: no cover - the assertion below explains
        raise AssertionError("clean_text accepted a NUL")


def test_markup_is_refused_only_where_asked() -> None:
    assert text_problem("<script>x</script>", limit=100) is None
    assert text_problem("<script>x</script>", limit=100, allow_markup=False) == (
        "Remove the HTML markup (such as <script>) from this text: write plain text."
    )
    assert text_problem("CRP < 5 mg/l, then > 20 mg/l", limit=100, allow_markup=False) is None


def test_length_and_allowed_characters() -> None:
    assert text_problem("x" * 11, limit=10) == "This text is too long (at most 10 characters)."
    assert find_control_character("tab\there", allowed=MULTILINE_ALLOWED) is None
    assert find_control_character("bell\x07") == "\x07"
    assert find_control_character("lone \ud800 surrogate") == "\ud800"
