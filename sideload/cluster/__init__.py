"""Sideload on a Ray cluster: the same declared pipeline, run by a pool of workers.

`runtime` starts a Ray runtime on this machine or joins a cluster (and stops only what it started);
`worker` is what runs on a Ray worker (one model hub per worker, one file at a time); `engine` is the
driver's side of an import (it hands files out and stores each finished one on the driver, through
the import session, in the same order and transaction as a local import). Ray is an optional extra
(`pip install .[cluster]`): nothing here is imported unless an import asks for `--engine ray`.
"""
