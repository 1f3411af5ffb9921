"""The layering rules of docs/architecture.md ("Layering rules") as a test.

Every import in ``emulator/`` is read with ``ast``: module-level and function-level
(lazy) imports alike. The rules:

(a) a package imports only from packages ranked below it (``LAYERS``, bottom first);
    packages of the same rank do not import each other; a package imports itself freely;
(b) no import cycle between top-level packages;
(c) no import cycle between the direct children (modules and sub-packages) of
    ``customerid/`` and of ``dfs/``;
(d) the core (everything ranked below the emulated APIs, plus ``serving``) never names
    an emulated API, not even in a string: only ``app`` (the one wiring point) and the
    layers above it may.

Imports under ``if TYPE_CHECKING:`` never run, so they are exempt from the cycle checks
(b, c) only. ``emulator/__init__.py`` and ``emulator/__main__.py`` are the package's face
and are exempt. Each package's ``__init__.py`` states its rule in a docstring ("May import").
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE_DIRECTORY = Path(__file__).resolve().parent.parent / "emulator"

#: The layer order, bottom first: each entry may import only from the entries before it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("formats", "builtin_scenarios"),
    ("store",),
    ("config", "endpoints"),
    ("api",),
    ("world",),
    ("contract",),
    ("server",),
    ("auth", "control"),
    ("customerid", "dfs"),
    ("app", "serving"),
    ("drift", "pact", "testing"),
    ("cli", "pytest_plugin"),
)
RANK = {package: rank for rank, packages in enumerate(LAYERS) for package in packages}
FACE = {"__init__", "__main__"}
EMULATED_APIS = ("customerid", "dfs")
#: The packages whose direct children must not import each other in a cycle.
CYCLE_FREE_INSIDE = EMULATED_APIS
#: Packages that may not name an emulated API: the core and ``serving``.
API_BLIND = {package for package, rank in RANK.items() if rank < RANK["customerid"]} | {"serving"}


@dataclass(frozen=True)
class Import:
    importer: str  # dotted module name, e.g. emulator.customerid.handlers
    target: str  # dotted module name imported (a submodule where one is named)
    path: Path
    line: int
    type_checking_only: bool

    def where(self) -> str:
        return f"{self.path.relative_to(PACKAGE_DIRECTORY.parent)}:{self.line}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIRECTORY.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE_DIRECTORY.rglob("*.py"))}


MODULES = all_modules()


def is_type_checking_test(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def nodes_with_type_checking(tree: ast.AST) -> list[tuple[ast.AST, bool]]:
    """Every node of ``tree`` with whether it sits in the body of ``if TYPE_CHECKING:``."""
    found: list[tuple[ast.AST, bool]] = []
    pending: list[tuple[ast.AST, bool]] = [(tree, False)]
    while pending:
        node, guarded = pending.pop()
        found.append((node, guarded))
        if isinstance(node, ast.If) and is_type_checking_test(node.test):
            pending.extend((child, True) for child in node.body)
            pending.extend((child, guarded) for child in node.orelse)
            pending.append((node.test, guarded))
        else:
            pending.extend((child, guarded) for child in ast.iter_child_nodes(node))
    return found


def package_of(module: str) -> str:
    """``emulator.world.state`` -> ``emulator.world``."""
    return module.rpartition(".")[0]


def resolve_from(importer: str, path: Path, node: ast.ImportFrom) -> list[str]:
    if node.level:
        base_parts = importer.split(".") if path.name == "__init__.py" else package_of(importer).split(".")
        base_parts = base_parts[: len(base_parts) - (node.level - 1)]
        base = ".".join(base_parts + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    if base != "emulator" and not base.startswith("emulator."):
        return []
    # ``from package import module`` names the module; ``from module import name`` the module.
    return [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]


def imports_of(module: str, path: Path) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node, guarded in nodes_with_type_checking(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names if alias.name.split(".")[0] == "emulator"]
        elif isinstance(node, ast.ImportFrom):
            targets = resolve_from(module, path, node)
        else:
            continue
        found.extend(Import(module, target, path, node.lineno, guarded) for target in dict.fromkeys(targets))
    return sorted(found, key=lambda each: (each.line, each.target))


ALL_IMPORTS = [each for module, path in MODULES.items() for each in imports_of(module, path)]


def top_level(module: str) -> str | None:
    """``emulator.customerid.sso.model`` -> ``customerid``; None for the package's face."""
    parts = module.split(".")
    if len(parts) < 2 or parts[1] in FACE:
        return None
    return parts[1]


