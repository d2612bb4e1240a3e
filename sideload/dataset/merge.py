"""`sideload dataset merge`: many volunteers' exports joined into one dataset, a split per volunteer.

Every input is checked against its own manifest before anything is written: the manifest's form,
each shard's size and SHA-256, the card's. One bad input refuses the whole merge, naming it and
why, so a lab never trains on a shard that is not what its volunteer exported. Shards are then
copied into `OUT/VOLUNTEER/` and hashed again as they are copied (a file changed in between is
caught), and `OUT/manifest.json` lists every split with its shards' checksums.

The per-input work (hashing and copying, the whole cost) is a plain function over one input, so it
can run in this process or as Ray tasks (`--engine ray`) on machines that see the same folders.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any, Callable, Iterable

from sideload.dataset import card, folders
from sideload.dataset.export import CARD, FORMAT, FORMAT_VERSION, MANIFEST, write_manifest
from sideload.dataset.shards import sha256_of
from sideload.errors import SideloadError
from sideload.jobs import JobContext

MERGED_FORMAT = "sideload-dataset-merged"
_VOLUNTEER = re.compile(r"^v[0-9a-f]{16}$")  # also a folder name: nothing else may pass
_SHARD = re.compile(r"^shard-\d{6}\.tar$")
_SHA = re.compile(r"^[0-9a-f]{64}$")

Mapper = Callable[[Callable[..., Any], list], list]


def _local_map(fn: Callable[..., Any], items: list) -> list:
    return [fn(*item) for item in items]


def check_export(path: str) -> dict:
    """One input, checked against its manifest: {"path", "volunteer", "manifest", "problems"}."""
    folder = Path(path)
    out: dict[str, Any] = {"path": path, "volunteer": None, "manifest": None, "problems": []}
    problems = out["problems"]
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append("no manifest.json: not a Sideload dataset export")
        return out
    except (OSError, ValueError) as exc:
        problems.append(f"manifest.json cannot be read ({exc})")
        return out
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        fmt = manifest.get("format") if isinstance(manifest, dict) else None
        problems.append("a merged dataset, not one volunteer's export" if fmt == MERGED_FORMAT
                        else "manifest.json is not a Sideload dataset export's")
        return out
    if not isinstance(manifest.get("format_version"), int) or manifest["format_version"] > FORMAT_VERSION:
        problems.append(f"written by a newer Sideload (format {manifest.get('format_version')!r})")
        return out
    volunteer, shards = manifest.get("volunteer"), manifest.get("shards")
    if not isinstance(volunteer, str) or not _VOLUNTEER.match(volunteer) or not isinstance(shards, list):
        problems.append("manifest.json is damaged (no volunteer id or shard list)")
        return out
    out.update(volunteer=volunteer, manifest=manifest)
    listed = [s for s in shards if isinstance(s, dict)]
    entries = [(s.get("name"), s.get("sha256"), s.get("bytes")) for s in listed]
    card_entry = manifest.get("card") or {}
    entries.append((card_entry.get("name"), card_entry.get("sha256"), None))
    for name, sha, size in entries:
        problem = _check_file(folder, name, sha, size)
        if problem:
            problems.append(problem)
    if len(listed) != len(shards):
        problems.append("manifest.json is damaged (a shard entry is not an object)")
    return out


def _check_file(folder: Path, name: Any, sha: Any, size: Any) -> str | None:
    if not isinstance(name, str) or not (_SHARD.match(name) or name == CARD) or not isinstance(sha, str) \
            or not _SHA.match(sha):
        return f"manifest.json lists a file it should not ({name!r})"
    path = folder / name
    if not path.is_file():
        return f"{name} is missing"
    if size is not None and path.stat().st_size != size:
        return f"{name} has {path.stat().st_size} bytes, the manifest says {size}"
    if sha256_of(path) != sha:
        return f"{name} does not match its checksum (altered or damaged)"
    return None


def copy_split(path: str, dest: str, names: list[str], sums: list[str]) -> list[str]:
    """Copies the listed files of one export into `dest`, hashing as it copies; the problems found."""
    problems = []
    Path(dest).mkdir(parents=True, exist_ok=True)
    for name, want in zip(names, sums):
        h = hashlib.sha256()
        with open(Path(path) / name, "rb") as src, open(Path(dest) / name, "wb") as dst:
            while block := src.read(1 << 20):
                h.update(block)
                dst.write(block)
        if h.hexdigest() != want:
            problems.append(f"{name} changed while it was merged")
    shutil.copyfile(Path(path) / MANIFEST, Path(dest) / MANIFEST)  # the volunteer's own, for provenance
    return problems


def _refuse(bad: Iterable[dict]) -> SideloadError:
    lines = [f"{b['path']}: {'; '.join(b['problems'])}" for b in bad]
    return SideloadError("refused, nothing was merged; these inputs are not what their volunteers exported:\n  "
                         + "\n  ".join(lines), kind="corrupt",
                         hint="ask the volunteer for the export again, or leave that input out")


def merge(inputs: list[Path], out: Path, *, ctx: JobContext | None = None, mapper: Mapper = _local_map) -> dict:
    ctx = ctx or JobContext()
    if not inputs:
        raise SideloadError("name at least one export to merge", kind="usage")
    out = Path(out).expanduser().resolve()
    paths = [str(Path(p).expanduser().resolve()) for p in inputs]
    if str(out) in paths:
        raise SideloadError(f"{out} is an input; merge into another folder", kind="usage")
    ctx.report(0.0, "checking", total=len(paths), message="exports")
    checked = mapper(check_export, [(p,) for p in paths])
    bad = [c for c in checked if c["problems"]]
    if bad:
        raise _refuse(bad)
    ctx.check()
    splits, duplicates, seen = [], [], {}
    for c in checked:
        vid, manifest = c["volunteer"], c["manifest"]
        sums = [s["sha256"] for s in manifest["shards"]]
        if vid in seen:
            if seen[vid] != sums:
                raise SideloadError(f"two different exports of volunteer {vid}: "
                                    f"{next(s['from'] for s in splits if s['volunteer'] == vid)} and {c['path']}",
                                    kind="input", hint="merge only the newer export of each volunteer")
            duplicates.append(c["path"])
            continue
        seen[vid] = sums
        splits.append({"volunteer": vid, "path": vid, "from": c["path"], "manifest": manifest})
    staging = folders.staging_for(out, MERGED_FORMAT)
    try:
        jobs = [(s["from"], str(staging / s["path"]),
                 [x["name"] for x in s["manifest"]["shards"]] + [CARD],
                 [x["sha256"] for x in s["manifest"]["shards"]] + [s["manifest"]["card"]["sha256"]])
                for s in splits]
        ctx.report(0.5, "copying", total=len(jobs), message="splits")
        changed = mapper(copy_split, jobs)
        bad = [{"path": s["from"], "problems": p} for s, p in zip(splits, changed) if p]
        if bad:
            raise _refuse(bad)
        ctx.check()
        doc_splits = [{"volunteer": s["volunteer"], "path": s["path"], "shards": s["manifest"]["shards"],
                       "counts": s["manifest"]["counts"], "card": s["manifest"]["card"]} for s in splits]
        doc_splits.sort(key=lambda s: s["volunteer"])
        (staging / CARD).write_text(card.merged_card(doc_splits), encoding="utf-8")
        totals = {"volunteers": len(doc_splits),
                  "moments": sum(s["counts"]["moments"] for s in doc_splits),
                  "keyframes": sum(s["counts"]["keyframes"] for s in doc_splits)}
        write_manifest(staging / MANIFEST, {
            "format": MERGED_FORMAT, "format_version": FORMAT_VERSION, "layout": "webdataset",
            "splits": doc_splits, "counts": totals,
            "card": {"name": CARD, "sha256": sha256_of(staging / CARD)}})
        folders.swap_in(staging, out)
    except BaseException:
        folders.discard(staging)
        raise
    ctx.report(1.0, "merged", done=len(splits), total=len(splits), message="splits", force=True)
    return {"out": str(out), **totals, "duplicates": duplicates,
            "splits": [{"volunteer": s["volunteer"], "path": s["path"], "moments": s["counts"]["moments"],
                        "shards": len(s["shards"])} for s in doc_splits]}
