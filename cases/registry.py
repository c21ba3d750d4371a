"""The case types the app knows, by name (``admission``, ...)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass
class CaseType:
    """A case type: its name, process definition, words for its states, and the pages' hooks."""
    name: str
    process: Any  # the Process class
    state_labels: dict
    # Optional hooks for the pages.
    checklist: Callable | None = None  # (session, case) -> list[rules.Check], or None when not shown now
    extra: dict = field(default_factory=dict)
    # The new-case page's words when the chosen person is not one this type opens a
    # case about (None: "Choose a member of this unit.").
    person_hint: Any = None
    # (session) -> {name: function} the templates call for this type (labels of its choices...).
    template_helpers: Callable | None = None

    def state_label(self, state: str) -> str:
        """The words for ``state`` (the state itself if it has none)."""
        for key, label in self.state_labels.items():
            if getattr(key, "value", key) == state:
                return str(label)
        return state


_TYPES: dict[str, CaseType] = {}


def register(case_type: CaseType) -> CaseType:
    """Make ``case_type`` known by its name (each type's ``kind`` module calls this)."""
    _TYPES[case_type.name] = case_type
    return case_type


def get_type(name: str) -> CaseType:
    """The case type ``name``; KeyError if there is none."""
    load_all()
    return _TYPES[name]


def all_types() -> dict[str, CaseType]:
    """Every case type, by name."""
    load_all()
    return dict(_TYPES)


def load_all() -> None:
    """Import every case type package (each registers itself)."""
    import importlib

    for name in ("admission", "discipline", "removal", "candidacy"):
        try:
            importlib.import_module(f"cases.{name}.kind")
        except ModuleNotFoundError as exc:
            if exc.name is None or not f"cases.{name}.kind".startswith(exc.name):
                raise
