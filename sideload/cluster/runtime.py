"""Start a Ray runtime on this machine or join a cluster, and stop only what was started.

Reusable by anything that fans work out over Ray (the import engine, a dataset merge):

    with ray_runtime(address) as rt:      # None: a runtime on this machine, shut down afterwards
        ...                               # "auto" or "HOST:PORT": join; leaving disconnects only
        rt.cpus, rt.gpus                  # what the cluster offers

A process that is already connected (a test that made its own cluster) keeps its connection.
"""
from __future__ import annotations

import logging
import os
import socket
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

from sideload.errors import SideloadError

JOIN_HINT = ("check the address (`ray status` on the head node prints it), or leave --address and the "
             "ray_address setting empty to run on this machine")
INSTALL_HINT = "install the cluster extra: pip install -e '.[cluster]' (Ray 2.40 or newer)"


def require_ray():
    """The ray module, or a clear error naming the extra to install."""
    try:
        import ray
    except ImportError:
        raise SideloadError("the Ray engine needs Ray, which is not installed", kind="missing-dependency",
                            hint=INSTALL_HINT) from None
    return ray


def local_cpus() -> int:
    """The cores this process may run on (a container's or taskset's limit, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@dataclass
class Runtime:
    address: str | None  # None: started here
    started: bool  # True when leaving must shut the runtime down
    connected: bool  # True when this process connected (and so disconnects on leaving)
    start_s: float = 0.0
    nodes: list[dict] = field(default_factory=list)

    @property
    def cpus(self) -> float:
        return sum(n["CPU"] for n in self.nodes)

    @property
    def gpus(self) -> float:
        return sum(n["GPU"] for n in self.nodes)


def _nodes(ray) -> list[dict]:
    return [{"CPU": float(n["Resources"].get("CPU", 0)), "GPU": float(n["Resources"].get("GPU", 0)),
             "address": n.get("NodeManagerAddress", "")} for n in ray.nodes() if n.get("Alive")]


def check_reachable(address: str, timeout_s: float = 5.0) -> None:
    """Refuse an address where nothing answers, at once: Ray itself retries a dead address for minutes."""
    if address == "auto":
        return  # Ray finds the cluster this machine runs, or says at once that there is none
    hostport = address.removeprefix("ray://")
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        raise SideloadError(f"the Ray address {address!r} is not HOST:PORT", kind="usage",
                            hint="for example 10.0.0.5:6379, or auto for a cluster this machine runs")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s).close()
    except OSError as exc:
        raise SideloadError(f"could not join the Ray cluster at {address}: nothing answers there "
                            f"({exc.strerror or exc})", kind="cluster", hint=JOIN_HINT) from None


@contextmanager
def ray_runtime(address: str | None = None, *, num_cpus: int | None = None) -> Iterator[Runtime]:
    ray = require_ray()
    t0 = time.perf_counter()
    if ray.is_initialized():
        rt = Runtime(address=address, started=False, connected=False)
    else:
        quiet = {"log_to_driver": False, "logging_level": logging.WARNING, "configure_logging": True}
        if address:
            check_reachable(address)
            try:
                ray.init(address=address, **quiet)
            except (ConnectionError, ValueError, RuntimeError) as exc:
                raise SideloadError(f"could not join the Ray cluster at {address} ({exc})", kind="cluster",
                                    hint=JOIN_HINT) from None
            rt = Runtime(address=address, started=False, connected=True)
        else:
            # the dashboard and its agents cost a core's worth of start-up on a small machine, and
            # workers' output would mix into the command's own stderr
            ray.init(num_cpus=num_cpus or local_cpus(), include_dashboard=False, **quiet)
            rt = Runtime(address=None, started=True, connected=True)
    try:
        rt.nodes = _nodes(ray)
        rt.start_s = time.perf_counter() - t0
        yield rt
    finally:
        if rt.connected:
            ray.shutdown()  # for a runtime started here this stops it; for a cluster, it disconnects
