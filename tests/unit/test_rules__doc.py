"""docs/RULES.md is what scripts/rules_doc.py generates from docs/rules.toml and the
tests' names, so it cannot drift from either; every ``test_rule__`` test names a
listed rule."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("rules_doc", ROOT / "scripts" / "rules_doc.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("rules_doc", module)  # dataclasses look their module up there
    spec.loader.exec_module(sys.modules["rules_doc"])
    return sys.modules["rules_doc"]


def test_rules_doc__docs_rules_md_is_what_the_script_generates():
    script = _script()
    expected = script.generate(ROOT)
    current = (ROOT / "docs" / "RULES.md").read_text(encoding="utf-8")
    assert current == expected, "docs/RULES.md is out of date: run python scripts/rules_doc.py"


def test_rules_doc__every_rule_test_names_a_listed_rule():
    script = _script()
    stray = script.unknown_tests(script.load_catalog(), script.rule_tests(ROOT))
    assert not stray, "tests naming no rule of docs/rules.toml:\n" + "\n".join(f"{t.path}::{t.name}" for t in stray)


def test_rules_doc__the_catalog_covers_every_section_and_the_generator_sees_the_tests(tmp_path):
    script = _script()
    sections = script.load_catalog()
    assert [s.name for s in sections] == list(script.SECTIONS)
    assert {s.name for s in sections if not s.built} == set()
    # A new rule test in a file is picked up by its name alone.
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x__y.py").write_text(
        "def test_rule__common__one_discipline_case_per_violation_report__extra():\n    pass\n"
        "def test_rule__nowhere__nothing():\n    pass\n")
    found = script.rule_tests(tmp_path)
    assert [(t.section, t.rule) for t in found] == [("common", "one_discipline_case_per_violation_report"),
                                                   ("nowhere", "nothing")]
    assert [t.name for t in script.unknown_tests(sections, found)] == ["test_rule__nowhere__nothing"]
    text = script.render(sections, found)
    assert "`tests/test_x__y.py::test_rule__common__one_discipline_case_per_violation_report__extra`" in text
    assert "## Not yet built" in text and "Transfer of party activity" in text
