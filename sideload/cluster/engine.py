"""The driver's side of an import on Ray: hand files to a pool of workers, store each on the driver.

Ray tasks and actors, not Ray Data: the unit of work is a whole file through the declared stages,
and what is worth keeping across files is the models, so each worker is an actor holding one model
hub (models load once per worker, not per file); GPU actors (one GPU each) when the cluster has
GPUs and the vault allows them, CPU actors otherwise. The vault keeps one writer: a worker returns
the finished task (moments, vectors, voiceprints, keyframe bytes) and the driver stores it through
the import session, in the order of a local import and in the same transaction, so ids, vectors and
row order come out the same. Resume is the local import's: a file is either stored whole or not at
all, so a driver killed at any point loses only the files in flight, and a worker that dies has its
file handed to a fresh worker (twice at most; then the file is named as failed).

Files the local order makes depend on each other wait for it: the same bytes twice in one import
(the second is skipped, as locally), and a GoPro chapter whose clock continues the previous
chapter's (the worker asks, the driver answers once that chapter is stored).
"""
from __future__ import annotations

import logging
import pickle
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sideload.cluster.runtime import Runtime, check_reachable, ray_runtime, require_ray
from sideload.cluster.worker import FileSpec, Outcome, PipelineWorker, restore
from sideload.errors import SideloadError
from sideload.ingest import pipeline
from sideload.store import queries

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 2  # a file whose worker died this often is named as failed, not tried forever
AHEAD_PER_WORKER = 4  # finished files waiting for an earlier one to be stored, per worker


@dataclass
class Entry:
    """One discovered file on its way: new -> ready -> running -> done -> stored (or resolved)."""
    i: int
    path: Path
    state: str = "new"
    task: Any = None  # the driver's prepared pipeline.Task
    st: Any = None
    outcome: Outcome | None = None
    error: BaseException | None = None  # raised when the entry reaches the front, as locally
    after_earlier: bool = False  # may only be prepared or dispatched once every earlier file is stored
    need: tuple[str, int] | None = None
    attempts: int = 0


@dataclass
class RayEngine:
    """`ImportSession(engine=RayEngine(...))`: the per-file stages on a Ray cluster."""
    address: str | None = None  # None: a Ray runtime on this machine, started and stopped here
    workers: int = 0  # 0: as many as the cluster fits
    stats: dict = field(default_factory=dict)
    handles: list = field(default_factory=list)  # the live workers (tests kill one)

    def __post_init__(self) -> None:
        require_ray()  # a missing extra, or an address where nothing answers, is said before anything else
        if self.address:
            check_reachable(self.address)

    def import_files(self, session, files: list[Path], exclude: list[tuple[float, float]]) -> None:
        ray = require_ray()
        t0 = time.perf_counter()
        session.ctx.report(0.0, "starting Ray" if not self.address else f"joining Ray at {self.address}", force=True)
        with ray_runtime(self.address) as rt:
            self.stats.update(runtime_s=rt.start_s, nodes=len(rt.nodes), cpus=rt.cpus, gpus=rt.gpus)
            _Run(ray, rt, self, session, files, exclude).go()
        self.stats["wall_s"] = time.perf_counter() - t0


