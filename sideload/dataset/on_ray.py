"""The merge's per-input work as Ray tasks (`sideload dataset merge --engine ray`).

Checking and copying an export is hashing and copying bytes, one input at a time, so each input is
one Ray task (no actor: there is no model to keep loaded). The workers must see the inputs and the
output folder at the same paths as the driver: a shared file system on a cluster, or this machine.
Ray is imported only here, and only when a merge asks for it.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterator


@contextmanager
def ray_mapper(address: str | None = None) -> Iterator[Callable[[Callable[..., Any], list], list]]:
    """A mapper like the merge's local one, running each call as a Ray task; the runtime is started
    here (and stopped after) unless `address` names a cluster to join."""
    from sideload.cluster.runtime import ray_runtime, require_ray

    ray = require_ray()
    with ray_runtime(address):
        def mapper(fn: Callable[..., Any], items: list) -> list:
            task = ray.remote(num_cpus=1, max_retries=2)(fn)  # a lost worker's input is simply done again
            return ray.get([task.remote(*item) for item in items])

        yield mapper
