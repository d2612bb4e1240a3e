"""The vault: creation, refusal of foreign and future catalogues, the writer lock, migrations."""
import hashlib
import json
import sqlite3
import subprocess
import sys

import pytest

from conftest import ROOT, cli_json, run_cli
from sideload.store import catalogue
from sideload.errors import SideloadError
from sideload.store.vault import Vault


def _tree_digest(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_init_then_moments_is_empty(tmp_path, home):
    vault = tmp_path / "v"
    assert cli_json("--vault", str(vault), "init") == {"vault": str(vault)}
    assert cli_json("--vault", str(vault), "moments") == {"moments": []}
    assert (vault / "sideload.db").is_file() and (vault / "index").is_dir() and (vault / "settings.json").is_file()


def test_vault_from_environment(tmp_path, home):
    vault = tmp_path / "env-vault"
    run_cli("--vault", str(vault), "init", check=True)
    assert cli_json("moments", env={"SIDELOAD_VAULT": str(vault)}) == {"moments": []}


@pytest.mark.parametrize("make", ["missing", "plain-folder", "other-sqlite"])
def test_not_a_vault_exits_2_and_says_so(tmp_path, home, make):
    target = tmp_path / "x"
    if make == "plain-folder":
        target.mkdir()
        (target / "notes.txt").write_text("hello")
    elif make == "other-sqlite":
        target.mkdir()
        sqlite3.connect(target / "sideload.db").execute("CREATE TABLE t (x)").connection.commit()
    before = _tree_digest(target) if target.exists() else None
    proc = run_cli("--vault", str(target), "moments", "--json")
    assert proc.returncode == 2
    said = {"missing": "does not exist", "plain-folder": "is not a Sideload vault",
            "other-sqlite": "is a SQLite file but not a Sideload catalogue"}[make]
    assert said in proc.stderr
    error = json.loads(proc.stdout)["error"]  # --json: one document, the error, as well as the exit code
    assert error["kind"] == "not-a-vault" and said in error["message"]
    if before is not None:
        assert _tree_digest(target) == before
    else:
        assert not target.exists()


def test_future_schema_is_refused_untouched(tmp_path, home):
    root = tmp_path / "future"
    Vault.init(root).close()
    conn = sqlite3.connect(root / "sideload.db")
    conn.execute(f"PRAGMA user_version = {catalogue.SCHEMA_VERSION + 5}")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = _tree_digest(root)
    with pytest.raises(SideloadError) as err:
        Vault.open(root, write=True)
    assert err.value.kind == "schema" and "newer Sideload" in err.value.message
    proc = run_cli("--vault", str(root), "moments", "--json")
    assert proc.returncode == 2 and "newer Sideload" in proc.stderr
    assert _tree_digest(root) == before


def test_migrations_reach_the_current_version(tmp_path):
    with Vault.init(tmp_path / "v") as vault:
        assert vault.db.execute("PRAGMA user_version").fetchone()[0] == catalogue.SCHEMA_VERSION
        assert vault.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert vault.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert catalogue.full_check(vault.db) == []


def test_corrupt_catalogue_is_reported(tmp_path, home):
    root = tmp_path / "broken"
    Vault.init(root).close()
    db = root / "sideload.db"
    data = bytearray(db.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # smash the schema page
    db.write_bytes(bytes(data))
    proc = run_cli("--vault", str(root), "moments", "--json")
    assert proc.returncode == 2
    assert "the vault's catalogue" in proc.stderr and "is damaged" in proc.stderr
    assert json.loads(proc.stdout)["error"]["kind"] == "corrupt"


def test_second_writer_is_told_the_vault_is_busy_and_reading_still_works(tmp_path, home):
    root = tmp_path / "busy"
    writer = Vault.init(root)
    try:
        with pytest.raises(SideloadError) as err:
            Vault.open(root, write=True)
        assert err.value.kind == "busy"
        # another process: writing is refused with a clear message, reading works
        proc = run_cli("--vault", str(root), "settings", "threads", "1")
        assert proc.returncode == 2 and "busy" in proc.stderr
        assert cli_json("--vault", str(root), "moments") == {"moments": []}
    finally:
        writer.close()
    run_cli("--vault", str(root), "settings", "threads", "1", check=True)


def test_the_lock_dies_with_its_process(tmp_path, home):
    root = tmp_path / "crash"
    Vault.init(root).close()
    code = f"from sideload.store.vault import Vault; v = Vault.open({str(root)!r}, write=True); import os; os._exit(0)"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    Vault.open(root, write=True).close()  # no stale lock after a hard exit


def test_read_only_vault_refuses_writes(tmp_path):
    Vault.init(tmp_path / "v").close()
    with Vault.open(tmp_path / "v") as vault:
        with pytest.raises(SideloadError):
            with vault.transaction():
                pass


def test_an_older_catalogue_is_migrated_forward_with_its_data(tmp_path):
    root = tmp_path / "old"
    root.mkdir()
    conn = sqlite3.connect(root / "sideload.db")
    conn.execute(f"PRAGMA application_id = {catalogue.APPLICATION_ID}")
    conn.executescript(f"BEGIN;{catalogue.MIGRATIONS[0]}\nPRAGMA user_version = 1;COMMIT;")
    conn.execute("INSERT INTO files (content_hash, path, size, mtime, importer, media_kind, time_source, imported_at)"
                 " VALUES ('h', '/x.mp4', 1, 0, 'video', 'video', 'mtime', 'now')")
    conn.commit()
    conn.close()
    with Vault.open(root, write=True) as vault:
        assert vault.db.execute("PRAGMA user_version").fetchone()[0] == catalogue.SCHEMA_VERSION
        assert vault.db.execute("SELECT path FROM files").fetchone()[0] == "/x.mp4"
        vault.db.execute("SELECT count(*) FROM chat_sessions").fetchone()
