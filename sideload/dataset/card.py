"""The dataset card (README.md of an export or a merge): what is in it, how it was redacted, consent,
and the licence the study fills in. Made from counts only, never from names, so it is as
deterministic and as anonymous as the shards."""
from __future__ import annotations

FIELDS = """\
Each sample is `KEY.json` (and `KEY.jpg` when the moment has a keyframe), KEY being the moment's id.
The JSON record:

| field | what |
| --- | --- |
| `id`, `kind` | the moment's id; speech, scene, photo or text (writing, chat) |
| `volunteer` | the volunteer's pseudonym |
| `recording` | a pseudonym of the file the moment comes from (moments of one recording share it) |
| `started_at`, `day`, `start_s`, `end_s` | wall-clock start (ISO 8601), its day, and the offsets into the recording |
| `speaker` | `owner`, `other` (someone else), or null where nobody spoke (a scene, a photo) |
| `speaker_id` | a pseudonym of a consenting person; null otherwise |
| `text` | the words; `[someone else spoke]` where another person spoke without consent |
| `redacted` | true when words of this moment were left out |
| `language` | the language of the words, where it was recorded |
| `activities` | activities the words and caption speak of (meal, work, travel, ...) |
| `caption`, `frame` | the keyframe's description and its facts (faces, colour, brightness, sharpness, motion, what is in view) |
| `faces_blurred` | how many faces were found and blurred in the keyframe |
"""

REDACTION = """\
- Moments the volunteer marked private (a person, a place, a day, a file, a moment) are left out, and
  forgotten moments no longer exist in the vault they came from.
- The words of people other than the volunteer are replaced by `[someone else spoke]` unless the
  volunteer recorded that person's consent (`dataset_consenting_people`); consenting people appear
  only under a pseudonym. A voice without a name counts as someone who did not consent.
- Who spoke is what the vault knows: the chat export's sender, or the voice (the owner's voiceprint
  against everyone else's). A voice taken for the owner's by mistake is kept as the owner's words.
- Text read in frames (signs, screens, letters) is left out: it can hold anyone's words and names.
  A sentence written by a vision model (only where the volunteer set one up) is kept as written, and
  can describe what is in view, people included.
- Faces found in keyframes are pixelated and blurred (OpenCV Haar cascades, frontal and profile).
  Such detectors miss some faces (small, dark, turned away, distorted by a wide lens): review the
  keyframes before publishing them.
- No names, file paths, places or GPS positions are exported. The volunteer, consenting people and
  recordings appear as HMAC-SHA256 pseudonyms under a secret that never leaves the volunteer's vault.
- The volunteer's own words are theirs to share and are kept as spoken or written; they can still
  name people and places, so the volunteer should read what they share.
"""

CONSENT = """\
The volunteer exported this from their own Sideload vault and chose to share it. Other people's words
are included only for those the volunteer listed as consenting; how that consent was obtained and
recorded is the study's protocol, not this file's.
"""

LICENCE = "LICENCE: to be set by the study before release (placeholder). Until then: not for redistribution."


def _kinds(by_kind: dict[str, int]) -> str:
    return ", ".join(f"{n} {k}" for k, n in sorted(by_kind.items())) or "none"


def export_card(volunteer: str, counts: dict) -> str:
    span = f" from {counts['first_day']} to {counts['last_day']}" if counts.get("first_day") else ""
    return (f"# Sideload first-person dataset: volunteer `{volunteer}`\n\n"
            f"## What is in it\n\n{counts['moments']} moments ({_kinds(counts['by_kind'])}){span}, "
            f"{counts['keyframes']} keyframes, in {counts['shards']} WebDataset shard(s) (`shard-*.tar`); "
            "`manifest.json` lists every shard with its SHA-256 and its counts.\n\n"
            f"{FIELDS}\n## How it was redacted\n\n{REDACTION}\n"
            f"In this export: {counts['redacted_words']} moments with someone else's words replaced, "
            f"{counts['consented_words']} with a consenting person's words kept "
            f"({counts['consenting_people']} consenting people listed), {counts['faces_blurred']} faces "
            f"blurred, {counts['frame_text_left_out']} frames' text left out.\n\n"
            f"## Consent\n\n{CONSENT}\n## Licence\n\n{LICENCE}\n")


def merged_card(splits: list[dict]) -> str:
    rows = "\n".join(f"| `{s['volunteer']}` | `{s['path']}` | {s['counts']['moments']} | "
                     f"{s['counts']['keyframes']} | {len(s['shards'])} |" for s in splits)
    total = sum(s["counts"]["moments"] for s in splits)
    return (f"# Sideload first-person dataset: {len(splits)} volunteers, {total} moments\n\n"
            "## Splits\n\nOne split per volunteer (a folder of WebDataset shards, each checked against the "
            "volunteer's own manifest before it was merged); `manifest.json` lists them with every "
            "shard's SHA-256.\n\n| volunteer | folder | moments | keyframes | shards |\n| --- | --- | --- | --- | --- |\n"
            f"{rows}\n\n{FIELDS}\n## How it was redacted\n\nEach volunteer's export was redacted on their own "
            f"machine before it left it:\n\n{REDACTION}\n## Consent\n\n{CONSENT}\n## Licence\n\n{LICENCE}\n")
