"""The application's database role reads and writes rows and nothing more: it cannot
switch the immutability triggers off, nor empty or change a table; the owner role
migrates (performile.db.roles).

The roles are made in this run's test database, as make run's devstack and
docker-compose make them in theirs, and these tests connect as them beside
Django's (superuser) connection. Roles belong to the whole server: test roles of
their own, made by both test workers at once as often as not.
"""

import base64
import hashlib
import hmac
import time
from concurrent.futures import Future, ThreadPoolExecutor
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection
from psycopg import errors, sql
from psycopg.conninfo import make_conninfo

from invoices.models import Invoice, InvoiceLine
from messaging.models import Attachment
from orders.feed import HORIZON_SQL
from performile.db import roles
from performile.models import InboundKey

# For the test database; the tests use connections of their own, as the roles.
pytestmark = pytest.mark.django_db

OWNER = roles.Role("performile_test_owner", "test-owner-password")
# Characters a URL carries percent-encoded (docker-compose's URLs).
APP = roles.Role("performile_test_app", "test-app-p@ss:w/rd%")

INVOICES = Invoice._meta.db_table
LINES = InvoiceLine._meta.db_table
ATTACHMENTS = Attachment._meta.db_table
KEYS = InboundKey._meta.db_table
WAIT = 30


def conninfo(settings: dict, role: roles.Role | None = None) -> str:
    user, password = (role.name, role.password) if role else ("", "")
    return make_conninfo(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        dbname=settings["NAME"],
        user=user or settings["USER"],
        password=password or settings["PASSWORD"] or None,
    )


@pytest.fixture(scope="module")
def database(django_db_setup):
    """This worker's test database, handed over to the test roles: migrated by
    the superuser, like a database made before the roles were."""
    settings = connection.settings_dict
    assert settings["NAME"].startswith("test_"), settings["NAME"]
    for _ in range(2):  # the second time finds it done
        roles.provision(
            conninfo(settings), database=settings["NAME"], owner=OWNER, app=APP
        )
    return settings


def connect(database, role: roles.Role) -> psycopg.Connection:
    return psycopg.connect(conninfo(database, role))


