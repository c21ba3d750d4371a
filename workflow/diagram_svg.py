"""The process drawn as an SVG picture, on the server, from the compiled definition.

States are laid out in layers by their distance from a start state (top to
bottom); end states that many steps lead to (withdrawn, rejected) stand in a
column on the right. An edge goes down to a later layer as a straight arrow,
across to that column as a straight arrow, and back up or sideways as a curve on the left. The current state is highlighted, the states and the
transitions the case has been through are marked, end states are drawn with a
double border. Labels come from ``label(state)`` (the reader's language); each
state and arrow carries a ``<title>`` (a tooltip) naming it. Pure Python: no
Graphviz, no script in the browser.
"""

from __future__ import annotations

import textwrap
from typing import Callable, Iterable
from xml.sax.saxutils import escape

from .definition import Process

BOX_W, BOX_H, GAP_X, GAP_Y, PAD = 176, 54, 28, 34, 56
LINE_CHARS = 26


def _edges(process: type[Process]) -> list[tuple[str, str, str]]:
    """``(source, target, action)`` of every transition, each once (self-loops left out)."""
    seen: dict[tuple[str, str], str] = {}
    for (source, action), ct in process.compiled.items():
        for target in ct.possible_targets:
            if target != source:
                seen.setdefault((source, target), str(ct.label))
    return [(s, t, a) for (s, t), a in seen.items()]


def _layers(process: type[Process], edges) -> dict[str, int]:
    """Each state's layer: its shortest distance from a start state (unreached states last)."""
    starts = [getattr(s, "value", s) for s in process.start_specs]
    layer = {s: 0 for s in starts}
    queue = list(starts)
    while queue:
        state = queue.pop(0)
        for s, t, _a in edges:
            if s == state and t not in layer:
                layer[t] = layer[state] + 1
                queue.append(t)
    bottom = max(layer.values(), default=0) + 1
    for state in process.states:
        layer.setdefault(state, bottom)
    return layer


def _node(x: float, y: float, state: str, text: str, kind: str) -> str:
    lines = textwrap.wrap(text, LINE_CHARS)[:3] or [state]
    top = y + BOX_H / 2 - (len(lines) - 1) * 7
    spans = "".join(f'<tspan x="{x + BOX_W / 2:.0f}" y="{top + i * 14 + 4:.0f}">{escape(line)}</tspan>'
                    for i, line in enumerate(lines))
    inner = (f'<rect x="{x + 3}" y="{y + 3}" width="{BOX_W - 6}" height="{BOX_H - 6}" rx="6" class="inner"/>'
             if "end" in kind else "")
    mark = '<text class="mark" x="{:.0f}" y="{:.0f}" aria-hidden="true">✓</text>'.format(x + 8, y + 16) \
        if "visited" in kind and "current" not in kind else ""
    return (f'<g class="node {kind}" data-state="{escape(state)}"><title>{escape(text)}</title>'
            f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="8"/>{inner}{mark}'
            f'<text x="{x + BOX_W / 2:.0f}" text-anchor="middle">{spans}</text></g>')


