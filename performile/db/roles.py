"""The database roles: an owner that migrates, an application that reads and writes.

    python -m performile.db.roles

reads DATABASE_ADMIN_URL (a superuser), DATABASE_OWNER_URL and DATABASE_URL (the
application's) and makes the database fit them; the roles' names, passwords and
the database come from those URLs. Run it before every migrate: it is idempotent,
cheap, and safe to run from several processes at once.

- The owner role (LOGIN, nothing more) owns the database, its public schema and
  everything in it but extensions: a database made before the roles existed, whose
  tables, sequences and functions the superuser owns, is handed over. Migrations
  run as the owner.
- The application role (LOGIN, NOSUPERUSER, NOCREATEDB, NOCREATEROLE, NOREPLICATION,
  NOBYPASSRLS) may SELECT, INSERT, UPDATE and DELETE rows of the tables and use the
  sequences, and gets the same on whatever the owner creates later (default
  privileges). It may not create, alter or drop anything, TRUNCATE, reference or
  add triggers, nor disable one (only a table's owner may), nor
  `SET session_replication_role` (superuser only): the immutability triggers hold
  against whatever SQL it runs. It sees the running transaction ids of every role
  in pg_stat_activity, as any role does (orders.feed), but not their statements.
"""

import os
import sys
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import psycopg
from psycopg import sql

OWNER = "performile_owner"
APP = "performile_app"
ROLE_ATTRIBUTES = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
SEQUENCE_PRIVILEGES = "USAGE, SELECT"


@dataclass(frozen=True)
class Role:
    name: str
    password: str | None = None


def provision(admin: str, *, database: str, owner: Role, app: Role) -> None:
    """Create or correct `owner` and `app`, and hand `database` over to them, on
    the server `admin` (a libpq connection string or URL of a superuser)."""
    with psycopg.connect(admin, dbname=database) as conn:
        provision_in(conn, database=database, owner=owner, app=app)


def provision_in(conn, *, database: str, owner: Role, app: Role) -> None:
    """`provision` in the transaction of `conn`, a superuser's connection to
    `database`: done when it commits."""
    # Roles are the server's, shared by its databases: two runs at once (two
    # containers starting, two test workers each in its database) would change the
    # same catalog rows, and the second would fail. A lock on that catalog is the
    # server's own (an advisory lock is one database's); this mode conflicts only
    # with itself and VACUUM, so logins and other role changes go on meanwhile.
    conn.execute("LOCK TABLE pg_catalog.pg_authid IN SHARE UPDATE EXCLUSIVE MODE")
    _roles(conn, owner, app)
    _database(conn, database, owner.name, app.name)


def provision_from_urls(admin_url: str, owner_url: str, app_url: str) -> None:
    owner, database = role_from_url(owner_url)
    app, app_database = role_from_url(app_url)
    if database != app_database:
        raise ValueError(
            f"The owner's URL names database {database!r}, the application's"
            f" {app_database!r}."
        )
    if owner.name == app.name:
        raise ValueError(f"The owner and the application are one role: {app.name!r}.")
    provision(libpq_url(admin_url), database=database, owner=owner, app=app)


def trusted_urls(admin_url: str) -> dict[str, str]:
    """The environment of the roles on the server and database of `admin_url` (a
    superuser's) that trusts local connections: the same URL, other users, no
    passwords (the dev stack's)."""
    return {
        "DATABASE_ADMIN_URL": admin_url,
        "DATABASE_OWNER_URL": url_as(admin_url, OWNER),
        "DATABASE_URL": url_as(admin_url, APP),
    }


def role_from_url(url: str) -> tuple[Role, str]:
    """The role (user and password) and the database of a postgres:// URL."""
    parts = urlsplit(url)
    if not parts.username:
        raise ValueError(f"No user in the database URL {parts.scheme}://…")
    password = unquote(parts.password) if parts.password else None
    return Role(unquote(parts.username), password), unquote(parts.path.lstrip("/"))


def url_as(url: str, user: str, password: str | None = None) -> str:
    """`url` with another user (and password, or none)."""
    parts = urlsplit(url)
    login = quote(user, safe="")
    if password is not None:
        login += ":" + quote(password, safe="")
    return urlunsplit(
        parts._replace(netloc=f"{login}@{parts.netloc.rpartition('@')[2]}")
    )


def libpq_url(url: str) -> str:
    """libpq knows postgresql:// and postgres://, not Django's other schemes."""
    scheme, rest = url.split("://", 1)
    return f"postgresql://{rest}" if scheme.startswith("postgres") else url


