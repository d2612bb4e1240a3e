"""The scripting interface: commands, JSON, exit codes, errors, progress."""
import errno
import io
import json
from pathlib import Path

import pytest

from conftest import run_cli
from sideload import cli
from sideload.errors import from_environment
from sideload.jobs import CancelToken, JobContext
from sideload.cli.progress import TerminalProgress

REAL_COMMANDS = {"init", "import", "moments", "search", "ask", "predict", "profile", "forget", "export", "open-legacy",
                 "settings", "demo", "app", "consolidate", "persona", "private", "repair",
                 "people", "serve", "storage", "activities", "retime", "dataset"}


def test_help_lists_only_commands_that_work():
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) == REAL_COMMANDS
    out = run_cli("--help").stdout
    for name in REAL_COMMANDS:  # every command is listed with a line of help
        assert f"    {name} " in out or f"    {name}\n" in out, name


def test_usage_errors_exit_2(home):
    proc = run_cli("moments", "--frobnicate")
    assert proc.returncode == 2 and "unrecognized" in proc.stderr
    assert run_cli().returncode == 2


def test_bugs_get_a_short_message_and_a_traceback_in_the_log(tmp_path, monkeypatch, capsys, home):
    vault = tmp_path / "v"
    assert cli.main(["--vault", str(vault), "init"]) == 0

    def boom(args):
        raise RuntimeError("something broke inside")

    monkeypatch.setattr(cli.library, "cmd_moments", boom)  # build_parser() picks it up
    capsys.readouterr()
    code = cli.main(["--vault", str(vault), "moments"])
    err = capsys.readouterr().err
    assert code == 2
    assert "internal error" in err and "something broke inside" in err and "Traceback" not in err
    log_file = err.rsplit("the details are in ", 1)[1].strip()
    assert "Traceback" in Path(log_file).read_text(encoding="utf-8")


def test_environment_faults_are_told_apart_from_bugs():
    full = from_environment(OSError(errno.ENOSPC, "No space left on device", "/vault/x"))
    assert full.kind == "disk-full" and "disk is full" in full.message and "resumes" in full.message
    assert from_environment(PermissionError(errno.EACCES, "denied", "/x")).kind == "permission"
    assert from_environment(ValueError("bug")) is None


def test_disk_full_during_a_command_says_so(tmp_path, monkeypatch, capsys, home):
    vault = tmp_path / "v"
    cli.main(["--vault", str(vault), "init"])

    def full(args):
        raise OSError(errno.ENOSPC, "No space left on device", str(vault / "sideload.db"))

    monkeypatch.setattr(cli.library, "cmd_moments", full)
    capsys.readouterr()
    assert cli.main(["--vault", str(vault), "moments"]) == 2
    assert "disk is full" in capsys.readouterr().err


def test_progress_is_rate_limited_with_time_left():
    now = [0.0]
    seen = []
    ctx = JobContext(seen.append, clock=lambda: now[0], min_interval_s=0.5)
    for i in range(1, 101):
        now[0] = i * 0.1
        ctx.report(i / 100, "transcription", "a.mp4", done=0, total=1)
    assert 15 <= len(seen) <= 25
    assert seen[-1].eta_s is not None and seen[-1].eta_s < seen[5].eta_s
    ctx.report(1.0, "done", force=True)
    assert seen[-1].stage == "done"


def test_cancel_raises_at_the_next_check():
    from sideload.errors import Cancelled

    token = CancelToken()
    ctx = JobContext(cancel=token)
    ctx.check()
    token.cancel()
    with pytest.raises(Cancelled):
        ctx.check()


def test_progress_bar_in_a_log_prints_lines_not_carriage_returns():
    buf = io.StringIO()
    bar = TerminalProgress(buf)
    ctx = JobContext(bar, min_interval_s=0)
    ctx.report(0.5, "keyframes", "GOPR0001.MP4", done=1, total=2, force=True)
    ctx.report(1.0, "done", done=2, total=2, force=True)
    text = buf.getvalue()
    assert "\r" not in text and "GOPR0001.MP4" in text and "1/2 files" in text and "100.0%" in text


def test_json_output_is_one_document(tmp_path, home):
    vault = tmp_path / "v"
    proc = run_cli("--json", "--vault", str(vault), "init")  # global flags before the command work too
    assert proc.returncode == 0 and json.loads(proc.stdout) == {"vault": str(vault)}
