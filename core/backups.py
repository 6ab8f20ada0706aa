"""Back up and restore the database and the uploaded media, together.

A backup is one folder, ``backup-YYYYMMDD-HHMMSS``, holding:

- ``database.dump``: PostgreSQL's custom format (``pg_dump -Fc``), or ``database.sqlite3``:
  a consistent copy made with SQLite's backup API;
- ``media.tar``: every file under ``MEDIA_ROOT``;
- ``manifest.json``: when and from what it was made, and the SHA-256 of the database copy
  and of every media file, checked again on restore.

PostgreSQL's own tools do the work (found on ``PATH``); their major version must be at least
the server's (``pg_dump`` refuses a newer server) and, on restore, the dump's.
"""

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

MANIFEST = "manifest.json"
MEDIA_ARCHIVE = "media.tar"
POSTGRESQL_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
FORMAT_VERSION = 1


class BackupError(Exception):
    """A backup or restore that cannot go on; the message tells the operator why."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def media_hashes(root: Path) -> dict[str, str]:
    """Return ``{path relative to root: SHA-256}`` for every file under ``root``."""
    root = Path(root)
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): sha256_of(path)
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


# PostgreSQL ------------------------------------------------------------------------------


@dataclass
class PostgresTarget:
    """Where the PostgreSQL tools connect: the connection's settings, password in the env."""

    name: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""

    @classmethod
    def of(cls, alias: str = "default") -> "PostgresTarget":
        conf = connections[alias].settings_dict
        return cls(
            name=conf["NAME"],
            host=str(conf.get("HOST") or ""),
            port=str(conf.get("PORT") or ""),
            user=str(conf.get("USER") or ""),
            password=str(conf.get("PASSWORD") or ""),
        )

    def arguments(self) -> list[str]:
        args = []
        options = (("--host", self.host), ("--port", self.port), ("--username", self.user))
        for flag, value in options:
            if value:
                args += [flag, value]
        return [*args, "--no-password", "--dbname", self.name]

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env


def postgres_tool(name: str) -> tuple[str, int]:
    """Return the path of ``pg_dump`` or ``pg_restore`` on PATH and its major version."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found on PATH. Install PostgreSQL's client tools "
            "(Debian: apt-get install postgresql-client) of the server's major version or newer."
        )
    # The tool found on PATH, with a fixed argument list (no shell).
    output = subprocess.run(  # noqa: S603
        [path, "--version"], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    if not match:
        raise BackupError(f"Cannot read the version of {path}: {output.strip()!r}")
    return path, int(match.group(1))


def server_major_version(alias: str = "default") -> int:
    connection = connections[alias]
    connection.ensure_connection()
    return connection.pg_version // 10000


def run_tool(command: list[str], target: PostgresTarget) -> None:
    # A PostgreSQL tool with arguments from the settings, as a list: no shell.
    result = subprocess.run(  # noqa: S603
        command, env=target.environment(), capture_output=True, text=True
    )
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


# SQLite ----------------------------------------------------------------------------------


def sqlite_connection(alias: str) -> sqlite3.Connection:
    """Return the raw connection Django uses, so in-memory databases work too."""
    connection = connections[alias]
    connection.ensure_connection()
    return connection.connection


# Backup ----------------------------------------------------------------------------------


def backup(destination: Path, alias: str = "default") -> Path:
    """Write a new backup folder under ``destination`` and return its path."""
    connection = connections[alias]
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {vendor}.")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    folder = Path(destination) / f"backup-{stamp}"
    if folder.exists():
        raise BackupError(f"{folder} already exists; wait a second and run it again.")
    partial = folder.with_name(folder.name + ".partial")
    partial.mkdir(parents=True)
    try:
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "vendor": vendor,
        }
        if vendor == "postgresql":
            pg_dump, tool_major = postgres_tool("pg_dump")
            server_major = server_major_version(alias)
            if tool_major < server_major:
                raise BackupError(
                    f"pg_dump {tool_major} cannot dump a PostgreSQL {server_major} server: "
                    f"install the client tools of version {server_major} or newer."
                )
            target = PostgresTarget.of(alias)
            dump = partial / POSTGRESQL_DUMP
            run_tool([pg_dump, "--format=custom", "--file", str(dump), *target.arguments()], target)
            manifest |= {"database": POSTGRESQL_DUMP, "pg_dump_major": tool_major}
        else:
            dump = partial / SQLITE_COPY
            with sqlite3.connect(dump) as copy:
                sqlite_connection(alias).backup(copy)
            copy.close()
            manifest["database"] = SQLITE_COPY
        manifest["database_sha256"] = sha256_of(dump)

        media_root = Path(settings.MEDIA_ROOT)
        hashes = media_hashes(media_root)
        with tarfile.open(partial / MEDIA_ARCHIVE, "w") as archive:
            for name in hashes:
                archive.add(media_root / name, arcname=name, recursive=False)
        manifest["media"] = hashes
        manifest["media_archive_sha256"] = sha256_of(partial / MEDIA_ARCHIVE)
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    # Only a complete backup carries the final name.
    partial.rename(folder)
    return folder


# Restore ---------------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict:
    """Return the backup's manifest after checking every file it names is intact."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{folder} is not a backup: it has no {MANIFEST}.") from None
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    for name, key in (
        (manifest["database"], "database_sha256"),
        (MEDIA_ARCHIVE, "media_archive_sha256"),
    ):
        path = folder / name
        if not path.is_file():
            raise BackupError(f"The backup lacks {name}.")
        if sha256_of(path) != manifest[key]:
            raise BackupError(f"{name} is damaged: its SHA-256 differs from the manifest's.")
    return manifest


