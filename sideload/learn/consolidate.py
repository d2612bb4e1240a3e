"""The nightly consolidation: import what is new, re-embed if the model changed, refresh the profile,
train, evaluate, promote, and report the night.

One consolidation at a time per vault (a lock file held for the run; the kernel drops it if the process
dies). Each run is a row in `consolidation_runs`, its steps recorded as they finish, so a run killed
half-way is found by the next one, marked interrupted, and its temporary files cleaned; every step is
idempotent (imports skip what is stored, re-embedding picks up the rows still on the old model,
training writes its adapter only at the end) so the next run simply goes again. The served adapter
only ever changes inside the promotion transaction.

`schedule()` keeps the nightly job in apscheduler with its job store in the vault, so a missed night
(the machine was off) runs once when the scheduler next starts.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from sideload.learn import adapters, night_report

from sideload.persona import profile
from sideload.errors import Cancelled, SideloadError
from sideload.jobs import JobContext
from sideload.store import learning
from sideload.store.vault import Vault

log = logging.getLogger(__name__)


@dataclass
class StepResult:
    name: str
    status: str  # done | skipped | failed
    seconds: float
    detail: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "seconds": round(self.seconds, 2), **self.detail}


class _RunLock:
    def __init__(self, path: Path):
        self.path = path
        self.fd: int | None = None

    def __enter__(self) -> "_RunLock":
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            raise SideloadError("a consolidation is already running on this vault", kind="busy",
                                hint="wait for it to finish; `sideload consolidate --status` shows it") from None
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.fd is not None:
            os.close(self.fd)


def lower_priority() -> None:
    """Nice the process so the machine stays usable while it trains (threads are bounded by settings)."""
    try:
        os.nice(10)
    except OSError:
        pass


# -- steps --------------------------------------------------------------------------------------

def step_import(vault: Vault, hub, ctx: JobContext) -> dict[str, Any]:
    from sideload.ingest.session import ImportSession

    folders = [Path(p).expanduser() for p in vault.settings["watch_folders"]]
    present = [p for p in folders if p.exists()]
    missing = [str(p) for p in folders if not p.exists()]
    session = ImportSession(vault, hub, ctx)
    if present:
        result = session.run(present)
        return {**result.as_json(), "missing_folders": missing}
    # nothing to watch: still finish what a killed import left unindexed
    from sideload.store.index import index_pending
    from sideload.store.vectors import VectorStore

    n = index_pending(vault.db, session.index, check=ctx.check, store=VectorStore(vault.paths.vectors_file))
    return {"imported": 0, "indexed": n, "missing_folders": missing}


def step_reembed(vault: Vault, hub, ctx: JobContext) -> dict[str, Any]:
    """Vectors made by another embedding model are made again with the current one, in batches that
    each commit; the index is emptied first (vectors of two models must never be mixed)."""
    import numpy as np

    from sideload.store.index import VectorIndex, index_pending
    from sideload.ingest.pipeline import embed_text
    from sideload.store.vectors import VectorStore

    name = hub.embedder.name
    db = vault.db
    stale = learning.stale_vector_count(db, name)
    if not stale:
        return {"reembedded": 0}
    total = stale
    index = VectorIndex(vault.paths.index_dir)
    if not learning.reembed_started(db):
        index.delete(sorted(index.all_ids()))
        vault.paths.vectors_file.unlink(missing_ok=True)
        with vault.transaction() as tx:
            learning.start_reembed(tx, name)
    done = 0
    while True:
        ctx.check()
        rows = learning.stale_vector_batch(db, name, limit=256)
        if not rows:
            break
        texts = [embed_text(r["text"], r["caption"], r["kind"]) for r in rows]
        with hub.heavy:
            vecs = np.asarray(hub.embedder.encode(texts), dtype=np.float32)
        with vault.transaction() as tx:
            learning.replace_vectors(tx, name, [(r["rid"], v.tobytes()) for v, r in zip(vecs, rows)])
        done += len(rows)
        ctx.report(done / total, "re-embed", done=done, total=total)
    index_pending(db, index, check=ctx.check, store=VectorStore(vault.paths.vectors_file))
    with vault.transaction() as tx:
        learning.finish_reembed(tx)
    return {"reembedded": done, "model": name}


PASSAGE_BATCH = 128  # long moments cut (and embedded) per transaction: what a kill can lose


def step_passages(vault: Vault, hub, ctx: JobContext) -> dict[str, Any]:
    """Long moments of a vault made before passages existed are cut into passages, those cut an older
    way (`passages.CUT_VERSION`) are cut again, and passages whose vectors come from another embedding
    model are embedded again: a migration, in batches that each commit, so a kill loses at most one
    batch."""
    import numpy as np

    from sideload.store import passages

    name, db = hub.embedder.name, vault.db
    cut = embedded = 0
    if passages.cut_version(db) < passages.CUT_VERSION:  # 0. cut again what was cut another way
        after = passages.recut_upto(db)
        done, total = passages.count_long(db, 0, after), passages.count_long(db)
        while True:
            ctx.check()
            rows = passages.long_moments(db, PASSAGE_BATCH, after)
            if not rows:
                break
            after = rows[-1]["rid"]
            cut += _cut_and_embed(vault, hub, rows, lambda tx, upto=after: passages.set_recut_upto(tx, upto),
                                  again=True)
            done += len(rows)
            ctx.report(0.9 * done / max(total, 1), "passages", f"{done:,} of {total:,} cut again")
        with vault.transaction() as tx:  # every long moment now has its passages
            passages.set_recut_upto(tx, None)
            passages.set_cut_upto(tx, max(after, passages.cut_upto(db)))
    after = passages.cut_upto(db)
    while True:  # 1. cut what was never cut
        ctx.check()
        rows = passages.long_moments(db, PASSAGE_BATCH, after, uncut=True)
        if not rows:
            break
        after = rows[-1]["rid"]
        cut += _cut_and_embed(vault, hub, rows, lambda tx, upto=after: passages.set_cut_upto(tx, upto))
        ctx.report(0.5, "passages", f"{cut:,} passages cut")
    while True:  # 2. vectors of another model
        ctx.check()
        rows = passages.stale(db, name, 256)
        if not rows:
            break
        with hub.heavy:
            vecs = np.asarray(hub.embedder.encode([r["text"] for r in rows]), np.float32)
        with vault.transaction() as tx:
            passages.set_vectors(tx, [r["pid"] for r in rows], name, vecs)
        embedded += len(rows)
        ctx.report(0.9, "passages", f"{embedded:,} passages embedded again")
    return {"cut": cut, "reembedded": embedded, "passages": passages.count(db)}


def _cut_and_embed(vault: Vault, hub, rows, mark, again: bool = False) -> int:
    """Cut these moments into passages and embed them, in one transaction with `mark` (where the
    migration stands); `again`: their old passages go in the same transaction, so a kill leaves each
    moment cut one way or the other, never both or neither."""
    import numpy as np

    from sideload.store import passages

    pieces = [(r["rid"], passages.cut(r["text"])) for r in rows]
    texts = [t for _, ps in pieces for _, _, t in ps]
    with hub.heavy:
        vecs = np.asarray(hub.embedder.encode(texts), np.float32) if texts else []
    with vault.transaction() as tx:
        if again:
            passages.drop(tx, [rid for rid, _ in pieces])
        at = 0
        for rid, ps in pieces:
            passages.insert(tx, rid, ps, hub.embedder.name, vecs[at:at + len(ps)])
            at += len(ps)
        mark(tx)
    return len(texts)


def step_people(vault: Vault, hub, ctx: JobContext) -> dict[str, Any]:
    """Voices grouped into people: for a vault made before people existed, every voice; later, the new."""
    from sideload.ingest.people import group

    return group(vault)


def step_profile(vault: Vault, hub, ctx: JobContext) -> dict[str, Any]:
    before = {(f["kind"], f["key"]) for f in profile.facts(vault.db)}
    counts = profile.distil(vault)
    new = [f for f in profile.facts(vault.db) if (f["kind"], f["key"]) not in before]  # for the night's report
    return {"facts": counts, **{f"new_{k}s": [f["key"] for f in new if f["kind"] == k][:8] for k in ("person", "place")}}


def step_activities(vault: Vault, hub, ctx: JobContext) -> dict[str, Any]:
    """Activities rediscovered from every moment: new kinds appear, the owner's corrections still apply."""
    from sideload.persona import discovery

    return discovery.discover(vault)