def child_of(package: str, module: str) -> str | None:
    """The direct child of ``emulator.<package>`` that ``module`` is or is inside."""
    prefix = f"emulator.{package}."
    if not module.startswith(prefix):
        return None
    return module[len(prefix) :].split(".")[0]


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The graph's strongly connected components of more than one node (Tarjan), sorted."""
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = lowest[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(edges.get(node, ())):
            if successor not in index:
                visit(successor)
                lowest[node] = min(lowest[node], lowest[successor])
            elif successor in on_stack:
                lowest[node] = min(lowest[node], index[successor])
        if lowest[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for start in sorted(edges):
        if start not in index:
            visit(start)
    return sorted(components)


def dependency_graph(imports: list[Import], node_of) -> tuple[dict[str, set[str]], dict[tuple[str, str], list[Import]]]:
    """Edges between the nodes ``node_of`` maps modules to (None: not in the graph), with the
    imports behind each edge; ``if TYPE_CHECKING:`` imports never run and make no edge."""
    edges: dict[str, set[str]] = {}
    behind: dict[tuple[str, str], list[Import]] = {}
    for each in imports:
        importer, target = node_of(each.importer), node_of(each.target)
        if each.type_checking_only or importer is None or target is None or importer == target:
            continue
        edges.setdefault(importer, set()).add(target)
        behind.setdefault((importer, target), []).append(each)
    return edges, behind


def shortest_cycle(edges: dict[str, set[str]], component: list[str]) -> list[str]:
    """A shortest closed path through the component's first node, staying inside it."""
    start, inside = component[0], set(component)
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for successor in sorted(edges.get(node, set()) & inside):
                if successor == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [*reversed(path), start]
                if successor not in came_from:
                    came_from[successor] = node
                    following.append(successor)
        frontier = following
    raise AssertionError(f"{component} is not strongly connected")


def cycle_report(edges: dict[str, set[str]], behind: dict[tuple[str, str], list[Import]], rule: str) -> str:
    lines = []
    for component in cycles(edges):
        cycle = shortest_cycle(edges, component)
        lines.append(f"{rule}: {', '.join(component)} import each other, e.g. {' -> '.join(cycle)}:")
        for source, target in zip(cycle, cycle[1:], strict=False):
            first, *others = behind[source, target]
            more = f" (and {len(others)} more)" if others else ""
            lines.append(f"  {first.where()}: {first.importer} imports {first.target}{more}")
    return "\n".join(lines)


def test_the_rank_table_names_every_top_level_package():
    on_disk = {top_level(module) for module in MODULES} - {None}
    assert on_disk == set(RANK), (
        f"rank these in LAYERS (and docs/architecture.md): {sorted(on_disk - set(RANK))}; "
        f"no longer exist: {sorted(set(RANK) - on_disk)}"
    )


def test_no_import_runs_up_or_across_the_layers():
    """Rule (a): an import names only a lower layer (or its own package)."""
    violations = []
    for each in ALL_IMPORTS:
        importer, target = top_level(each.importer), top_level(each.target)
        if importer is None or target is None or importer == target:
            continue
        if RANK[target] > RANK[importer]:
            violations.append(
                f"{each.where()}: {each.importer} imports {each.target}: {importer} "
                f"(layer {RANK[importer]}) may not import {target} (layer {RANK[target]}, above it)"
            )
        elif RANK[target] == RANK[importer]:
            violations.append(
                f"{each.where()}: {each.importer} imports {each.target}: {importer} and "
                f"{target} are siblings (layer {RANK[target]}) and may not import each other"
            )
    assert not violations, "rule (a), layer order:\n" + "\n".join(violations)


def test_no_cycle_between_top_level_packages():
    """Rule (b)."""
    edges, behind = dependency_graph(ALL_IMPORTS, top_level)
    assert not cycles(edges), cycle_report(edges, behind, "rule (b), top-level packages")


@pytest.mark.parametrize("package", CYCLE_FREE_INSIDE)
def test_no_cycle_inside_an_emulated_api(package):
    """Rule (c): each direct child module or sub-package of the API package is one node."""
    edges, behind = dependency_graph(ALL_IMPORTS, lambda module: child_of(package, module))
    assert not cycles(edges), cycle_report(edges, behind, f"rule (c), inside emulator/{package}/")


def names_an_api(text: str) -> bool:
    return any(text == f"emulator.{api}" or text.startswith(f"emulator.{api}.") for api in EMULATED_APIS)


def test_the_core_never_names_an_emulated_api():
    """Rule (d): imports, and strings such as an ``importlib.import_module`` argument."""
    violations = [
        f"{each.where()}: {each.importer} imports {each.target}: "
        f"{top_level(each.importer)} is API-blind; only emulator.app and the layers above it name an API"
        for each in ALL_IMPORTS
        if top_level(each.importer) in API_BLIND and names_an_api(each.target)
    ]
    for module, path in MODULES.items():
        if top_level(module) not in API_BLIND:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and names_an_api(node.value):
                violations.append(
                    f"{path.relative_to(PACKAGE_DIRECTORY.parent)}:{node.lineno}: {module} names "
                    f"{node.value!r}: {top_level(module)} is API-blind; an API is reached through "
                    f"emulator.api.EmulatedApi hooks"
                )
    assert not violations, "rule (d), the core is API-blind:\n" + "\n".join(violations)


@pytest.mark.parametrize("package", sorted(package for package in RANK if (PACKAGE_DIRECTORY / package).is_dir()))
def test_each_package_states_what_it_may_import(package):
    docstring = ast.get_docstring(ast.parse((PACKAGE_DIRECTORY / package / "__init__.py").read_text("utf-8")))
    if "May import" not in (docstring or ""):
        pytest.fail(
            f"emulator/{package}/__init__.py: its docstring must say what the package may import ('May import: ...')"
        )


def test_the_reader_sees_lazy_relative_and_type_checking_imports(tmp_path):
    """The checks are only as good as the reader: a function-level relative import
    resolves to the module it names, and ``if TYPE_CHECKING:`` is told apart."""
    module = tmp_path / "clock.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "import emulator_lookalike\n"
        "from ..store import core\n"
        "if TYPE_CHECKING:\n"
        "    from ..control.routes import setup\n"
        "def later():\n"
        "    from ..customerid import handlers\n"
        "    import emulator.dfs.api\n",
        encoding="utf-8",
    )
    found = [(each.target, each.line, each.type_checking_only) for each in imports_of("emulator.world.clock", module)]
    assert found == [
        ("emulator.store.core", 3, False),
        ("emulator.control.routes", 5, True),
        ("emulator.customerid.handlers", 7, False),
        ("emulator.dfs.api", 8, False),
    ]


def documented_layers() -> tuple[tuple[str, ...], ...]:
    """The rank table of docs/architecture.md's "Layering rules" section."""
    text = (PACKAGE_DIRECTORY.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## Layering rules", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\d+) \| (.*) \|$", section, re.M)
    return tuple(tuple(re.findall(r"`(\w+)`", packages)) for _, packages in rows)


def test_the_documented_layers_are_the_tested_ones():
    assert documented_layers() == LAYERS, "docs/architecture.md (Layering rules) and LAYERS here must agree"
