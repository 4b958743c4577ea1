"""Form widgets that render in Python what Django renders through templates, where a page shows many."""

from html import escape
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import SafeString, mark_safe


class QuickSelect(forms.Select):
    """A `<select>` with the same markup as Django's, built in Python: Django renders every option through
    two templates, which for a list filter's few dozen options costs more than the page's queries."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        # Straight from the choices: Django's `optgroups` builds a dict (and copies the attributes) for every
        # option, and `format_html` checks every argument for laziness; plain escaping costs a tenth of it.
        selected = set(self.format_value(value))
        found = False

        def option(option_value: Any, label: Any) -> str:
            nonlocal found
            shown = "" if option_value is None else str(option_value)
            chosen = (not found or self.allow_multiple_selected) and shown in selected
            found |= chosen
            mark = " selected" if chosen else ""
            return f'<option value="{escape(shown)}"{mark}>{escape(str(label))}</option>'

        parts = []
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):
                inner = "".join(option(sub_value, sub_label) for sub_value, sub_label in label)
                parts.append(f'<optgroup label="{escape(str(option_value))}">{inner}</optgroup>')
            else:
                parts.append(option(option_value, label))
        final_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        return mark_safe(  # noqa: S308 (every value and label is escaped above)
            f'<select name="{escape(name)}"{flatatt(final_attrs)}>{"".join(parts)}</select>'
        )