def step_train(vault: Vault, hub, ctx: JobContext) -> dict[str, Any]:
    if not vault.settings["train"]:
        return {"skipped": "training is off in settings"}
    adapters.clean_partials(vault)
    outcome = adapters.train_and_gate(vault, hub, ctx)
    return outcome.as_json()


def step_retention(vault: Vault, hub, ctx: JobContext) -> dict[str, Any]:
    """The owner's retention policy: old original videos become low-bitrate copies (or are deleted,
    only when allowed twice); off by default. `sideload storage --plan` shows it before it acts."""
    from sideload.lifecycle import retention

    return retention.apply(vault, ctx)


def step_backup(vault: Vault, hub, ctx: JobContext) -> dict[str, Any]:
    """An online backup of the catalogue before the night changes anything (the newest few kept)."""
    from sideload.store import backups

    path = backups.make(vault.db, vault.paths)
    return {"backup": str(path), "kept": len(backups.existing(vault.paths))}


# The consolidation, at a glance: (key for --only and progress, name in the report, step)
STEPS: list[tuple[str, str, Callable[[Vault, Any, JobContext], dict[str, Any]]]] = [
    ("backup", "back up the catalogue", step_backup),
    ("import", "import new", step_import),
    ("re-embed", "re-embed", step_reembed),
    ("passages", "passages of long moments", step_passages),
    ("people", "people by voice", step_people),
    ("activities", "activities", step_activities),
    ("profile", "profile", step_profile),
    ("train", "train, evaluate, promote", step_train),
    ("retention", "retention of originals", step_retention),  # last: the night's learning goes first
]


