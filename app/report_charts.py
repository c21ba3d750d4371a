"""The report's charts as SVG images, drawn by matplotlib (pinned in requirements.txt).

Readable printed in black and white: every series is told apart by its hatching
and its outline, not by colour alone, and each bar carries its number. The text
is matplotlib's bundled DejaVu Sans (full Vietnamese coverage) turned into
paths inside the SVG, so the chart reads the same whatever fonts the browser
has. Served from a route as image files (no inline script or style in the
pages: the CSP holds); nothing is fetched from elsewhere.
"""

from __future__ import annotations

import io

from flask_babel import gettext as _

from . import labels

CHARTS = ("admissions", "discipline", "members", "overdue")
INK, GREY, LIGHT = "#1f2937", "#6b7280", "#e5e7eb"
HATCHES = ("//", "..", "xx", "\\\\", "oo", "--")


def _figure(width: float = 5.6, height: float = 3.3):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    fig.patch.set_facecolor("white")
    return fig, fig.add_subplot(1, 1, 1)


def _style(ax, title: str) -> None:
    ax.set_title(title, fontsize=12, color=INK, loc="left", fontweight="bold", pad=10)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(colors=INK, labelsize=9.5)


def _svg(fig) -> bytes:
    import matplotlib

    from matplotlib.backends.backend_svg import FigureCanvasSVG

    with matplotlib.rc_context({"svg.fonttype": "path", "font.family": "DejaVu Sans", "hatch.linewidth": 0.8,
                                "svg.hashsalt": "report"}):
        out = io.BytesIO()
        FigureCanvasSVG(fig).print_svg(out, metadata={"Date": None})
    return out.getvalue()


def _label_bars(ax, bars, horizontal: bool = False) -> None:
    for bar in bars:
        value = bar.get_width() if horizontal else bar.get_height()
        if not value:
            continue
        if horizontal:
            ax.annotate(f"{int(value):,}".replace(",", "."), (value, bar.get_y() + bar.get_height() / 2),
                        xytext=(4, 0), textcoords="offset points", va="center", fontsize=9, color=INK)
        else:
            ax.annotate(f"{int(value):,}".replace(",", "."), (bar.get_x() + bar.get_width() / 2, value),
                        xytext=(0, 3), textcoords="offset points", ha="center", fontsize=9, color=INK)


def _empty(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=11, color=GREY, transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def admissions(months: list[str], admitted: list[int], target: int | None) -> bytes:
    """Admissions per month (hatched bars) and their running total (solid line) against the
    year's plan (dashed line: the target spread evenly over the months)."""
    fig, ax = _figure()
    x = list(range(len(months)))
    bars = ax.bar(x, admitted, color="white", edgecolor=INK, hatch=HATCHES[0], label=_("Admitted in the month"))
    _label_bars(ax, bars)
    running, total = [], 0
    for n in admitted:
        total += n
        running.append(total)
    ax.plot(x, running, color=INK, marker="o", linewidth=1.8, label=_("Admitted since the start of the period"))
    if target:
        ax.plot(x, [target * (i + 1) / len(months) for i in x], color=INK, linestyle="--", linewidth=1.4,
                label=_("Plan: %(n)s in the year", n=target))
    if len({m[:4] for m in months}) == 1:  # one year: the months' numbers, the year in the axis label
        ax.set_xticks(x, [str(int(m[5:])) for m in months])
        ax.set_xlabel(_("Month of %(year)s", year=months[0][:4]), fontsize=9.5, color=INK)
    else:
        ax.set_xticks(x, [f"{m[5:]}/{m[2:4]}" for m in months], rotation=45)
    ax.set_ylim(0, max([1, *running, target or 0]) * 1.45)  # room for the legend above the lines
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend(fontsize=9, frameon=False, loc="upper left")
    _style(ax, _("Admissions per month against the plan"))
    fig.tight_layout()
    return _svg(fig)


def discipline(forms: list[str], decisions: list[int], people: list[int]) -> bytes:
    """Discipline by form: decisions (hatched) and members (dotted), side by side."""
    fig, ax = _figure()
    x = list(range(len(forms)))
    width = 0.38
    b1 = ax.bar([i - width / 2 for i in x], decisions, width, color="white", edgecolor=INK, hatch=HATCHES[0],
                label=_("Decisions"))
    b2 = ax.bar([i + width / 2 for i in x], people, width, color=LIGHT, edgecolor=INK, hatch=HATCHES[1],
                label=_("Members (heaviest form)"))
    _label_bars(ax, b1)
    _label_bars(ax, b2)
    ax.set_xticks(x, forms)
    ax.set_ylim(0, max([1, *decisions, *people]) * 1.25)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend(fontsize=9, frameon=False)
    _style(ax, _("Discipline by form"))
    fig.tight_layout()
    return _svg(fig)


def horizontal(title: str, names: list[str], values: list[int], empty: str) -> bytes:
    """Horizontal hatched bars, one per name, largest first (members by status, overdue by step)."""
    fig, ax = _figure(height=max(2.4, 1.0 + 0.45 * len(names)))
    if not names:
        _empty(ax, empty)
    else:
        y = list(range(len(names)))[::-1]
        bars = ax.barh(y, values, color="white", edgecolor=INK)
        for i, bar in enumerate(bars):
            bar.set_hatch(HATCHES[i % len(HATCHES)])
        _label_bars(ax, bars, horizontal=True)
        ax.set_yticks(y, names)
        ax.set_xlim(0, max([1, *values]) * 1.15)
    _style(ax, title)
    fig.tight_layout()
    return _svg(fig)


def members(by_status: dict[str, int]) -> bytes:
    """Members (and candidates) by status."""
    order = ["official", "probationary", "candidate"] + sorted(set(by_status) - {"official", "probationary",
                                                                                 "candidate"})
    names = [s for s in order if by_status.get(s)]
    return horizontal(_("People by status"), [labels.status(s) for s in names], [by_status[s] for s in names],
                      _("No one in the registry here."))


def overdue(by_step: list[tuple[str, int]]) -> bytes:
    """Open cases past their deadline by step (the twelve largest)."""
    top = sorted(by_step, key=lambda item: -item[1])[:12]
    return horizontal(_("Cases past their deadline, by step"), [n for n, _v in top], [v for _n, v in top],
                      _("No case is past its deadline."))
