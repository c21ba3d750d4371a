"""The processes the app runs, by name (``admission``, ...), with their words
and the pages' hooks. "Process" is the one word for the concept in the code;
the API says ``type`` only where its contract does (``POST /cases {"type"}``,
``/processes/{type}``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass
class ProcessEntry:
    """A registered process: its name, definition, words for its states, and the pages' hooks."""
    name: str
    process: Any  # the Process class
    state_labels: dict
    # Optional hooks for the pages.
    # (session, case, sent, user) -> list[rules.Check], or None when not shown now; ``sent``:
    # (action, payload) of the refused action the page answers, sent by ``user``.
    checklist: Callable | None = None
    extra: dict = field(default_factory=dict)
    # The new-case page's words when the chosen person is not one this type opens a
    # case about (None: "Choose a member of this unit.").
    person_hint: Any = None
    # (session) -> {name: function} the templates call for this type (labels of its choices...).
    template_helpers: Callable | None = None
    # (session, person_id, day) -> the reason a case of this type bars giving the person a
    # post on ``day``, or None (DOMAIN "Posts": discipline in force); read by cases.posts.
    appointment_bar: Callable | None = None
    # (session, case) -> [str]: what the current step still lacks (documents, facts), from the
    # process's rule functions; shown in the case page's header.
    missing: Callable | None = None
    # (session, case) -> [(label, value)]: the facts the current step's decider needs.
    step_facts: Callable | None = None
    # (case, action) -> {field: value}: a form's defaults taken from the case (e.g. the proposed form).
    form_defaults: Callable | None = None
    # The document kinds a case of this process collects (None: every kind).
    document_kinds: tuple | None = None
    # (session, case) -> {key: value}: data read as it stands now, over the stored data, for
    # the API and the pages (a grading round's members graded and not graded).
    current_data: Callable | None = None

    def data_of(self, session, case) -> dict:
        """The case's data, with what :attr:`current_data` reads now over it."""
        data = dict(case.data or {})
        if self.current_data is not None:
            data.update(self.current_data(session, case))
        return data

    def state_label(self, state: str) -> str:
        """The words for ``state`` (the state itself if it has none)."""
        for key, label in self.state_labels.items():
            if getattr(key, "value", key) == state:
                return str(label)
        return state


_ENTRIES: dict[str, ProcessEntry] = {}


def register(process_entry: ProcessEntry) -> ProcessEntry:
    """Make ``process_entry`` known by its name (each type's ``kind`` module calls this)."""
    _ENTRIES[process_entry.name] = process_entry
    return process_entry


def get_entry(name: str) -> ProcessEntry:
    """The process ``name``; KeyError if there is none."""
    load_all()
    return _ENTRIES[name]


def all_entries() -> dict[str, ProcessEntry]:
    """Every process, by name."""
    load_all()
    return dict(_ENTRIES)


def load_all() -> None:
    """Import every process package (each registers itself in its ``registration`` module)."""
    import importlib

    for name in ("admission", "discipline", "removal", "candidacy", "transfer", "exemption", "grading"):
        importlib.import_module(f"cases.{name}.registration")
    importlib.import_module("cases.report_facts")  # the reports' facts, written by the engine's hook
    importlib.import_module("cases.report_rollup")  # and their rollup