def _mark_stale_runs(vault: Vault) -> list[int]:
    """Runs still 'running' while we hold the lock were killed: say so, and clean what they left."""
    stale = learning.running_run_ids(vault.db)
    if stale:
        with vault.transaction() as tx:
            learning.mark_runs_interrupted(tx, stale)
        adapters.clean_partials(vault)
    return stale


def run(vault: Vault, hub, ctx: JobContext, *, only: set[str] | None = None) -> dict[str, Any]:
    """One consolidation; returns the night's report (also kept in the catalogue and derived/reports)."""
    vault.require_writable()
    with _RunLock(vault.paths.consolidation_lock):
        interrupted = _mark_stale_runs(vault)
        started = datetime.now()
        with vault.transaction() as tx:
            run_id = learning.start_run(tx, started.isoformat(timespec="seconds"), os.getpid())
        results: list[StepResult] = []
        status = "done"
        try:
            for i, (key, name, step) in enumerate(STEPS):
                if only and key not in only:
                    results.append(StepResult(name, "skipped", 0.0))
                    continue
                ctx.check()
                sub = _SubContext(ctx, i / len(STEPS), 1 / len(STEPS), key)
                t0 = time.perf_counter()
                try:
                    detail = step(vault, hub, sub)
                    results.append(StepResult(name, "done", time.perf_counter() - t0, {"result": detail}))
                except (Cancelled, KeyboardInterrupt):
                    raise
                except SideloadError as exc:
                    if exc.kind in ("disk-full", "corrupt"):
                        raise
                    log.exception("consolidation step %s failed", name)
                    results.append(StepResult(name, "failed", time.perf_counter() - t0, {"error": exc.message}))
                    status = "failed"
                except Exception as exc:  # one step failing does not stop the rest of the night
                    log.exception("consolidation step %s failed", name)
                    results.append(StepResult(name, "failed", time.perf_counter() - t0, {"error": f"{type(exc).__name__}: {exc}"}))
                    status = "failed"
                with vault.transaction() as tx:
                    learning.save_run_steps(tx, run_id, [r.as_json() for r in results])
        except (Cancelled, KeyboardInterrupt):
            status = "cancelled"
            raise
        finally:
            report = night_report.build(vault, run_id, started, results, status, interrupted)
            with vault.transaction() as tx:
                learning.finish_run(tx, run_id, status, datetime.now().isoformat(timespec="seconds"),
                                    [r.as_json() for r in results], report)
            _write_report_file(vault, report)
        return report


class _SubContext(JobContext):
    """A step's progress as a slice of the whole consolidation's progress."""

    def __init__(self, parent: JobContext, start: float, share: float, key: str):
        self.parent, self.start, self.share, self.key = parent, start, share, key
        self.cancel_token = parent.cancel_token
        self.last = None

    def report(self, fraction: float, stage: str, item: str = "", **kw) -> None:
        label = stage if stage.startswith(self.key) else f"{self.key}: {stage}"
        self.parent.report(self.start + self.share * min(max(fraction, 0.0), 1.0), label, item, **kw)


def _write_report_file(vault: Vault, report: dict[str, Any]) -> None:
    try:
        vault.paths.reports_dir.mkdir(parents=True, exist_ok=True)
        name = report["started_at"].replace(":", "") + ".json"
        tmp = vault.paths.reports_dir / (name + ".partial")
        tmp.write_text(json.dumps(report, indent=2), encoding="utf-8")
        os.replace(tmp, vault.paths.reports_dir / name)
    except OSError:
        log.exception("the report file could not be written (it is in the catalogue)")


def last_report(db) -> dict[str, Any] | None:
    return learning.last_run_report(db)


def running(vault_paths) -> bool:
    """True while some process holds this vault's consolidation lock."""
    from sideload.locks import held

    return held(vault_paths.consolidation_lock)


