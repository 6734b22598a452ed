"""Core has no import circles: the runtime import graph of ``core`` (and ``piccolo_conf.py``) is
acyclic. import-linter's layers contract (``make lint``) keeps the layers; this keeps the suite
failing on a circle too, naming its modules and the lines that tie them.

The graph is read from the source with :mod:`ast`, so nothing is imported. An import counts
wherever it stands, inside a function too (it runs when the function does); only imports under
``if TYPE_CHECKING:`` do not, because they never run. Importing ``a.b.c`` also runs the package
``a.b``'s ``__init__``, so that counts as importing ``a.b`` too, except from inside ``a.b``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.engine_independent

ROOT = Path(__file__).resolve().parents[2]

Graph = dict[str, dict[str, list[int]]]
"""module -> imported module -> line numbers of the imports."""


def modules(root: Path, package: str, extra: tuple[str, ...] = ()) -> dict[str, Path]:
    """Every module of ``package`` (migrations excluded) and the ``extra`` top-level modules."""
    found = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if "piccolo_migrations" in parts:
            continue
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    for name in extra:
        found[name] = root / f"{name}.py"
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def runtime_imports(tree: ast.AST) -> Iterator[tuple[str, str | None, int]]:
    """``(module, name or None, line)`` for each absolute import outside ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                yield from runtime_imports(ast.Module(body=[child], type_ignores=[]))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.module and node.level == 0:
                for alias in node.names:
                    yield node.module, alias.name, node.lineno
        else:
            yield from runtime_imports(node)


def import_graph(found: dict[str, Path]) -> Graph:
    graph: Graph = {name: {} for name in found}
    for name, path in found.items():
        for module, imported, line in runtime_imports(ast.parse(path.read_text(), str(path))):
            targets = []
            if imported and f"{module}.{imported}" in found:
                targets.append(f"{module}.{imported}")  # from package import submodule
            elif module in found:
                targets.append(module)
            parts = module.split(".")
            for i in range(1, len(parts) + 1):
                package = ".".join(parts[:i])
                runs_init = package in found and found[package].name == "__init__.py"
                if runs_init and package != name and not name.startswith(package + "."):
                    targets.append(package)
            for target in dict.fromkeys(targets):
                if target != name:
                    graph[name].setdefault(target, []).append(line)
    return graph


def circles(graph: Graph) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(graph[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(graph[target])))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def describe(graph: Graph, component: list[str]) -> str:
    members = set(component)
    lines = [f"{len(component)} modules import each other: {', '.join(component)}"]
    for name in component:
        for target, at in sorted(graph[name].items()):
            if target in members:
                lines.append(f"  {name} -> {target} (line {', '.join(map(str, sorted(set(at))))})")
    return "\n".join(lines)


def test_core_has_no_import_circles() -> None:
    graph = import_graph(modules(ROOT, "core", extra=("piccolo_conf",)))
    assert "core.archive.services" in graph and graph["core.cli"], "the graph was not read"
    found = circles(graph)
    assert not found, "Import circles in core:\n" + "\n".join(describe(graph, c) for c in found)


def test_a_circle_is_found_and_named(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg import b\n")
    (package / "b.py").write_text("def f():\n    from pkg.sub import c\n")  # inside a function
    (package / "sub" / "__init__.py").write_text("from pkg.sub import c\n")
    (package / "sub" / "c.py").write_text("import pkg.a\n")
    (package / "d.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import e\n"
    )
    (package / "e.py").write_text("from pkg import d\n")  # d -> e only for the type checker

    graph = import_graph(modules(tmp_path, "pkg"))
    found = circles(graph)

    assert found == [["pkg.a", "pkg.b", "pkg.sub", "pkg.sub.c"]]  # b runs pkg.sub's __init__ too
    assert "pkg.b -> pkg.sub.c (line 2)" in describe(graph, found[0])
    assert "pkg.d" in graph["pkg.e"] and "pkg.e" not in graph["pkg.d"]