def shape(nodes: list[dict], *, threads: int, use_gpu: bool, wanted: int, files: int) -> tuple[int, float, int]:
    """(threads per worker, share of a GPU per worker, how many workers) for the cluster's nodes.

    CPU nodes: as many workers as fit `threads` CPUs each. GPU nodes: the node's CPUs filled the same
    way, the workers sharing its GPUs (a worker runs a file's decoding and keyframes on its CPUs and
    its models on the GPU; one worker per GPU would leave the GPU waiting on one worker's decoding),
    and CPU-only nodes of a GPU cluster are left to other work."""
    threads = max(1, threads)
    gpu_nodes = [n for n in nodes if n["GPU"] >= 1] if use_gpu else []
    share = 0.0
    if gpu_nodes:
        threads = max(1, min(threads, int(min(n["CPU"] for n in gpu_nodes) or 1)))
        per_gpu = max(1, int(min(n["CPU"] // n["GPU"] for n in gpu_nodes) // threads))
        share = 1.0 / per_gpu
        fit = sum(int(n["GPU"]) * per_gpu for n in gpu_nodes)
    else:
        threads = max(1, min(threads, int(max((n["CPU"] for n in nodes), default=1))))
        fit = sum(int(n["CPU"] // threads) for n in nodes)
    if fit < 1:
        raise SideloadError("the Ray cluster has no room for a worker", kind="cluster",
                            hint=f"each worker needs {threads} CPU(s); lower the threads setting")
    count = min(fit, wanted) if wanted else fit
    return threads, share, max(1, min(count, files))


class _Run:
    def __init__(self, ray, rt: Runtime, engine: RayEngine, session, files: list[Path], exclude):
        self.ray, self.rt, self.engine, self.session = ray, rt, engine, session
        self.ctx = session.ctx
        self.entries = [Entry(i, p) for i, p in enumerate(files)]
        self.exclude = exclude
        self.settings = session.vault.settings.as_dict()
        self.embed_model = session.hub.embedder.name
        self.front = 0  # every entry before it is stored or resolved
        self.running: dict[Any, tuple[Entry, Any]] = {}  # ref -> (entry, worker)
        self.idle: list = []
        self.warming: list = []
        self.threads, self.gpu, count = self._shape(len(files))  # gpu: the share of a GPU each worker holds
        engine.stats.update(workers=count, threads=self.threads, gpu_share=self.gpu, pipeline_s=0.0,
                            result_mb=0.0, store_s=0.0, load_s=[], retried=0)
        self.count = count  # started as files need them: an import of known files starts none
        self.actor = ray.remote(PipelineWorker).options(
            num_cpus=self.threads, num_gpus=self.gpu, max_restarts=0, max_task_retries=0)

    def _shape(self, files: int) -> tuple[int, float, int]:
        return shape(self.rt.nodes, threads=int(self.settings["threads"]), use_gpu=self.settings["device"] != "cpu",
                     wanted=self.engine.workers, files=files)

    def _add_worker(self) -> None:
        handle = self.actor.remote(self.threads)
        self.warming.append(handle.warm.remote(self.settings))  # queued first: models load before any file
        self.engine.handles.append(handle)
        self.idle.append(handle)

    def _drop_worker(self, handle) -> None:
        if handle in self.engine.handles:
            self.engine.handles.remove(handle)
        try:
            self.ray.kill(handle)
        except Exception:  # already gone
            pass

    # -- the loop ----------------------------------------------------------------------------
    def go(self) -> None:
        try:
            while self.front < len(self.entries):
                self.ctx.check()
                self._store_front()
                self._dispatch()
                self._collect(timeout=0.25)
            self._gather_warm()
        except BaseException:
            for ref in self.running:
                self.ray.cancel(ref)  # queued work never starts
            for handle in list(self.engine.handles):
                self._drop_worker(handle)  # running work stops now; its file was not stored
            raise
        for handle in list(self.engine.handles):
            try:
                self.ray.get(handle.close.remote(), timeout=30)
            except Exception:
                log.debug("closing a worker failed", exc_info=True)
            self._drop_worker(handle)

    def _report(self, stage: str, item: str = "") -> None:
        total = len(self.entries)
        self.ctx.report(pipeline.FILES_SHARE * self.front / max(total, 1), stage, item, done=self.front, total=total)

    def _store_front(self) -> None:
        while self.front < len(self.entries):
            e = self.entries[self.front]
            if e.state == "done":
                t0 = time.perf_counter()
                with self.session.file_errors(e.path):
                    self._store(e)
                self.engine.stats["store_s"] += time.perf_counter() - t0
                e.outcome = e.task = None
            elif e.state == "resolved":
                with self.session.file_errors(e.path):
                    if e.error is not None:
                        raise e.error
            else:
                return
            e.state = "stored"
            self.front += 1
            self._report("stored", e.path.name)

    def _store(self, e: Entry) -> None:
        out = e.outcome
        out.raise_error()
        task = restore(out.task, self.session, e.task.importer)
        root = self.session.vault.paths.root
        for rel, data in out.files.items():  # keyframes and thumbnails, written before the transaction as locally
            dest = root / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
        self.session.finish(task, e.st)

    def _dispatch(self) -> None:
        waiting = sum(1 for e in self.entries[self.front:] if e.state == "done")
        if waiting >= AHEAD_PER_WORKER * max(len(self.engine.handles), 1):
            return  # the front file is slow: do not run ever further ahead of what is stored
        for e in self.entries[self.front:]:
            if not self.idle and len(self.engine.handles) >= self.count:
                return
            if e.state not in ("new", "ready") or (e.after_earlier and e.i != self.front):
                continue
            if e.state == "new":
                self._prepare(e)
            if e.state == "ready":
                if not self.idle:
                    self._add_worker()
                self._submit(e, self.idle.pop(0))

    def _prepare(self, e: Entry) -> None:
        """Classify and hash on the driver (the vault is here), exactly as a local import does."""
        self._report("hashing", e.path.name)
        try:
            prepared = self.session.prepare(e.path, lambda *_: None, self.exclude)
        except Exception as exc:  # named when the entry reaches the front, in the local order
            e.error, e.state = exc, "resolved"
            return
        if prepared is None:
            e.state = "resolved"  # known, moved or forgotten: counted as skipped
            return
        task, st = prepared
        if any(o.task is not None and o.task.content_hash == task.content_hash
               for o in self.entries[self.front:e.i] if o.state in ("ready", "running", "done")):
            e.after_earlier = True  # the same bytes earlier in this import: asked again once they are stored
            return
        e.task, e.st, e.state = task, st, "ready"

    def _submit(self, e: Entry, worker) -> None:
        chapter_ends = {}
        if e.need is not None:  # every earlier file is stored now: the vault knows what it will know
            chapter_ends[e.need] = queries.chapter_end(self.session.vault.db, *e.need)
        spec = FileSpec(str(e.path), e.task.content_hash, e.task.importer.name, self.settings, self.exclude,
                        self.embed_model, chapter_ends)
        ref = worker.process.remote(spec)
        self.running[ref] = (e, worker)
        e.state = "running"
        self._report(f"on Ray ({len(self.engine.handles)} workers)", e.path.name)

    def _collect(self, timeout: float) -> None:
        if not self.running:
            if not self.idle or all(e.state not in ("new", "ready") for e in self.entries[self.front:]):
                time.sleep(0.01 if self.front < len(self.entries) else 0)
            return
        done, _ = self.ray.wait(list(self.running), num_returns=1, timeout=timeout)
        for ref in done:
            e, worker = self.running.pop(ref)
            try:
                out: Outcome = self.ray.get(ref)
            except (self.ray.exceptions.RayActorError, self.ray.exceptions.WorkerCrashedError,
                    self.ray.exceptions.ObjectLostError) as exc:
                self._worker_died(e, worker, exc)
                continue
            except self.ray.exceptions.RayError as exc:
                log.error("a worker could not return %s: %s", e.path, exc)
                e.error = SideloadError(f"the Ray worker could not return its result ({type(exc).__name__})",
                                        kind="input")
                e.state = "resolved"
                self.idle.append(worker)
                continue
            self.idle.append(worker)
            if out.need_chapter is not None:
                e.need, e.after_earlier, e.state = out.need_chapter, True, "ready"
                continue
            stats = self.engine.stats
            stats["pipeline_s"] += out.seconds
            stats["result_mb"] += len(pickle.dumps(out, protocol=5)) / 2**20
            e.outcome, e.state = out, "done"

    def _worker_died(self, e: Entry, worker, exc: BaseException) -> None:
        """Its file goes to a fresh worker; nothing of it was stored, so nothing can be doubled."""
        log.warning("a Ray worker died while importing %s (%s)", e.path, type(exc).__name__)
        self._drop_worker(worker)  # a fresh one starts when the next file needs it
        self.engine.stats["retried"] += 1
        e.attempts += 1
        if e.attempts >= MAX_ATTEMPTS:
            e.error = SideloadError(f"the Ray worker importing it died {e.attempts} times "
                                    f"({type(exc).__name__}); run the import again to retry it", kind="input")
            e.state = "resolved"
        else:
            e.state = "ready"

    def _gather_warm(self) -> None:
        ready, _ = self.ray.wait(self.warming, num_returns=len(self.warming), timeout=0) if self.warming else ([], [])
        for ref in ready:
            try:
                self.engine.stats["load_s"].append(round(self.ray.get(ref)["load_s"], 2))
            except Exception:  # a worker that died or could not load: its files said why
                pass
