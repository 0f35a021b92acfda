"""The apps import in one direction only, and no module of an app comes back to itself through its imports.

docs/architecture.md draws the layers: core at the bottom, then accounts → catalog → events → matchmaking →
reports, with ocop_portal (settings, the URL root) on top. These tests read every module's imports (at module
level and inside functions) and fail on an arrow that runs back up.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Bottom to top: each may import those before it, never those after it.
LAYERS = ("core", "accounts", "catalog", "events", "matchmaking", "reports", "ocop_portal")


def _modules(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, *, modules=()) -> set[str]:
    """The absolute module names `path` imports: for `from a import b`, `a.b` when it is one of `modules`, else `a`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                names.add(submodule if submodule in modules else node.module)
    return names


def test_each_app_imports_only_the_layers_below_it():
    upward = []
    for position, app in enumerate(LAYERS):
        above = set(LAYERS[position + 1 :])
        for path in _modules(app):
            for name in _imports(path):
                if name.split(".")[0] in above:
                    upward.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not upward, "\n".join(upward)


def test_no_module_comes_back_to_itself_through_its_imports():
    """No circle (a imports b, b imports a), not even through an import inside a function, which only hides it."""
    modules = {_module_name(path): path for app in LAYERS for path in _modules(app)}
    graph = {
        name: {other for other in _imports(path, modules=modules) if other in modules} - {name}
        for name, path in modules.items()
    }
    circles = []
    for start in sorted(graph):
        # Depth-first from each module: a path back to it is a circle.
        stack, seen = [(start, (start,))], set()
        while stack:
            current, trail = stack.pop()
            for following in sorted(graph[current]):
                if following == start and len(trail) > 1:
                    circles.append(" → ".join((*trail, start)))
                elif following not in seen and following > start:
                    seen.add(following)
                    stack.append((following, (*trail, following)))
    assert not circles, "\n".join(circles)
