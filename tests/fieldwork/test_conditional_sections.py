"""The record form's conditional sections are shown and hidden by fieldwork.css, one rule per value a choice can
take (tests/browser/test_fieldwork_conditional_sections.py drives them in a browser, with and without JavaScript).
A value added to Mode, Outcome or Handling without its rule would show every section of its kind at once; a
section naming a value no choice has would never be shown."""

import re
from pathlib import Path

import pytest

from shuangsuiji.fieldwork.models import Handling, Mode, Outcome

FIELDWORK = Path(__file__).resolve().parents[2] / "shuangsuiji" / "fieldwork"
CSS = (FIELDWORK / "static" / "fieldwork" / "fieldwork.css").read_text(encoding="utf-8")
TEMPLATE = (FIELDWORK / "templates" / "fieldwork" / "record_edit.html").read_text(encoding="utf-8")

# kind: (how its value is chosen, its values, the rule for nothing chosen yet — a new item, 请选择)
CHOICES = {
    "mode": ('input[name="mode"][value="{v}"]:checked', Mode.values,
             '#record-form:not(:has(input[name="mode"]:checked)) [data-show-when-mode]'),
    "outcome": ('input[name$="-outcome"][value="{v}"]:checked', Outcome.values,
                '.fw-item:not(:has(input[name$="-outcome"]:checked)) [data-show-when-outcome]'),
    "handling": ('select[name$="-handling"] option[value="{v}"]:checked', Handling.values,
                 '.fw-item:has(select[name$="-handling"] option[value=""]:checked) [data-show-when-handling],'),
}


@pytest.mark.parametrize("kind", CHOICES)
def test_every_value_of_a_choice_has_its_rule(kind):
    chosen, values, unchosen = CHOICES[kind]
    for value in values:
        rule = f":has({chosen.format(v=value)}) [data-show-when-{kind}]:not([data-show-when-{kind}~=\"{value}\"])"
        assert rule in CSS, f"fieldwork.css has no rule for {kind} {value!r}: {rule}"
    assert unchosen in CSS  # nothing chosen yet: every section of the kind is hidden


@pytest.mark.parametrize("kind", CHOICES)
def test_the_form_names_only_values_its_choices_have(kind):
    _chosen, values, _unchosen = CHOICES[kind]
    named = re.findall(rf'data-show-when-{kind}="([^"]*)"', TEMPLATE)
    assert named, f"record_edit.html has no data-show-when-{kind}"
    for listed in named:
        assert set(listed.split()) <= set(values), listed


def test_a_section_holding_an_error_is_never_hidden_by_the_rules():
    rules = CSS[CSS.index(":is(\n  #record-form"):]
    assert "):not(.fw-has-error):not(:has(.fw-has-error)) { display: none !important; }" in rules
