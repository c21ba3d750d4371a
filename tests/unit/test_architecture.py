"""The layers hold: no import cycle among the project's modules, ``workflow/``
knows neither Flask nor the layers above it, case types stand alone, modules
stay small, and nothing outside the engine reaches into its private steps.

The imports are read with ``ast`` (absolute and relative, at module level and
inside functions), never by importing the code. An import under
``if TYPE_CHECKING:`` never runs, so it does not count towards a cycle; it does
count for the layer rules, as a dependency all the same.
"""

from __future__ import annotations

import ast
import dataclasses
import os
import re
from collections import defaultdict, deque
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Not the project's own code: the virtualenv, the tests, the migrations (Alembic
# loads them by path) and the benchmarks. Hidden folders and run-time output too.
NOT_SOURCE = {"venv", "tests", "migrations", "bench", "var", "test-artifacts", "node_modules"}
MAX_LINES = 400
SOURCE_SUFFIXES = {".py", ".html", ".css", ".js", ".sh"}
WORKFLOW_MAY_NOT_IMPORT = ("cases", "api", "app", "forms", "tasks")
CORE_MAY_NOT_IMPORT = ("workflow", "cases", "api", "app", "forms", "tasks")
FORMS_MAY_NOT_IMPORT = ("cases", "api", "app", "tasks")
PRIVATE_ENGINE_NAMES = re.compile(r"_act\b|_replay\b")  # grep -rn "_act\b\|_replay\b"


def _walk(skip: set[str]):
    """Every file below ROOT, except in hidden folders, ``__pycache__`` and the top-level folders of ``skip``."""
    for folder, dirs, files in os.walk(ROOT):
        top = Path(folder) == ROOT
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__" and not (top and d in skip))
        for name in sorted(files):
            yield Path(folder) / name


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@dataclasses.dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported name, absolute: a project module, or anything else (flask, flask_babel.x)
    line: int
    type_checking: bool

    def where(self) -> str:
        return f"{MODULES[self.source].relative_to(ROOT)}:{self.line}"


MODULES: dict[str, Path] = {_module_name(p): p for p in _walk(NOT_SOURCE) if p.suffix == ".py"}


def _project_module(name: str) -> str | None:
    """The project module ``name`` names, or the module holding it (``a.b.attr`` -> ``a.b``)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports_of(module: str) -> list[Import]:
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[Import] = []

    def visit(node: ast.AST, type_checking: bool) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append(Import(module, alias.name, node.lineno, type_checking))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".") if package else []
                base_parts = base_parts[:len(base_parts) - (node.level - 1)] if node.level > 1 else base_parts
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                # ``from pkg import sub`` imports the module pkg.sub when there is one, else a name of pkg.
                candidate = f"{base}.{alias.name}" if alias.name != "*" else base
                found.append(Import(module, candidate if candidate in MODULES else base, node.lineno, type_checking))
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, True)
            for child in node.orelse:
                visit(child, type_checking)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, type_checking)

    visit(tree, False)
    return found


IMPORTS: list[Import] = [imp for module in sorted(MODULES) for imp in _imports_of(module)]


def _graph() -> dict[str, dict[str, Import]]:
    """module -> {imported project module: the first import that makes the edge}, run-time imports only."""
    graph: dict[str, dict[str, Import]] = defaultdict(dict)
    for imp in IMPORTS:
        target = _project_module(imp.target)
        if target is None or target == imp.source or imp.type_checking:
            continue
        graph[imp.source].setdefault(target, imp)
    return graph


def _strongly_connected(graph: dict[str, dict[str, Import]]) -> list[list[str]]:
    """Tarjan's algorithm (iterative): the groups of modules that import one another."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0
    for root in sorted(MODULES):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, {}))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, {})))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))
    return groups


def _shortest_cycle(graph: dict[str, dict[str, Import]], group: list[str]) -> list[str]:
    """A shortest way from the group's first module back to itself, through the group."""
    start, members = group[0], set(group)
    previous: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(graph.get(node, {})):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [*reversed(path), start]
            if child in members and child not in previous:
                previous[child] = node
                queue.append(child)
    raise AssertionError(f"no cycle through {start}")  # cannot happen in a strongly connected group


def _describe_cycle(graph: dict[str, dict[str, Import]], cycle: list[str]) -> str:
    steps = [f"{a} -> {b} ({graph[a][b].where()})" for a, b in zip(cycle, cycle[1:])]
    return " ; ".join(steps)


