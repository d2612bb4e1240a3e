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
