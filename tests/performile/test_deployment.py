"""docker-compose.yml describes the production stack and is valid Compose."""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

COMPOSE_FILE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


def services() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())["services"]


@pytest.mark.skipif(
    shutil.which("docker-compose") is None,
    reason="docker-compose is not installed: sudo apt-get install docker-compose",
)
def test_compose_file_is_valid():
    result = subprocess.run(
        ["docker-compose", "-f", str(COMPOSE_FILE), "config", "-q"],
        capture_output=True,
        text=True,
        env={"SECRET_KEY": "x", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_compose_has_the_platform_processes_with_health_checks():
    defined = services()
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(defined)
    for name in ("postgres", "redis", "web", "worker", "beat"):
        assert "healthcheck" in defined[name], name


def test_app_services_wait_for_healthy_datastores():
    defined = services()
    for name in ("worker", "beat", "migrate"):
        depends = defined[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
    assert (
        defined["web"]["depends_on"]["migrate"]["condition"]
        == "service_completed_successfully"
    )