def svg(process: type[Process], label: Callable[[str], str], *, current: str | None = None,
        visited: Iterable[str] = (), taken: Iterable[tuple[str, str]] = (), title: str = "") -> str:
    """The SVG markup of ``process``: ``label(state)`` words each state, ``current``
    is highlighted, ``visited`` states and ``taken`` ``(source, target)`` transitions
    are marked as the path the case has taken. ValueError for an unknown ``current``."""
    if current is not None and current not in process.states:
        raise ValueError(f"{current!r} is not a state of {process.name}")
    edges = _edges(process)
    ends = {getattr(s, "value", s) for s in process.end_states}
    # End states many steps lead to (withdrawn, rejected...) stand in a column on the right,
    # beside the first step that leads there, so the main path reads straight down.
    sources: dict[str, list[str]] = {}
    for s, t, _a in edges:
        sources.setdefault(t, []).append(s)
    side = {t for t, ss in sources.items() if t in ends and len(set(ss)) >= 2}
    main_edges = [(s, t, a) for s, t, a in edges if t not in side]
    layer = _layers(process, main_edges)
    rows: dict[int, list[str]] = {}
    for state in process.states:
        if state not in side:
            rows.setdefault(layer[state], []).append(state)
    order = sorted(rows)
    index: dict[str, float] = {}
    for row in order:  # each state under the steps that lead to it (fewer crossings)
        def centre(state):
            above = [index[s] for s in sources.get(state, ()) if s in index and layer.get(s, row) < row]
            return sum(above) / len(above) if above else process.states.index(state)
        rows[row].sort(key=lambda st: (centre(st), process.states.index(st)) if row else process.states.index(st))
        for i, state in enumerate(rows[row]):
            index[state] = i - (len(rows[row]) - 1) / 2
    widest = max(len(r) for r in rows.values())
    main_w = widest * BOX_W + (widest - 1) * GAP_X
    width = PAD * 2 + main_w + (GAP_X * 3 + BOX_W if side else 0) + 40
    height = PAD * 2 + len(order) * BOX_H + (len(order) - 1) * GAP_Y
    pos: dict[str, tuple[float, float]] = {}
    for n, row in enumerate(order):
        states = rows[row]
        span = len(states) * BOX_W + (len(states) - 1) * GAP_X
        x0 = PAD + (main_w - span) / 2
        for i, state in enumerate(states):
            pos[state] = (x0 + i * (BOX_W + GAP_X), PAD + n * (BOX_H + GAP_Y))
    taken_y: list[float] = []
    for state in [s for s in process.states if s in side]:
        y = min(pos[s][1] for s in sources[state] if s in pos)
        while any(abs(y - other) < BOX_H + 8 for other in taken_y):
            y += BOX_H + GAP_Y
        taken_y.append(y)
        pos[state] = (PAD + main_w + GAP_X * 3, y)
    height = max(height, max(taken_y, default=0) + BOX_H + PAD)
    visited, taken = set(visited), set(taken)
    parts = []
    for s, t, action in edges:
        (sx, sy), (tx, ty) = pos[s], pos[t]
        cls = "edge taken" if (s, t) in taken else "edge"
        if t in side:  # across to the right-hand column
            path = f"M{sx + BOX_W:.0f},{sy + BOX_H / 2:.0f} L{tx - 2:.0f},{ty + BOX_H / 2:.0f}"
        elif ty == sy:  # along a layer: edge to edge
            left, right = (sx + BOX_W, tx - 2) if tx > sx else (sx, tx + BOX_W + 2)
            path = f"M{left:.0f},{sy + BOX_H / 2:.0f} L{right:.0f},{ty + BOX_H / 2:.0f}"
        elif ty > sy:
            path = f"M{sx + BOX_W / 2:.0f},{sy + BOX_H:.0f} L{tx + BOX_W / 2:.0f},{ty - 2:.0f}"
        elif tx == sx:  # back up the same column: a curve out to the left
            bend = sx - 40
            path = (f"M{sx:.0f},{sy + BOX_H / 2:.0f} C{bend:.0f},{sy + BOX_H / 2:.0f} "
                    f"{bend:.0f},{ty + BOX_H / 2:.0f} {tx - 2:.0f},{ty + BOX_H / 2:.0f}")
        else:  # back up to another column: straight, top to bottom
            path = f"M{sx + BOX_W / 2:.0f},{sy:.0f} L{tx + BOX_W / 2:.0f},{ty + BOX_H + 2:.0f}"
        parts.append(f'<path class="{cls}" d="{path}" marker-end="url(#arrow{"-taken" if "taken" in cls else ""})">'
                     f'<title>{escape(action)}</title></path>')
    for state, (x, y) in pos.items():
        kind = " ".join(k for k, on in (("current", state == current), ("visited", state in visited),
                                        ("end", state in ends)) if on) or "plain"
        parts.append(_node(x, y, state, label(state), kind))
    defs = ('<defs>'
            '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
            'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker>'
            '<marker id="arrow-taken" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
            'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead taken"/></marker></defs>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="process-diagram" role="img" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
            f'aria-label="{escape(title)}"><title>{escape(title)}</title>{defs}{"".join(parts)}</svg>')
