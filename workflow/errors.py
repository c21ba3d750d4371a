"""Typed errors of the engine. The web layer maps them to HTTP statuses:
``NotPermitted`` 403, ``StaleCase`` 409, ``ActionNotAvailable`` 409,
``UnknownAction`` 404, ``InvalidPayload`` and ``GuardFailed`` 422.

Every refusal happens before anything is written, or rolls the transaction
back: a refused action leaves the database unchanged.
"""

from __future__ import annotations

from .i18n import _


class WorkflowError(Exception):
    """Base class; ``message`` is already translated."""

    code = "workflow_error"

    def __init__(self, message: str | None = None):
        self.message = message or self.__class__.__name__
        super().__init__(self.message)


class DefinitionError(WorkflowError):
    """A process definition is invalid (raised at import time)."""

    code = "definition_error"


class UnknownAction(WorkflowError):
    code = "unknown_action"

    def __init__(self, action: str, process: str = ""):
        self.action = action
        super().__init__(_("Unknown action %(action)s.", action=action))


class ActionNotAvailable(WorkflowError):
    """The action exists but not from the case's current state (or the case is closed)."""

    code = "action_not_available"

    def __init__(self, action: str, state: str):
        self.action = action
        self.state = state
        super().__init__(
            _("The action %(action)s is not available in the state %(state)s.", action=action, state=state)
        )


class NotPermitted(WorkflowError):
    code = "not_permitted"

    def __init__(self, message: str | None = None):
        super().__init__(message or _("You do not hold the role required for this action at this case's unit."))


class StaleCase(WorkflowError):
    """The case changed since the caller read it (optimistic concurrency)."""

    code = "stale_case"

    def __init__(self, case_id: int, expected: int | None, actual: int | None):
        self.case_id = case_id
        self.expected = expected
        self.actual = actual
        super().__init__(
            _("The case was changed by someone else (version %(actual)s, you had %(expected)s); reload it.",
              actual=actual, expected=expected)
        )


class InvalidPayload(WorkflowError):
    code = "invalid_payload"

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__(_("The submitted data is invalid."))


class GuardFailed(WorkflowError):
    code = "guard_failed"

    def __init__(self, reasons: list[str]):
        self.reasons = list(reasons)
        super().__init__("; ".join(self.reasons))


class CaseNotFound(WorkflowError):
    code = "case_not_found"

    def __init__(self, case_id):
        self.case_id = case_id
        super().__init__(_("Case %(id)s does not exist.", id=case_id))
