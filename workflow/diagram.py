"""Mermaid ``stateDiagram-v2`` text for a process, from its compiled machine.

The current state of a case, when given, is marked with a ``current`` class.
"""

from __future__ import annotations

from .definition import Process


def _edge_label(process, action: str, source: str) -> str:
    ct = process.compiled.get((source, action))
    if ct is None:
        return action
    who = ", ".join(sorted(ct.roles)) if ct.roles else "system"
    level = getattr(ct.level, "value", None) or (str(ct.level) if ct.level is not None and not callable(ct.level)
                                                 else ("custom" if ct.level is not None else ""))
    return f"{action} ({who}{' @ ' + level if level else ''})"


def mermaid(process: type[Process], current: str | None = None) -> str:
    """The diagram of ``process``; ``current`` (a state value) is highlighted."""
    machine = process.machine
    lines = ["stateDiagram-v2"]
    for state in process.start_specs:
        lines.append(f"    [*] --> {state}")
    seen = set()
    for name, event in machine.events.items():
        for source, trans in event.transitions.items():
            for tr in trans:
                key = (source, tr.dest, name)
                if key in seen:
                    continue
                seen.add(key)
                lines.append(f"    {source} --> {tr.dest}: {_edge_label(process, name, source)}")
    for state in sorted(process.end_states):
        lines.append(f"    {state} --> [*]")
    if current is not None:
        current = getattr(current, "value", current)
        if current not in process.states:
            raise ValueError(f"{current!r} is not a state of {process.name}")
        lines.append("    classDef current fill:#fde68a,stroke:#b45309,stroke-width:3px")
        lines.append(f"    class {current} current")
    return "\n".join(lines) + "\n"


def case_diagram(case) -> str:
    """The diagram of a case's own definition version, its state marked."""
    return mermaid(case.definition(), current=case.state)
