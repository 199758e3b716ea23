"""The demo is the top of the import order and the sandbox courier stands alone: no
domain app imports either, and the sandbox courier imports nothing of ours (nor
Django), read from the modules' source."""

import ast
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
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
