"""The house: the core stays headless, no import cycles, and packages import only downwards.

The direction is the README's architecture picture:

    ui, cli  ->  serve  ->  documents  ->  context, demo  ->  learn  ->  ingest  ->  lifecycle  ->  persona  ->  recall  ->  store
    ->  the kernel (errors, paths, settings, jobs, logs), models, lifelog_import

Only `sideload.cli.launch` may import `ui` (the `app` command's launch point), and nothing imports
`sideload.cli`. SQL is written only in `sideload.store` (and the store-level modules named below).
"""
import ast
import re
import subprocess
import sys

from conftest import ROOT

QT = ("PySide6", "PyQt5", "PyQt6", "shiboken6")
CORE = ("sideload", "models", "lifelog_import")
KERNEL = {"sideload", "sideload.errors", "sideload.paths", "sideload.settings", "sideload.jobs", "sideload.logs",
          "sideload.locks", "sideload.timefmt", "sideload.sentences"}
# Which room may import which (besides itself, the kernel, models and lifelog_import).
ALLOWED = {
    "kernel": set(),
    "models": set(),
    "lifelog_import": set(),
    "store": set(),
    "recall": {"store"},
    "persona": {"recall", "store"},
    "lifecycle": {"persona", "recall", "store"},
    "ingest": {"lifecycle", "persona", "store"},
    "learn": {"ingest", "lifecycle", "persona", "recall", "store"},
    # the research dataset: redacted reads of the store; the Ray runtime only for a merge on Ray
    "dataset": {"cluster", "lifecycle", "persona", "recall", "store"},
    "context": {"learn", "ingest", "lifecycle", "persona", "recall", "store"},
    "demo": {"context", "learn", "ingest", "lifecycle", "persona", "recall", "store"},
    # the JSON documents every face returns (CLI.md's forms), made once for the CLI and the server
    "documents": {"context", "learn", "ingest", "lifecycle", "persona", "recall", "store"},
    # the local HTTP API: a face beside the CLI (the CLI starts it; it never imports the CLI)
    "serve": {"context", "documents", "learn", "ingest", "lifecycle", "persona", "recall", "store"},
    "cli": {"context", "dataset", "demo", "documents", "serve", "learn", "ingest", "lifecycle", "persona", "recall", "store"},
    "ui": {"context", "demo", "documents", "learn", "ingest", "lifecycle", "persona", "recall", "store"},
}
# The Ray engine sits beside ingest: it runs the import's per-file stages on a cluster and stores
# through the import session; only the faces (through the context) choose it.
ALLOWED["cluster"] = {"ingest", "lifecycle", "persona", "recall", "store"}
for _face in ("context", "demo", "cli", "ui"):
    ALLOWED[_face] = ALLOWED[_face] | {"cluster"}
BASE = {"kernel", "models", "lifelog_import"}


def _imports(path, with_level=False):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{a.name}" for a in node.names)


def _module(path):
    rel = path.relative_to(ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _room(module: str) -> str | None:
    top = module.split(".")
    if top[0] in ("models", "lifelog_import", "ui"):
        return top[0]
    if top[0] != "sideload":
        return None
    if len(top) == 1 or f"sideload.{top[1]}" in KERNEL or top[1] == "__version__":
        return "kernel"
    return top[1]


def _project_files():
    for pkg in (*CORE, "ui"):
        yield from (ROOT / pkg).rglob("*.py")


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
    code = ("import sys, sideload.cli, sideload.ingest.session, sideload.ingest.pipeline, models.hub, lifelog_import;"
            "print([m for m in sys.modules if m.split('.')[0] in %r])" % (QT,))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_packages_import_only_downwards():
    offenders = []
    for path in _project_files():
        me = _module(path)
        mine = _room(me)
        for name in _imports(path):
            theirs = _room(name)
            if theirs is None or theirs == mine or theirs in BASE:
                continue
            if theirs == "ui" and me == "sideload.cli.launch":
                continue  # the single launch point of the app
            if mine in BASE or theirs not in ALLOWED[mine]:
                offenders.append(f"{me} ({mine}) imports {name} ({theirs})")
    assert not offenders, "\n".join(sorted(set(offenders)))


def _graph():
    files = {_module(p): p for p in _project_files()}
    graph = {}
    for name, path in files.items():
        deps = set()
        for imp in _imports(path):
            while imp and imp not in files:
                imp = imp.rpartition(".")[0]
            if imp and imp != name:
                deps.add(imp)
        graph[name] = deps
    return graph


def test_no_import_cycle_between_any_two_files():
    graph = _graph()
    state, stack, cycles = {}, [], []

    def visit(v):
        state[v] = "open"
        stack.append(v)
        for w in sorted(graph[v]):
            if state.get(w) == "open":
                cycles.append(stack[stack.index(w):] + [w])
            elif w not in state:
                visit(w)
        stack.pop()
        state[v] = "done"

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in state:
            visit(v)
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


def test_the_walk_would_see_a_cycle(tmp_path):
    """The cycle test must be able to fail: the same walk over a made-up graph with a loop."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}}
    seen = []

    def visit(v, stack):
        for w in graph[v]:
            if w in stack:
                seen.append(w)
                return
            visit(w, stack + [w])

    visit("a", ["a"])
    assert seen == ["a"]


def test_no_module_over_400_lines():
    big = [(str(p.relative_to(ROOT)), n) for p in _project_files()
           if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400]
    assert not big, big


SQL = re.compile(r"""\.execute(many)?\(\s*f?["'](\s*)(SELECT|INSERT|UPDATE|DELETE|CREATE|PRAGMA|BEGIN|WITH)""", re.I)


def test_sql_is_written_only_in_the_store():
    """Every room above the store asks it by name; none writes SQL of its own."""
    offenders = []
    for path in _project_files():
        room = _room(_module(path))
        if room != "store" and SQL.search(path.read_text(encoding="utf-8")):
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, offenders


def test_the_sql_check_would_see_sql():
    assert SQL.search('db.execute("SELECT 1 FROM moments")') and SQL.search("tx.execute(\n  f'UPDATE x SET y')")
