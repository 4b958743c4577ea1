"""The structure the import contracts cannot see: no module of Concilium takes part in an import loop.

import-linter (`make lint`) keeps the layers and forbids loops between siblings; this test looks at single
modules, a package's `__init__` included, and names the modules of every loop it finds.
"""

import re
from pathlib import Path

import grimp


def _loops(graph: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root) & modules)))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    imported = graph.find_modules_directly_imported_by(child) & modules
                    work.append((child, iter(sorted(imported))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
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


def test_no_module_takes_part_in_an_import_loop() -> None:
    graph = grimp.build_graph("concilium")
    modules = {m for m in graph.modules if m == "concilium" or m.startswith("concilium.")}
    assert _loops(graph, modules) == []


def test_the_loop_finder_finds_a_loop() -> None:
    graph = grimp.ImportGraph()
    for name in ("a", "a.x", "a.y", "a.z"):
        graph.add_module(name)
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.x")
    graph.add_import(importer="a.z", imported="a.x")
    assert _loops(graph, {"a", "a.x", "a.y", "a.z"}) == [["a.x", "a.y"]]


def test_every_csv_export_writes_through_the_spreadsheet_safe_module() -> None:
    """No module builds a `csv.writer` or `csv.DictWriter` of its own: core.spreadsheet neutralises formula
    cells for all exports, current and future."""
    root = Path(__file__).resolve().parent.parent / "concilium"
    own_writers = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name != "spreadsheet.py" and re.search(r"csv\.(writer|DictWriter)\(", path.read_text())
    ]
    assert own_writers == []
