"""The package's layout: imports follow the flow, and no two modules need each other.

The graph is read from the source with `ast`, so it counts every import: at the top,
inside a function, and under `TYPE_CHECKING` (a type is a dependency too).
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "ketacost"

# Cycles that remain, each for a stated reason; any other cycle fails the test.
KNOWN_CYCLES = {
    # The book's plain records load through the cache, or on a miss through the pydantic
    # schema (imported only then, to keep start-up fast), and both build the records.
    frozenset({"ketacost.book.pricebook", "ketacost.book.cache", "ketacost.book.schema"}),
    # A rate book prices claims with the claim engine's split, and the engine and the
    # scenario look prices up in it.
    frozenset({"ketacost.scenario", "ketacost.engine.insurance", "ketacost.rates.apply"}),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Each module of the package and the package modules it imports. The package
    root is left out: it only holds `__version__` and re-exports the API lazily."""
    modules = {_module_name(p): p for p in SRC.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    deps.add(full if full in modules else node.module)
            elif isinstance(node, ast.Import):
                deps.update(alias.name for alias in node.names)
        graph[name] = {d for d in deps if d in modules and d not in (name, "ketacost")}
    graph.pop("ketacost", None)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[frozenset[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [frozenset({"a", "b", "c"})]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_beyond_the_known_ones() -> None:
    graph = import_graph()
    assert graph.get("ketacost.engine.estimate")
    found = set(cycles(graph))
    assert [sorted(c) for c in found - KNOWN_CYCLES] == []
    # A circle that is gone leaves the list, so the list stays true.
    assert [sorted(c) for c in KNOWN_CYCLES - found] == []


def test_the_engine_does_not_import_what_comes_after_it() -> None:
    """estimate -> paying -> whatif -> report -> cli: the engine builds an estimate
    without the money steps, the tips or any renderer; the book knows nothing of it."""
    graph = import_graph()
    later = ("ketacost.whatif", "ketacost.report", "ketacost.cli")
    for name, deps in graph.items():
        if name.startswith("ketacost.book."):
            assert not {d for d in deps if d.startswith(("ketacost.engine", *later))}, name
        if name.startswith("ketacost.engine.") and name != "ketacost.engine.results":
            assert not {d for d in deps if d.startswith(later)}, name
    estimate = graph["ketacost.engine.estimate"]
    assert not {d for d in estimate if d.startswith("ketacost.paying")}
    # The result types name the tips a later step attaches, and nothing else after them.
    assert {d for d in graph["ketacost.engine.results"] if d.startswith(later)} <= {
        "ketacost.whatif.tip"
    }
    assert graph["ketacost.whatif.tip"] <= {
        "ketacost.amounts",
        "ketacost.book.pricebook",
        "ketacost.i18n",
        "ketacost.records",
        "ketacost.scenario",
    }


# The flow as the README draws it: a module may import its own step or an earlier one.
STEPS = {
    "book": 1,
    "planfile": 1,
    "options": 2,
    "config": 2,
    "scenario": 2,
    "engine": 3,
    "paying": 4,
    "whatif": 5,
    "report": 6,
    "cli": 7,
}

# Imports that point forward, each for a stated reason; any other fails the test, and
# one that is gone must leave the list.
FORWARD = {
    # Batch's fast paths answer for `build` followed by the money steps, so they add the
    # pre-tax saving themselves (equality tests hold them to `paying.money.apply`).
    ("ketacost.engine.fastpaths", "ketacost.paying.pretax"),
    ("ketacost.engine.fastclaims", "ketacost.paying.pretax"),
    ("ketacost.engine.fastselfpay", "ketacost.paying.pretax"),
    # The estimate carries the tips a later step attaches; it names their type only.
    ("ketacost.engine.results", "ketacost.whatif.tip"),
    # `--finance 12@9.9` is checked with the other options, by the financing parser.
    ("ketacost.scenario", "ketacost.paying.financing"),
}


def _step(module: str) -> int | None:
    parts = module.split(".")
    return STEPS.get(parts[1]) if len(parts) > 1 else None


def test_imports_follow_the_flow() -> None:
    forward = set()
    for name, deps in import_graph().items():
        here = _step(name)
        for dep in deps:
            there = _step(dep)
            if here is not None and there is not None and there > here:
                forward.add((name, dep))
    assert sorted(forward - FORWARD) == []
    assert sorted(FORWARD - forward) == []


def test_the_readme_draws_every_folder_in_flow_order() -> None:
    readme = (SRC.parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## How it works", 1)[1].split("\n## ", 1)[0]
    folders = sorted(p.parent.name for p in SRC.glob("*/__init__.py"))
    for folder in folders:
        assert f"`{folder}/`" in section, f"README 'How it works' does not name {folder}/"
    drawn = section.split("```", 2)[1].strip()
    order = [s.strip().rstrip("/").removesuffix(".py") for s in drawn.split("→")]
    assert [STEPS[s] for s in order] == sorted(STEPS[s] for s in order)
    assert set(folders) - {"rates"} <= set(order)