def _roles(conn, owner: Role, app: Role) -> None:
    for role in (owner, app):
        _role(conn, role)
    # Neither inherits the other's rights, nor reads every role's statements (an
    # earlier version made the application a member of pg_read_all_stats).
    for group, member in (
        (owner.name, app.name),
        (app.name, owner.name),
        ("pg_read_all_stats", app.name),
    ):
        _not_member(conn, group, member)


def _role(conn, role: Role) -> None:
    exists = conn.execute(
        "SELECT 1 FROM pg_roles WHERE rolname = %s", [role.name]
    ).fetchone()
    statement = sql.SQL("ALTER ROLE {} " if exists else "CREATE ROLE {} ").format(
        sql.Identifier(role.name)
    ) + sql.SQL(ROLE_ATTRIBUTES)
    if role.password is not None:
        # Its SCRAM verifier, made here: a statement's text may be logged, and
        # pg_stat_statements keeps it for monitoring roles; a verifier does not
        # sign in.
        verifier = conn.pgconn.encrypt_password(
            role.password.encode(), role.name.encode(), b"scram-sha-256"
        )
        statement += sql.SQL(" PASSWORD {}").format(sql.Literal(verifier.decode()))
    conn.execute(statement)


def _not_member(conn, group: str, role: str) -> None:
    if conn.execute(
        "SELECT 1 FROM pg_auth_members"
        " WHERE roleid = to_regrole(%s) AND member = to_regrole(%s)",
        [group, role],
    ).fetchone():
        conn.execute(
            sql.SQL("REVOKE {} FROM {}").format(
                sql.Identifier(group), sql.Identifier(role)
            )
        )


# What migrations made in the public schema (tables, sequences, functions) that the
# owner does not own yet, with the ALTER … OWNER TO each takes. Not what belongs to
# an extension (its owner stays), nor sequences of a table's column (they follow
# their table).
NOT_OWNED = """
SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, c.oid::regclass::text
FROM pg_class c
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'S')
  AND c.relowner <> to_regrole(%(owner)s)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = c.oid AND d.deptype IN ('e', 'a', 'i'))
UNION ALL
SELECT 'FUNCTION', p.oid::regprocedure::text FROM pg_proc p
WHERE p.pronamespace = 'public'::regnamespace AND p.prokind = 'f'
  AND p.proowner <> to_regrole(%(owner)s)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                  AND d.objid = p.oid AND d.deptype = 'e')
"""


def _database(conn, database: str, owner: str, app: str) -> None:
    owner_id, app_id, db = (
        sql.Identifier(owner),
        sql.Identifier(app),
        sql.Identifier(database),
    )
    conn.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(db, owner_id))
    conn.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(owner_id))
    for kind, name in conn.execute(NOT_OWNED, {"owner": owner}).fetchall():
        conn.execute(
            sql.SQL("ALTER {} {} OWNER TO {}").format(
                sql.SQL(kind), sql.SQL(name), owner_id
            )
        )
    for statement in (
        # Before PostgreSQL 15 everyone could create in the public schema.
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        "GRANT CONNECT ON DATABASE {db} TO {app}",
        "GRANT USAGE ON SCHEMA public TO {app}",
        # Exactly these rights, whatever was granted before.
        "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {app}",
        "REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {app}",
        f"GRANT {TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA public TO {{app}}",
        f"GRANT {SEQUENCE_PRIVILEGES} ON ALL SEQUENCES IN SCHEMA public TO {{app}}",
        # What the owner's migrations create from now on.
        "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public"
        " REVOKE ALL ON TABLES FROM {app}",
        "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public"
        " REVOKE ALL ON SEQUENCES FROM {app}",
        "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public"
        f" GRANT {TABLE_PRIVILEGES} ON TABLES TO {{app}}",
        "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public"
        f" GRANT {SEQUENCE_PRIVILEGES} ON SEQUENCES TO {{app}}",
    ):
        conn.execute(sql.SQL(statement).format(db=db, owner=owner_id, app=app_id))


def main() -> int:
    names = ("DATABASE_ADMIN_URL", "DATABASE_OWNER_URL", "DATABASE_URL")
    if missing := [name for name in names if not os.environ.get(name)]:
        sys.exit(f"roles: {', '.join(missing)} not set")
    admin_url, owner_url, app_url = (os.environ[name] for name in names)
    provision_from_urls(admin_url, owner_url, app_url)
    (owner, database), (app, _) = role_from_url(owner_url), role_from_url(app_url)
    sys.stderr.write(
        f"roles: {database} is owned by {owner.name}; {app.name} reads and writes\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
