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


def test_the_web_processes_share_an_empty_metrics_directory_at_each_start():
    """/metrics sums the latencies of both uvicorn workers through files in
    PROMETHEUS_MULTIPROC_DIR; a tmpfs starts empty with every container."""
    web = services()["web"]
    assert web["environment"]["PROMETHEUS_MULTIPROC_DIR"] in web["tmpfs"]
    assert "METRICS_TOKEN" in web["environment"]
    script = (COMPOSE_FILE.parent / "scripts" / "run-platform.sh").read_text()
    assert 'rm -rf "$PROMETHEUS_MULTIPROC_DIR"' in script


def _served_queues(commands: list[list[str]]) -> set[str]:
    served = set()
    for command in commands:
        if "worker" in command and "-Q" in command:
            served.update(command[command.index("-Q") + 1].split(","))
    return served


def test_every_queue_has_workers_of_its_own_in_compose_and_make_run():
    from django.conf import settings

    procfile = (COMPOSE_FILE.parent / "Procfile.dev").read_text().splitlines()
    in_make_run = [line.partition(":")[2].split() for line in procfile if line]
    in_compose = [
        service["command"]
        for service in services().values()
        if isinstance(service.get("command"), list)
    ]
    for commands in (in_make_run, in_compose):
        assert _served_queues(commands) == set(settings.WORKER_QUEUES)
        # No worker without -Q: it would serve the default queue only, silently.
        workers = [c for c in commands if "worker" in c and "celery" in c]
        assert all("-Q" in c for c in workers)


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("performile.tasks.outbox_deliver", "notifications"),
        ("messaging.tasks.messages_send_digests", "notifications"),
        ("shipments.tasks.shipments_poll_batch", "polling"),
        ("shipments.tasks.shipment_track", "polling"),
        ("shipments.tasks.bulk_booking_run", "bookings"),
        ("shipments.tasks.bulk_bookings_sweep", "celery"),
        ("shipments.tasks.bookings_reconcile", "bookings"),
        ("invoices.tasks.invoices_render_pdf", "documents"),
        ("orders.tasks.store_reconcile", "celery"),
    ],
)
def test_each_kind_of_work_goes_to_its_queue(task, queue):
    from performile.celery import app

    route = app.amqp.router.route({}, task)
    assert route["queue"].name == queue


def test_the_platform_connects_as_the_application_role_and_migrate_as_the_owner():
    """docs/configuration.md, "Database roles": dbroles makes the roles as the
    superuser, migrate runs as the owner, everything else as the application."""
    defined = services()
    platform = {
        name: service["environment"]
        for name, service in defined.items()
        if service.get("image") == "performile:latest"
    }
    assert {"dbroles", "migrate", "web", "applier", "worker", "beat"} <= set(platform)
    for name, environment in platform.items():
        user = environment["DATABASE_URL"].split("://")[1].split(":")[0]
        assert user == ("performile_owner" if name == "migrate" else "performile_app")
        assert ("DATABASE_ADMIN_URL" in environment) == (name == "dbroles"), name
    assert (
        defined["migrate"]["depends_on"]["dbroles"]["condition"]
        == "service_completed_successfully"
    )
    assert (
        platform["dbroles"]["DATABASE_OWNER_URL"]
        == (platform["migrate"]["DATABASE_URL"])
    )


def test_every_process_waits_for_the_roles_and_the_schema():
    """dbroles, then migrate, then the platform: a worker or beat started before
    would connect as a role that does not exist yet, to tables that do not."""
    defined = services()
    completed = {"condition": "service_completed_successfully"}
    assert defined["dbroles"]["depends_on"] == {
        "postgres": {"condition": "service_healthy"}
    }
    assert defined["migrate"]["depends_on"]["dbroles"] == completed
    for name, service in defined.items():
        if service.get("image") == "performile:latest" and name not in (
            "dbroles",
            "migrate",
        ):
            assert service["depends_on"]["migrate"] == completed, name
