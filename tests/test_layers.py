"""The layout is the design: imports only point down the layers, and no module imports itself back.

Every ``import responder...`` counts, also the lazy ones inside functions, so a cycle cannot hide
behind a function-level import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "responder"

# Which parts each part may import (besides itself). Ground floor: labels, names, config, errors,
# protocols.
GROUND = {"ground"}
ALLOWED: dict[str, set[str]] = {
    "ground": set(),
    "triage": GROUND,
    "model": GROUND,
    "storage": GROUND,
    "advice": GROUND | {"triage"},
    "batch": GROUND | {"triage", "model", "advice"},
    "assistant": GROUND | {"triage", "model", "advice", "batch", "storage"},
    "queue": GROUND | {"triage", "storage", "assistant"},
    "monitor": GROUND | {"advice", "batch", "storage"},
    "api": GROUND | {"triage", "advice", "storage", "assistant", "queue", "monitor"},
    "cli": GROUND
    | {"triage", "model", "advice", "batch", "storage", "assistant", "api", "queue", "monitor"},
}


def part_of(module: str) -> str:
    """``responder.model.trainer`` → ``model``; the ground-floor modules → ``ground``."""
    names = module.split(".")
    if len(names) == 1:
        return "ground"
    top = names[1]
    if top in ("labels", "names", "config", "errors", "protocols"):
        return "ground"
    return top


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every responder module this file imports, at any depth of the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("responder"))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("responder"):
            module = str(node.module)
            found.add(module)
            # `from responder.model import precision` imports a module, not a name
            found.update(
                f"{module}.{a.name}" for a in node.names if f"{module}.{a.name}" in MODULES
            )
    return found


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}
GRAPH = {name: imports_of(path) - {name} for name, path in MODULES.items()}


def test_every_module_belongs_to_a_known_part() -> None:
    unknown = {m for m in MODULES if part_of(m) not in ALLOWED}
    assert not unknown, f"modules outside the layout: {sorted(unknown)}"


def test_no_import_points_up_or_sideways() -> None:
    wrong = [
        f"{src} → {dst}"
        for src, targets in GRAPH.items()
        for dst in targets
        if part_of(dst) != part_of(src) and part_of(dst) not in ALLOWED[part_of(src)]
    ]
    assert not wrong, "imports against the layers:\n" + "\n".join(sorted(wrong))


def test_no_import_cycle() -> None:
    def visit(node: str, stack: list[str], done: set[str]) -> list[str] | None:
        if node in stack:
            return [*stack[stack.index(node) :], node]
        if node in done:
            return None
        stack.append(node)
        for dst in sorted(GRAPH.get(node, ())):
            if dst in GRAPH and (cycle := visit(dst, stack, done)):
                return cycle
        stack.pop()
        done.add(node)
        return None

    done: set[str] = set()
    for start in sorted(GRAPH):
        cycle = visit(start, [], done)
        assert cycle is None, "import cycle: " + " → ".join(cycle)


@pytest.mark.parametrize("package", ["model", "advice", "batch", "triage"])
def test_core_never_imports_an_adapter(package: str) -> None:
    for name, targets in GRAPH.items():
        if part_of(name) == package:
            assert not {t for t in targets if part_of(t) in ("api", "cli")}, name
