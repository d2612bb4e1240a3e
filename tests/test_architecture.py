"""The core stays headless: only ui/ imports Qt."""
import ast
import subprocess
import sys

from conftest import ROOT

QT = ("PySide6", "PyQt5", "PyQt6", "shiboken6")
CORE = ("sideload", "models", "lifelog_import")


def _imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_core_packages_never_import_qt():
    offenders = []
    for pkg in CORE:
        for path in (ROOT / pkg).rglob("*.py"):
            for name in _imports(path):
                if name.split(".")[0] in QT:
                    offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offenders, offenders


def test_ui_is_the_package_that_does():
    found = [p for p in (ROOT / "ui").rglob("*.py") if any(n.split(".")[0] in QT for n in _imports(p))]
    assert found, "the test above would pass vacuously if ui/ were not scanned the same way"


def test_running_the_cli_loads_no_qt():
    code = ("import sys, sideload.cli, sideload.ingest, sideload.pipeline, models.hub, lifelog_import;"
            "print([m for m in sys.modules if m.split('.')[0] in %r])" % (QT,))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
