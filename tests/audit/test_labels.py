"""Every action the code records has a label, and the tables point at fields that exist."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.utils.module_loading import import_string

import shuangsuiji
from shuangsuiji.audit.labels import ACTIONS, ITEM_MODELS, KEYS
from shuangsuiji.registry.excel import IMPORTERS

PACKAGE = Path(shuangsuiji.__file__).parent
CALL = re.compile(r"\b(?:PendingEvent|record_event|_event)\(")
CODE = re.compile(r'"([a-z_]+\.[a-z_]+)"')
PREFIXED = {"planning/services.py": "plan.", "disclosure/services.py": "disclosure."}
"""Modules whose ``_event`` helper prefixes the step's name: ``_event("freeze", …)`` records ``plan.freeze``."""
STEP = re.compile(r'\b_event\("([a-z_]+)"(?: \+ \("([a-z_]+)" if \w+ else "([a-z_]+)"\))?')
MODEL_ACTIONS = {f"{model}.{verb}" for model in ("target", "inspector", "checkitem", "department", "jurisdiction",
                                                 "specialty", "workdayoverride", "penalty", "complaint", "exceedance",
                                                 "keyunit", "positivelistentry") for verb in ("create", "update")}
"""``registry.services.do_save``/``do_save_reference`` and ``intake.services._save`` name the action after the
saved model (``f"{model_name}.create"``), which no literal shows: the models they are called with."""
IMPORT_ACTIONS = {f"{kind}.import" for kind in IMPORTERS}
"""``registry.services.do_import_registry`` records ``f"{kind}.import"``."""


def recorded_actions() -> set[str]:
    """The action strings written in the calls that record events (a literal, or a step of a prefixing helper)."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith(("engine/", "audit/")) or "/migrations/" in relative:
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        for n, line in enumerate(lines):
            if not CALL.search(line):
                continue
            if line.rstrip().endswith("(") and n + 1 < len(lines):
                line += lines[n + 1]  # record_event(\n    "demo.seed", …
            found.update(CODE.findall(line))
            if relative in PREFIXED:
                for match in STEP.finditer(line):
                    stem, yes, no = match.groups()
                    steps = [stem + yes, stem + no] if yes else [stem]
                    found.update(PREFIXED[relative] + step for step in steps)
    return found


def test_every_recorded_action_has_a_label():
    found = recorded_actions()
    expected = {"target.update", "plan.freeze", "plan.shortfall_reject", "record.seal", "disclosure.redaction_rule_off",
                "clue.reject", "user.role_change", "demo.seed"}
    assert expected <= found, "the scan no longer finds what the services record"
    assert sorted((found | MODEL_ACTIONS | IMPORT_ACTIONS) - set(ACTIONS)) == []


@pytest.mark.parametrize("name, key", sorted(KEYS.items()))
def test_every_key_points_at_a_field_or_choices_that_exist(name, key):
    assert key.label or key.field or key.choices, name
    if key.field:
        app_label, model, field = key.field.split(".")
        apps.get_model(app_label, model)._meta.get_field(field)
    if key.choices:
        import_string(key.choices)


def test_action_tables_name_real_fields():
    for action in ACTIONS.values():
        if action.keys:
            app_label, model, field = action.keys.split(".")
            assert apps.get_model(app_label, model)._meta.get_field(field).choices
    for model_label, item_model in ITEM_MODELS.items():
        apps.get_model(model_label)
        apps.get_model(item_model)
