"""The settings schema: documented, validated, and bad values named."""
import json

import pytest

from conftest import ROOT, cli_json, run_cli
from sideload.errors import SideloadError
from sideload.settings import SCHEMA, Settings, coerce


def test_every_setting_is_described_and_its_default_is_valid():
    for s in SCHEMA:
        assert len(s.description) >= 20, f"setting {s.name} needs a real one-line description"
        assert coerce(s, s.default) == s.default


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [s.name for s in SCHEMA if f"`{s.name}`" not in readme]
    assert not missing, f"README.md does not document: {missing}"


@pytest.mark.parametrize("name,value,why", [
    ("threads", "many", "whole number"),
    ("threads", 0, "at least"),
    ("device", "tpu", "one of"),
    ("nightly_time", "25:00", "HH:MM"),
    ("copy_originals", "perhaps", "true or false"),
])
def test_bad_values_name_the_setting(tmp_path, name, value, why):
    s = Settings(tmp_path / "settings.json")
    with pytest.raises(SideloadError) as err:
        s.set(name, value)
    assert name in err.value.message and why in err.value.message


def test_a_bad_settings_file_names_the_setting(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"threads": -3}))
    with pytest.raises(SideloadError) as err:
        Settings(path)
    assert "'threads'" in err.value.message


def test_cli_sets_and_lists(tmp_path, home):
    vault = str(tmp_path / "v")
    run_cli("--vault", vault, "init", check=True)
    assert cli_json("--vault", vault, "settings", "keyframe_min_gap_s", "4.5") == {"keyframe_min_gap_s": 4.5}
    listed = cli_json("--vault", vault, "settings")["settings"]
    assert {s["name"] for s in listed} == {s.name for s in SCHEMA}
    assert next(s for s in listed if s["name"] == "keyframe_min_gap_s")["value"] == 4.5
    bad = run_cli("--vault", vault, "settings", "device", "quantum")
    assert bad.returncode == 2 and "'device'" in bad.stderr


def test_new_vaults_start_from_the_users_settings_for_new_vaults(tmp_path, monkeypatch):
    from sideload import paths
    from sideload.store.vault import Vault

    monkeypatch.setenv("SIDELOAD_HOME", str(tmp_path / "home"))
    first = paths.new_vault_settings_file()
    first.parent.mkdir(parents=True)
    first.write_text(json.dumps({"whisper_bundled": "tiny.en", "threads": 1}))
    with Vault.init(tmp_path / "a") as v:
        assert v.settings["whisper_bundled"] == "tiny.en" and v.settings["threads"] == 1
        v.settings.set("threads", 2)
        v.settings.save()
    first.write_text(json.dumps({"whisper_bundled": "medium"}))
    with Vault.init(tmp_path / "a") as v:  # an existing vault keeps its own settings
        assert v.settings["threads"] == 2
    with pytest.raises(SideloadError, match="whisper_bundled"):
        Vault.init(tmp_path / "b")
    assert not (tmp_path / "b").exists()  # refused before anything was made
    first.write_text(json.dumps({"no_such": 1}))
    with pytest.raises(SideloadError, match="no setting called 'no_such'"):
        Vault.init(tmp_path / "c")
