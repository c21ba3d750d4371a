"""What a transition checks before the engine moves a case: that it exists
from the current state, who may take it, its payload, vote and guards, and
which target it leads to. Pure functions of the process definition, the case
snapshot and the action :class:`~workflow.guards.Context`.
"""

from __future__ import annotations

from core.levels import matching_unit, path_ids

from .audit import json_safe
from .definition import CompiledTransition, Process, get_process
from .errors import ActionNotAvailable, GuardFailed, InvalidPayload, NotPermitted, UnknownAction, WorkflowError
from .guards import CaseSnapshot, validate_form
from .i18n import _
from .votes import VoteForm, VoteRule, normalise_vote_keys


def process_of(snap: CaseSnapshot) -> type[Process]:
    """The process definition (name and version) a case runs on."""
    return get_process(snap.process, snap.process_version)


def find_transition(process, snap: CaseSnapshot, action: str) -> CompiledTransition:
    """The transition ``action`` from the case's state.

    Raises UnknownAction (no such action in the process) or ActionNotAvailable
    (not from this state)."""
    ct = process.compiled.get((snap.state, action))
    if ct is None:
        if action not in process.by_action:
            raise UnknownAction(action, process.name)
        raise ActionNotAvailable(action, snap.state)
    return ct


def granted_unit(ct, rows, ancestors, reviewing_unit_id) -> int | None:
    """The unit where one of the user's role ``rows`` may take ``ct`` (any of its
    grants, :func:`core.levels.matching_unit`) on a case with those ``ancestors``
    and reviewing unit; None when none may."""
    for roles, level in ct.grants:
        unit_id = matching_unit(roles, level, rows, ancestors, reviewing_unit_id)
        if unit_id is not None:
            return unit_id
    return None


def check_permission(roles, ct, snap, actor) -> int | None:
    """The unit where the actor's role qualifies (None for the system); raises NotPermitted."""
    if ct.is_system:
        if actor is not None:
            raise NotPermitted(_("Only the system may take this action."))
        return None
    if actor is None:
        raise NotPermitted()
    unit_id = granted_unit(ct, roles, path_ids(snap.unit_path), snap.reviewing_unit_id)
    if unit_id is None:
        raise NotPermitted()
    return unit_id


def applies(ct, facts) -> bool:
    """Does ``ct`` make sense for the case whose ``facts`` (``.data``, ``.person``) are given
    (its :class:`~workflow.definition.Applies` predicate, default yes)?"""
    return ct.applies is None or ct.applies(facts)


def check_applies(ct, ctx) -> None:
    """Refuse, with the predicate's reason, a transition that does not apply to this case's
    facts (``available_actions`` does not offer it either). Raises GuardFailed."""
    if not applies(ct, ctx):
        raise GuardFailed([str(ct.applies.reason(ctx))])


def validate(ct, ctx, payload: dict | None) -> dict:
    """The JSON-safe audit payload; runs the form, the vote and the guards.

    Raises InvalidPayload (form or vote arithmetic) or GuardFailed (reasons).
    Sets ``ctx.payload`` and ``ctx.vote``."""
    form = ct.form or (VoteForm if ct.vote is not None else None)
    if ct.vote is not None:
        payload = normalise_vote_keys(payload)
    if form is not None:
        data, _coerced = validate_form(form, payload, ctx)
    else:
        data = json_safe(dict(payload or {}))
    ctx.payload = data
    reasons: list[str] = []
    if ct.vote is not None:
        rule = vote_rule(ct, ctx)
        errors = rule.check_arithmetic(data)
        if errors:
            raise InvalidPayload(errors)
        quorum = rule.quorum_reason(data)
        if quorum:
            reasons.append(quorum)
        else:
            ctx.vote = rule.evaluate(data)
    for guard in ct.guards:
        reason = guard(ctx)
        if reason:
            reasons.append(str(reason))
    if reasons:
        raise GuardFailed(reasons)
    return data


def vote_rule(ct, ctx) -> VoteRule:
    """The transition's vote rule; ``vote=fn(ctx)`` picks it from the payload
    (e.g. two thirds for an expulsion, a majority otherwise)."""
    return ct.vote if isinstance(ct.vote, VoteRule) else ct.vote(ctx)


def choose_target(ct, ctx) -> tuple[str, str | None]:
    """(target state, outcome key) of a transition: its only target, or the one
    its chooser (default: the vote's outcome) names."""
    if "" in ct.targets:
        return ct.targets[""], None
    if ct.choose is not None:
        key = ct.choose(ctx)
    else:
        key = ctx.vote.outcome
    key = getattr(key, "value", key)
    if key not in ct.targets:
        # The chooser may also name the target state itself.
        for k, state in ct.targets.items():
            if state == key:
                return state, k
        raise WorkflowError(f"{ct.action}: chooser returned {key!r}, not one of {sorted(ct.targets)}")
    return ct.targets[key], key


def resolve_process(process) -> type[Process]:
    """A Process class, given the class or its registered name."""
    if isinstance(process, type) and issubclass(process, Process):
        return process
    return get_process(process)


def start_roles(spec) -> frozenset[str]:
    """The role values a start spec admits."""
    roles = spec.roles if isinstance(spec.roles, (list, tuple, set, frozenset)) else (spec.roles,)
    return frozenset(getattr(r, "value", r) for r in roles)
