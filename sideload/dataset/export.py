"""`sideload dataset export`: the owner's moments as a consented, redacted WebDataset.

Why WebDataset tar and not Parquet: a sample is a JSON record beside a JPEG, which a tar holds as
it is (Parquet would wrap images in binary columns and needs pyarrow, which Sideload does not
otherwise install); tar needs nothing beyond Python, streams sequentially (a loader reads shards
front to back, many in parallel), and its bytes are easy to make identical on every export.

Only what `sideload.store.dataset_rows` hands out (moments that are not private) is read, one row
at a time; each becomes a record through `redact` and its keyframe through `faces`. Everything is
written into a fresh folder beside the target and swapped in whole at the end, so an earlier export
in the same place (which may hold moments forgotten since) leaves nothing behind, and a cancelled or
failed export leaves the earlier one as it was.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from sideload import __version__
from sideload.dataset import card, folders, redact
from sideload.dataset.faces import FaceBlur
from sideload.dataset.pseudonym import recording_id, volunteer_id
from sideload.dataset.shards import MAX_SAMPLES, ShardWriter, sha256_of
from sideload.jobs import JobContext
from sideload.persona.activities import activities_in
from sideload.store import dataset_rows
from sideload.store.moments import meta_of
from sideload.store.queries import private_count
from sideload.store.vault import Vault

FORMAT = "sideload-dataset"
FORMAT_VERSION = 1
MANIFEST = folders.MANIFEST
CARD = "README.md"


def dumps(doc: Any) -> bytes:
    """The one JSON encoding of everything exported: sorted keys, no spaces, UTF-8."""
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def write_manifest(path: Path, manifest: dict) -> None:
    path.write_text(json.dumps(manifest, sort_keys=True, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


class _Exporter:
    def __init__(self, vault: Vault, secret: str, keyframes: bool):
        self.vault = vault
        self.secret = secret
        self.volunteer = volunteer_id(secret)
        self.consent = redact.Consent.from_settings(vault.settings)
        self.blur = FaceBlur() if keyframes else None
        self.counts: Counter = Counter()
        self.by_kind: Counter = Counter()
        self.first_day: str | None = None
        self.last_day: str | None = None

    def sample(self, row) -> dict[str, bytes]:
        meta = meta_of(row)
        words = redact.words_of(row, self.consent, self.secret)
        ocr = meta.get("ocr") or (row["text"] if row["kind"] in ("scene", "photo") else "")
        caption = redact.caption_of(row["caption"], ocr)
        jpeg, faces = self._keyframe(row["keyframe"])
        record = {
            "id": row["moment_id"], "kind": row["kind"], "volunteer": self.volunteer,
            "recording": recording_id(self.secret, row["content_hash"]),
            "started_at": row["started_at"], "day": row["day"],
            "start_s": round(float(row["start_s"]), 3), "end_s": round(float(row["end_s"]), 3),
            "speaker": words.speaker, "speaker_id": words.speaker_id, "text": words.text,
            "redacted": words.redacted, "language": meta.get("language"),
            "activities": activities_in(f"{'' if words.redacted else words.text} {caption or ''}"),
            "caption": caption, "frame": redact.frame_facts(meta) if row["kind"] in ("scene", "photo") else None,
            "faces_blurred": faces,
        }
        self.by_kind[row["kind"]] += 1
        self.counts["moments"] += 1
        self.counts["redacted_words"] += words.redacted and words.speaker == redact.OTHER
        self.counts["consented_words"] += words.speaker_id is not None
        self.counts["frame_text_left_out"] += bool(ocr) and row["kind"] in ("scene", "photo")
        self.counts["faces_blurred"] += faces
        if row["day"]:
            self.first_day = min(self.first_day or row["day"], row["day"])
            self.last_day = max(self.last_day or row["day"], row["day"])
        files = {"json": dumps(record)}
        if jpeg is not None:
            files["jpg"] = jpeg
            self.counts["keyframes"] += 1
        return files

    def _keyframe(self, rel: str | None) -> tuple[bytes | None, int]:
        if not rel or self.blur is None:
            return None, 0
        root = self.vault.paths.root
        path = (root / rel).resolve()
        if root not in path.parents or not path.is_file():
            self.counts["keyframes_missing"] += 1
            return None, 0
        try:
            return self.blur.redact_jpeg(path.read_bytes())
        except ValueError:  # an unreadable keyframe is left out, never passed through unblurred
            self.counts["keyframes_missing"] += 1
            return None, 0

    def summary(self, shards: list[dict]) -> dict:
        c = self.counts
        return {"moments": c["moments"], "by_kind": dict(sorted(self.by_kind.items())),
                "keyframes": c["keyframes"], "keyframes_left_out": c["keyframes_missing"],
                "faces_blurred": c["faces_blurred"], "redacted_words": c["redacted_words"],
                "consented_words": c["consented_words"], "consenting_people": len(self.consent.people),
                "frame_text_left_out": c["frame_text_left_out"], "shards": len(shards),
                "first_day": self.first_day, "last_day": self.last_day}


def export(vault: Vault, out: Path, *, secret: str, ctx: JobContext | None = None, keyframes: bool = True,
           max_samples: int = MAX_SAMPLES) -> dict:
    """Write the dataset into `out` (new, empty, or an earlier export, which is replaced whole)."""
    ctx = ctx or JobContext()
    out = Path(out).expanduser().resolve()
    exporter = _Exporter(vault, secret, keyframes)
    staging = folders.staging_for(out, FORMAT)
    total = dataset_rows.exportable_count(vault.db)
    writer = ShardWriter(staging, max_samples=max_samples)
    try:
        for n, row in enumerate(dataset_rows.exportable_moments(vault.db), 1):
            ctx.check()
            writer.add(row["moment_id"], exporter.sample(row))
            ctx.report(n / max(total, 1), "exporting", done=n, total=total, message="moments")
        shards = writer.close()
        counts = exporter.summary(shards)
        (staging / CARD).write_text(card.export_card(exporter.volunteer, counts), encoding="utf-8")
        write_manifest(staging / MANIFEST, {
            "format": FORMAT, "format_version": FORMAT_VERSION, "layout": "webdataset",
            "volunteer": exporter.volunteer, "shards": shards, "counts": counts,
            "card": {"name": CARD, "sha256": sha256_of(staging / CARD)},
            "exported_by": f"sideload {__version__}"})
        folders.swap_in(staging, out)
    except BaseException:
        writer.abort()
        folders.discard(staging)
        raise
    return {"out": str(out), "volunteer": exporter.volunteer, **counts,
            "left_out": {"private": private_count(vault.db)}}