def test_the_roles_are_what_they_should_be(database):
    with connect(database, APP) as conn:
        attributes = conn.execute(
            "SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication,"
            " rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        assert attributes == (False, False, False, False, False, True)
        # Not the owner's rights, nor every role's statements in pg_stat_activity
        # and pg_stat_statements.
        memberships = conn.execute(
            "SELECT pg_has_role(current_user, 'pg_read_all_stats', 'MEMBER'),"
            " pg_has_role(current_user, %s, 'MEMBER')",
            [OWNER.name],
        ).fetchone()
        assert memberships == (False, False)
        # Handed over: the test database was migrated by the superuser.
        owners = conn.execute(
            "SELECT DISTINCT relowner::regrole::text FROM pg_class"
            " WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'S')"
            " UNION SELECT DISTINCT proowner::regrole::text FROM pg_proc p"
            " WHERE pronamespace = 'public'::regnamespace AND NOT EXISTS ("
            "  SELECT 1 FROM pg_depend WHERE objid = p.oid AND deptype = 'e')"
        ).fetchall()
        assert owners == [(OWNER.name,)]


def test_a_run_takes_back_memberships_the_application_should_not_have(database):
    """The owner's rights, or every role's statements (pg_read_all_stats, which an
    earlier version granted), granted by hand or before."""
    with psycopg.connect(conninfo(database)) as conn:
        for group in (OWNER.name, "pg_read_all_stats"):
            conn.execute(
                sql.SQL("GRANT {} TO {}").format(
                    sql.Identifier(group), sql.Identifier(APP.name)
                )
            )
        roles.provision_in(conn, database=database["NAME"], owner=OWNER, app=APP)
        groups = conn.execute(
            "SELECT roleid::regrole::text FROM pg_auth_members"
            " WHERE member = to_regrole(%s)",
            [APP.name],
        ).fetchall()
        assert groups == []


def test_the_application_reads_writes_and_takes_numbers(database):
    with connect(database, APP) as conn:
        conn.execute(f"SELECT count(*) FROM {INVOICES}")
        key = conn.execute(
            f"INSERT INTO {KEYS} (provider, key) VALUES ('test', 'k1') RETURNING id"
        ).fetchone()[0]
        conn.execute(f"UPDATE {KEYS} SET key = 'k2' WHERE id = %s", [key])
        conn.execute(f"DELETE FROM {KEYS} WHERE id = %s", [key])
        conn.execute("SELECT nextval('performile_inbound_seq')")
        conn.rollback()


def test_the_change_feed_waits_for_a_transaction_of_the_owners(database):
    """The application role sees the owner's running transaction (a data
    migration) in pg_stat_activity, as PostgreSQL shows any role every session's
    transaction id (not its statement), so the change feed hands out nothing at or
    after it until it ends."""
    with connect(database, OWNER) as owner, connect(database, APP) as app:
        (running,) = owner.execute(
            "SELECT pg_current_xact_id()::text::bigint"
        ).fetchone()
        (horizon,) = app.execute(HORIZON_SQL).fetchone()
        assert horizon <= running
        owner.rollback()


REFUSED = {
    "disable-all-triggers": f"ALTER TABLE {INVOICES} DISABLE TRIGGER ALL",
    "disable-trigger": f"ALTER TABLE {INVOICES} DISABLE TRIGGER {INVOICES}_immutable",
    "disable-line-trigger": f"ALTER TABLE {LINES} DISABLE TRIGGER {LINES}_insert",
    "disable-attachment-trigger": (
        f"ALTER TABLE {ATTACHMENTS} DISABLE TRIGGER messaging_attachment_immutable"
    ),
    "drop-trigger": f"DROP TRIGGER {INVOICES}_immutable ON {INVOICES}",
    "replace-trigger-function": (
        "CREATE OR REPLACE FUNCTION invoices_immutable() RETURNS trigger"
        " LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$"
    ),
    "create-trigger": (
        f"CREATE TRIGGER probe BEFORE INSERT ON {LINES}"
        " FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()"
    ),
    "replica-mode": "SET session_replication_role = replica",
    "truncate": f"TRUNCATE {INVOICES} CASCADE",
    "alter-table": f"ALTER TABLE {INVOICES} ADD COLUMN probe integer",
    "drop-table": f"DROP TABLE {ATTACHMENTS}",
    "create-table": "CREATE TABLE probe (id integer)",
}


@pytest.mark.parametrize("statement", REFUSED.values(), ids=REFUSED.keys())
def test_the_application_cannot_change_the_schema_or_its_triggers(database, statement):
    with (
        connect(database, APP) as conn,
        pytest.raises(errors.InsufficientPrivilege),
    ):
        conn.execute(statement)


def test_the_owner_migrates_and_the_application_may_use_what_it_creates(database):
    with connect(database, OWNER) as conn:
        conn.execute(f"ALTER TABLE {INVOICES} ADD COLUMN probe integer")
        conn.execute(f"ALTER TABLE {INVOICES} DISABLE TRIGGER {INVOICES}_immutable")
        conn.rollback()
        conn.execute(
            "CREATE TABLE roles_probe"
            " (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, note text)"
        )
        conn.commit()
    try:
        with connect(database, APP) as conn:
            conn.execute("INSERT INTO roles_probe (note) VALUES ('new')")
            assert conn.execute("SELECT note FROM roles_probe").fetchall() == [("new",)]
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute("TRUNCATE roles_probe")
    finally:
        with connect(database, OWNER) as conn:
            conn.execute("DROP TABLE roles_probe")


def test_passwords_reach_the_server_only_as_scram_verifiers(database, tmp_path):
    """What a run sends holds no password: statements are shown to the application
    role (pg_read_all_stats) in pg_stat_activity and pg_stat_statements, and may be
    logged. The verifier the server keeps is the password's."""
    trace = tmp_path / "libpq-trace"
    with psycopg.connect(conninfo(database)) as conn, trace.open("w") as out:
        conn.pgconn.trace(out.fileno())
        roles.provision_in(conn, database=database["NAME"], owner=OWNER, app=APP)
        conn.pgconn.untrace()
    sent = trace.read_text()
    assert "SCRAM-SHA-256$" in sent
    assert OWNER.password not in sent
    assert APP.password not in sent
    with psycopg.connect(conninfo(database)) as conn:
        for role in (OWNER, APP):
            (verifier,) = conn.execute(
                "SELECT rolpassword FROM pg_authid WHERE rolname = %s", [role.name]
            ).fetchone()
            assert scram_verifier_of(verifier, role.password)


def scram_verifier_of(verifier: str, password: str) -> bool:
    """Whether `verifier` (SCRAM-SHA-256$iterations:salt$StoredKey:ServerKey, RFC
    5803, as pg_authid keeps it) was made from `password`."""
    method, iterations_salt, keys = verifier.split("$")
    iterations, salt = iterations_salt.split(":")
    salted = hashlib.pbkdf2_hmac(
        "sha256", password.encode(), base64.b64decode(salt), int(iterations)
    )
    client_key = hmac.digest(salted, b"Client Key", "sha256")
    server_key = hmac.digest(salted, b"Server Key", "sha256")
    expected = [hashlib.sha256(client_key).digest(), server_key]
    return (
        method == "SCRAM-SHA-256"
        and [base64.b64decode(key) for key in keys.split(":")] == expected
    )


def test_the_command_takes_roles_passwords_and_database_from_the_urls(
    database, monkeypatch
):
    """`python -m performile.db.roles`, as docker-compose's dbroles runs it."""
    host = quote(database["HOST"], safe="")
    port = f":{database['PORT']}" if database["PORT"] else ""
    admin_url = f"postgres://{database['USER']}@{host}{port}/{database['NAME']}"
    monkeypatch.setenv("DATABASE_ADMIN_URL", admin_url)
    monkeypatch.setenv(
        "DATABASE_OWNER_URL", roles.url_as(admin_url, OWNER.name, OWNER.password)
    )
    monkeypatch.setenv("DATABASE_URL", roles.url_as(admin_url, APP.name, APP.password))
    assert roles.main() == 0
    with psycopg.connect(conninfo(database)) as conn:
        (verifier,) = conn.execute(
            "SELECT rolpassword FROM pg_authid WHERE rolname = %s", [APP.name]
        ).fetchone()
    assert scram_verifier_of(verifier, APP.password)


def test_a_run_meeting_another_waits_for_it_and_succeeds(database):
    """Two runs at once (two containers starting, two test workers) both succeed:
    the second waits for the first to commit instead of failing on the catalog
    rows it changes."""
    name = f"roles-second-run-{database['NAME']}"
    second_conninfo = make_conninfo(conninfo(database), application_name=name)
    with (
        psycopg.connect(conninfo(database)) as first,
        ThreadPoolExecutor(max_workers=1) as pool,
    ):
        roles.provision_in(first, database=database["NAME"], owner=OWNER, app=APP)
        second = pool.submit(
            roles.provision,
            second_conninfo,
            database=database["NAME"],
            owner=OWNER,
            app=APP,
        )
        assert waits_for_a_lock(database, name, second)
        first.commit()
        second.result(timeout=WAIT)


def waits_for_a_lock(database, application_name: str, run: Future) -> bool:
    """Whether the session `application_name` comes to wait for a lock while `run`
    is still running."""
    with psycopg.connect(conninfo(database), autocommit=True) as conn:
        deadline = time.monotonic() + WAIT
        while not run.done() and time.monotonic() < deadline:
            if conn.execute(
                "SELECT 1 FROM pg_stat_activity"
                " WHERE application_name = %s AND wait_event_type = 'Lock'",
                [application_name],
            ).fetchone():
                return True
            time.sleep(0.01)
    return False