def test_architecture__the_walk_sees_the_whole_project():
    tops = {name.split(".")[0] for name in MODULES}
    assert {"app", "api", "cases", "core", "forms", "tasks", "workflow", "config", "wsgi"} <= tops
    assert not tops & {"tests", "migrations", "bench"}
    assert len(IMPORTS) > 200
    # A relative import (``from .extensions import ...``) and one inside create_app
    # (``from tasks import celery_init_app``) both resolve to project modules.
    assert {"app.extensions", "tasks"} <= set(_graph()["app"])


def test_architecture__no_import_cycle_among_project_modules():
    graph = _graph()
    groups = _strongly_connected(graph)
    report = [f"{len(group)} modules import one another: {', '.join(group)}\n"
              f"    e.g. {_describe_cycle(graph, _shortest_cycle(graph, group))}" for group in groups]
    assert not report, "import cycles:\n" + "\n".join(report)


def test_architecture__workflow_imports_neither_flask_nor_the_layers_above():
    bad = []
    for imp in IMPORTS:
        if imp.source != "workflow" and not imp.source.startswith("workflow."):
            continue
        top = imp.target.split(".")[0]
        if top == "flask" or top.startswith("flask_") or top in WORKFLOW_MAY_NOT_IMPORT:
            bad.append(f"{imp.where()}: {imp.source} imports {imp.target}")
    assert not bad, ("workflow/ must not depend on Flask or on cases/, api/, app/, forms/, tasks/:\n"
                     + "\n".join(dict.fromkeys(bad)))


def _imports_above(layer: str, forbidden: tuple[str, ...]) -> list[str]:
    return list(dict.fromkeys(
        f"{imp.where()}: {imp.source} imports {imp.target}" for imp in IMPORTS
        if (imp.source == layer or imp.source.startswith(layer + ".")) and imp.target.split(".")[0] in forbidden))


def test_architecture__core_imports_nothing_above_it():
    bad = _imports_above("core", CORE_MAY_NOT_IMPORT)
    assert not bad, "core/ is the bottom layer; it may not import " + ", ".join(CORE_MAY_NOT_IMPORT) + ":\n" + \
        "\n".join(bad)


def test_architecture__forms_import_only_core_and_workflow():
    bad = _imports_above("forms", FORMS_MAY_NOT_IMPORT)
    assert not bad, "forms/ may import core/ and workflow/ only:\n" + "\n".join(bad)


def test_architecture__case_types_do_not_import_one_another():
    types = sorted(name.split(".")[1] for name, path in MODULES.items()
                   if name.count(".") == 1 and name.startswith("cases.") and path.name == "__init__.py")
    assert types, "no case type packages found under cases/"
    bad = []
    for imp in IMPORTS:
        parts = imp.source.split(".")
        if len(parts) < 2 or parts[0] != "cases" or parts[1] not in types:
            continue
        target = imp.target.split(".")
        if len(target) >= 2 and target[0] == "cases" and target[1] in types and target[1] != parts[1]:
            bad.append(f"{imp.where()}: {imp.source} imports {imp.target}")
    assert not bad, f"a case type ({', '.join(types)}) imports another one:\n" + "\n".join(dict.fromkeys(bad))


def _is_source(path: Path) -> bool:
    if path.suffix in SOURCE_SUFFIXES:
        return True
    with path.open("rb") as fh:
        return fh.read(2) == b"#!"  # a script without a suffix (scripts/run, scripts/test, ...)


def test_architecture__no_source_file_is_over_400_lines():
    long = []
    for path in _walk(NOT_SOURCE | {"translations", "docs"}):
        if _is_source(path):
            lines = len(path.read_text(encoding="utf-8", errors="replace").splitlines())
            if lines > MAX_LINES:
                long.append(f"{path.relative_to(ROOT)}: {lines} lines")
    assert not long, f"source files over {MAX_LINES} lines:\n" + "\n".join(long)


def test_architecture__private_engine_steps_are_not_called_outside_workflow():
    skip = {"venv", "tests", "workflow", "var", "node_modules"}
    bad = []
    for path in _walk(skip):
        if path.suffix != ".py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if PRIVATE_ENGINE_NAMES.search(line):
                bad.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not bad, "a private engine name (_act, _replay) outside workflow/:\n" + "\n".join(bad)
