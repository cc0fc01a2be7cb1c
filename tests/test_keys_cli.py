"""`checker keys ...` and `checker audit` through click's runner, on a real index."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from checker.cli import main
from checker.store import database as db
from checker.store import keys
from checker.store.database import connect
from checker.store.manifest import read_manifest
from tests.conftest import SEED_000, SEEDS


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_keys_create_list_revoke_and_the_audit(tmp_path: Path) -> None:
    index = str(tmp_path / "index")
    assert run("ingest", str(SEEDS / f"{SEED_000}.txt"), "--index", index).exit_code == 0
    generation = read_manifest(tmp_path / "index")
    assert generation is not None
    created = run("keys", "create", "night-desk", "--scope", "write", "--index", index)
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip()
    assert secret.startswith("ck_") and "\n" not in secret  # stdout is the key alone
    assert "not shown again" in created.stderr

    listed = run("keys", "list", "--index", index)
    assert "night-desk\twrite\tck_" in listed.stdout and "live" in listed.stdout
    assert secret not in listed.output  # shown once, never again
    as_json = json.loads(run("keys", "list", "--index", index, "--json").stdout)
    assert [(k["name"], k["scope"], k["revoked_at"]) for k in as_json] == [
        ("night-desk", "write", None)
    ]
    # A key is no change to the index's content: no FAISS rebuild on the next open.
    assert read_manifest(tmp_path / "index") == generation
    conn = connect(tmp_path / "index" / "checker.sqlite3")
    try:
        assert keys.find(conn, secret) is not None
        assert db.generation(conn) == generation.generation
    finally:
        conn.close()

    assert run("keys", "revoke", "night-desk", "--index", index).stdout == "revoked night-desk\n"
    assert "revoked 20" in run("keys", "list", "--index", index).stdout
    assert run("delete", SEED_000, "--index", index).exit_code == 0

    log = run("audit", "--index", index, "--limit", "3")
    lines = log.stdout.splitlines()
    assert log.exit_code == 0 and len(lines) == 3
    assert "\tcli:" in lines[0] and "\tdocuments.delete\t" + SEED_000 + "\tok" in lines[0]
    assert "\tkeys.revoke\t-\tok: night-desk" in lines[1]
    assert "\tkeys.create\t-\tok: night-desk (write)" in lines[2]
    entries = json.loads(run("audit", "--index", index, "--json").stdout)
    assert [e["action"] for e in entries] == [
        "documents.delete",
        "keys.revoke",
        "keys.create",
        "documents.add",
    ]


def test_keys_errors_are_one_line_and_a_nonzero_exit(tmp_path: Path) -> None:
    index = str(tmp_path / "index")
    assert run("ingest", str(SEEDS / f"{SEED_000}.txt"), "--index", index).exit_code == 0
    missing = run("keys", "revoke", "ghost", "--index", index)
    assert missing.exit_code == 3 and "error: no live key named 'ghost'" in missing.output
    assert run("keys", "create", "desk", "--index", index).exit_code == 0
    twice = run("keys", "create", "desk", "--index", index)
    assert twice.exit_code == 2 and "error: a live key named 'desk' exists" in twice.output
    bad_scope = run("keys", "create", "x", "--scope", "root", "--index", index)
    assert bad_scope.exit_code == 2 and "root" in bad_scope.output
    no_index = run("keys", "list", "--index", str(tmp_path / "none"))
    assert no_index.exit_code == 4 and "error: no index at" in no_index.output
    assert "Traceback" not in missing.output + twice.output + no_index.output


def test_no_keys_says_the_api_is_open(tmp_path: Path) -> None:
    index = str(tmp_path / "index")
    assert run("ingest", str(SEEDS / f"{SEED_000}.txt"), "--index", index).exit_code == 0
    listed = run("keys", "list", "--index", index)
    assert listed.exit_code == 0 and "the API is open" in listed.stderr