def database_is_empty(alias: str = "default") -> bool:
    return not connections[alias].introspection.table_names()


def media_is_empty() -> bool:
    return not media_hashes(Path(settings.MEDIA_ROOT))


def restore(folder: Path, alias: str = "default", force: bool = False) -> dict:
    """Restore a backup into the database ``alias`` and ``MEDIA_ROOT``.

    Refuses a database that has tables, or media that has files, unless ``force``; then
    both are emptied first. Returns the manifest.
    """
    manifest = read_manifest(folder)
    folder = Path(folder)
    connection = connections[alias]
    if manifest["vendor"] != connection.vendor:
        raise BackupError(
            f"This backup is of a {manifest['vendor']} database; "
            f"the configured one is {connection.vendor}."
        )
    if not force and not database_is_empty(alias):
        raise BackupError(
            "The database is not empty. Restore into a new, empty database, "
            "or pass --force to replace everything it holds."
        )
    if not force and not media_is_empty():
        raise BackupError(
            f"MEDIA_ROOT ({settings.MEDIA_ROOT}) already holds files. Point it at an empty "
            "folder, or pass --force to replace them."
        )

    if manifest["vendor"] == "postgresql":
        restore_postgresql(folder / manifest["database"], manifest, alias, force)
    else:
        restore_sqlite(folder / manifest["database"], alias)
    restore_media(folder / MEDIA_ARCHIVE, manifest["media"], force)
    return manifest


def restore_postgresql(dump: Path, manifest: dict, alias: str, force: bool) -> None:
    pg_restore, tool_major = postgres_tool("pg_restore")
    if tool_major < manifest["pg_dump_major"]:
        raise BackupError(
            f"pg_restore {tool_major} cannot read a dump made by pg_dump "
            f"{manifest['pg_dump_major']}: install the client tools of that version or newer."
        )
    connection = connections[alias]
    if force:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        if not connection.get_autocommit():
            connection.commit()
    connection.close()
    target = PostgresTarget.of(alias)
    # One transaction: a restore that fails leaves the database as it was.
    run_tool(
        [
            pg_restore,
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            *target.arguments(),
            str(dump),
        ],
        target,
    )


def restore_sqlite(copy: Path, alias: str) -> None:
    with sqlite3.connect(copy) as source:
        source.backup(sqlite_connection(alias))
    source.close()


def restore_media(archive: Path, expected: dict[str, str], force: bool) -> None:
    media_root = Path(settings.MEDIA_ROOT)
    if force and media_root.exists():
        shutil.rmtree(media_root)
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive) as tar:
        # The "data" filter refuses absolute paths, links out of the folder and devices.
        tar.extractall(media_root, filter="data")
    found = media_hashes(media_root)
    if found != expected:
        damaged = sorted(
            name for name in expected.keys() | found.keys() if expected.get(name) != found.get(name)
        )
        raise BackupError(
            f"{len(damaged)} media file(s) differ from the manifest, e.g. {damaged[:5]}."
        )
