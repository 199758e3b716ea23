"""Imports run downward (docs/architecture.md): each app imports only the apps below
it, the demo is the top, and the sandbox courier stands alone (nothing of ours, nor
Django). Read from the modules' source, imports inside functions included."""

import ast
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
# Every app of ours but the demo (a new app is checked too).
DOMAIN = [
    app
    for app in settings.INSTALLED_APPS
    if (ROOT / app / "__init__.py").exists() and app != "demo"
]


def imported(path: Path) -> set[str]:
    """The absolute modules `path` imports, anywhere in it (functions included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def top(module: str) -> str:
    return module.partition(".")[0]


@pytest.mark.parametrize("app", DOMAIN)
def test_no_domain_app_imports_the_demo_or_the_sandbox_courier(app):
    offending = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in sources(app)
        for module in imported(path)
        if top(module) in ("demo", "sandbox_courier")
    ]
    assert sources(app)
    assert offending == []


def test_the_apps_are_found():
    assert {"orders", "shipments", "portal", "privacy"} <= set(DOMAIN)


def test_the_sandbox_courier_needs_only_the_standard_library():
    allowed = set(sys.stdlib_module_names) | {"sandbox_courier", "__future__"}
    offending = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in sources("sandbox_courier")
        for module in imported(path)
        if top(module) not in allowed
    ]
    assert sources("sandbox_courier")
    assert offending == []


# The layers, lowest first; apps on one layer do not import each other.
LAYERS = [
    {"performile"},
    {"orders"},
    {"shipments"},
    {"invoices", "messaging"},
    {"privacy"},
    {"portal"},
    {"workspace"},
    {"demo"},
]
RANK = {app: rank for rank, layer in enumerate(LAYERS) for app in layer}
# The project's wiring names every app without being a layer above them.
WIRING = {
    "performile/settings",
    "performile/urls.py",
    "performile/routing.py",
    "performile/asgi.py",
    "performile/celery.py",
}


def is_wiring(path: Path) -> bool:
    relative = path.relative_to(ROOT).as_posix()
    return any(relative.startswith(prefix) for prefix in WIRING)


def test_every_app_has_a_layer():
    assert set(DOMAIN) | {"demo"} == set(RANK)


@pytest.mark.parametrize("app", sorted(RANK))
def test_an_app_imports_only_the_layers_below_it(app):
    offending = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in sources(app)
        if not is_wiring(path)
        for module in imported(path)
        if top(module) in RANK and top(module) != app and RANK[top(module)] >= RANK[app]
    ]
    assert offending == []


def test_the_reader_sees_imports_across_layers():
    portal_imports = {top(m) for path in sources("portal") for m in imported(path)}
    assert {"orders", "invoices", "messaging", "performile"} <= portal_imports
