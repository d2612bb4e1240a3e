"""Shared fixtures: an isolated per-user home, the real sample data, the demo day and vault."""
from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
ARTIFACTS = ROOT / "artifacts"


def pytest_configure(config):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ["ANONYMIZED_TELEMETRY"] = "False"
    os.environ.pop("SIDELOAD_VAULT", None)


@pytest.fixture(autouse=True)
def _cycles_collected_on_the_main_thread():
    """Once a window has turned automatic collection off (ui/collector.py), the tests after it collect
    between tests, on this thread, as the app's timer does while its event loop runs."""
    yield
    if not gc.isenabled():
        from ui.collector import collect_due

        collect_due()


@pytest.fixture(scope="session")
def home(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("home")
    os.environ["SIDELOAD_HOME"] = str(base)
    # Vaults made in tests start with Whisper tiny.en, twice as fast as the default base: only the
    # tests about transcription itself (and languages) ask for base, and they say so.
    from sideload import paths

    paths.new_vault_settings_file().parent.mkdir(parents=True, exist_ok=True)
    paths.new_vault_settings_file().write_text(json.dumps({"whisper_bundled": "tiny.en"}))
    return base


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"the real sample data is not here ({SHARED_DATA}); it sits beside the checkout as shared/data")
    return SHARED_DATA


def run_cli(*args: str, env: dict | None = None, timeout: float = 600, check: bool = False) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "sideload.cli", *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout, cwd=ROOT)
    if check and proc.returncode != 0:
        raise AssertionError(f"sideload {' '.join(args)} -> {proc.returncode}\n{proc.stderr}")
    return proc


def cli_json(*args: str, **kw) -> dict:
    proc = run_cli(*args, "--json", **kw)
    assert proc.stdout.count("\n") == 1, f"--json must print exactly one document:\n{proc.stdout}\n{proc.stderr}"
    return json.loads(proc.stdout)


@pytest.fixture(scope="session")
def sample_day(home) -> Path:
    from sideload import paths
    from sideload.demo import sampleday

    out = paths.demo_day_dir()  # the same folder the demo command imports
    assert str(out).startswith(str(home))
    sampleday.ensure(out)
    return out


@pytest.fixture(scope="session")
def manifest(sample_day) -> dict:
    from sideload.demo import sampleday

    return json.loads((sample_day / sampleday.MANIFEST).read_text())


@pytest.fixture(scope="session")
def demo_vault(home, sample_day) -> Path:
    """The demo vault, built by the demo command itself (so the demo is tested end to end)."""
    vault = home / "demo-vault"
    proc = run_cli("--vault", str(vault), "demo", "--no-gui", "--json",
                   env={"SIDELOAD_HOME": str(home)}, timeout=900)
    assert proc.returncode == 0, proc.stderr
    tour = json.loads(proc.stdout)
    assert tour["import"]["failed"] == []
    # the tour searches with the real ranking: the passport question lands on the breakfast clip
    assert tour["searches"][0]["results"][0]["source"].endswith("20260302_074500.mp4")
    assert tour["ask"]["remembered"] and "passport" in tour["ask"]["answer"]
    return vault


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
