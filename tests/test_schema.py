"""The JSON Schema: generated from the model, committed, and actually usable by editors."""

from __future__ import annotations

import yaml
from jsonschema import Draft202012Validator

from generator.schema import deck_schema, render

from .conftest import CASES, REPO

COMMITTED = REPO / "schema" / "deck.schema.json"


def test_committed_schema_is_current() -> None:
    assert COMMITTED.read_text() == render(), "run: studydeck schema > schema/deck.schema.json"


def test_schema_is_valid_json_schema_and_refuses_what_check_refuses() -> None:
    """An editor using the schema marks the same bad titles and ids as ``check`` does."""
    Draft202012Validator.check_schema(deck_schema())
    validator = Draft202012Validator(deck_schema())
    starter = yaml.safe_load((CASES / "valid" / "starter.yaml").read_text())
    for title in ("A::B", "Line\rbreak", "Tab\there", "<b>x</b>"):
        assert [list(e.path) for e in validator.iter_errors(starter | {"deck": title})] == [["deck"]], title
    assert list(validator.iter_errors(starter)) == []
    bad_id = starter | {"items": [starter["items"][0] | {"id": "Not A Slug"}]}
    assert [list(e.path) for e in validator.iter_errors(bad_id)] == [["items", 0]]  # (no item type fits)


def test_schema_accepts_valid_decks() -> None:
    validator = Draft202012Validator(deck_schema())
    for path in [CASES / "valid" / "starter.yaml", *sorted((REPO / "decks").glob("*.yaml"))]:
        data = yaml.safe_load(path.read_text())  # typed the way an editor's YAML reading types it
        assert [e.message for e in validator.iter_errors(data)] == [], path.name


def test_schema_refuses_unknown_fields_and_types() -> None:
    validator = Draft202012Validator(deck_schema())
    for case in ("unknown-field", "unknown-type", "wrong-count"):
        data = yaml.safe_load((CASES / "invalid" / f"{case}.yaml").read_text())
        assert list(validator.iter_errors(data)), case


def test_schema_command_prints_it(run) -> None:
    code, out, _ = run(["schema"])
    assert code == 0
    assert out == render()
