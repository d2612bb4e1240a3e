"""The settings in a person's words: a plain label (the technical name goes in the tooltip), what an empty
field means, and what a change does to what is already imported, with the core step that redoes it
where one exists. The schema itself (names, types, defaults, descriptions) stays in sideload.settings;
a setting not named here is shown by its name made readable, and says nothing it cannot promise."""
from __future__ import annotations

from dataclasses import dataclass

from sideload.settings import Setting


@dataclass(frozen=True)
class Words:
    label: str
    applies: str = ""  # what a change does to what is already there
    empty: str = ""  # the placeholder of an empty text or path field
    redo: str = ""  # a key of REDO: the step that applies the change to what is already imported


NEW_IMPORTS = "Applies to new imports; what is already imported stays as it was transcribed and described."
NIGHTLY = "Applies from the next nightly learning."
AT_ONCE = "Applies at once."
VOICES = "Applies when voices are next told apart (every import does it for the whole vault)."

WORDS: dict[str, Words] = {
    "owner_name": Words("Owner's name", "Applies at once to the persona; chat exports are read with it at import.",
                        "their name as it appears in chat exports"),
    "owner_aliases": Words("Other names of the owner", "Applies to chat exports imported from now on.",
                           "for example Liz, Elizabeth B."),
    "owner_voice_sample": Words("A recording of the owner's voice", VOICES,
                                "empty: the voice heard most in the vault is taken as the owner's", redo="voices"),
    "whisper_model": Words("Speech model (a folder)", NEW_IMPORTS, "empty: the built-in speech model below"),
    "whisper_bundled": Words("Built-in speech model", NEW_IMPORTS),
    "whisper_language": Words("Spoken language", NEW_IMPORTS, "empty: found for each stretch of speech"),
    "whisper_beam_size": Words("Care taken transcribing (beam size)", NEW_IMPORTS),
    "embedding_model": Words("Meaning model for search (a folder)",
                             "Everything already imported is re-read with it by the next nightly learning, or now.",
                             "empty: the built-in all-MiniLM-L6-v2", redo="re-embed"),
    "llm_model": Words("Chat model (a GGUF file)", "Applies from the next answer.",
                       "empty: the built-in SmolLM2-135M-Instruct"),
    "threads": Words("Processor threads for models", "Applies to the next job."),
    "device": Words("Run models on", "Applies to the next job."),
    "copy_originals": Words("Copy originals into the vault", NEW_IMPORTS),
    "import_exclude": Words("Files and folders never imported", NEW_IMPORTS, "for example */Private/*"),
    "import_exclude_ranges": Words("Times never imported", NEW_IMPORTS,
                                   "for example 2026-03-02T18:00/2026-03-02T23:00"),
    "keyframe_min_gap_s": Words("Least time between two pictures of a video (seconds)", NEW_IMPORTS),
    "keyframe_max_gap_s": Words("A picture of a still scene at least every (seconds)", NEW_IMPORTS),
    "scene_threshold": Words("How different a view must look to be a new scene", NEW_IMPORTS),
    "ocr": Words("Read text in pictures", NEW_IMPORTS),
    "frame_objects": Words("Name what is in view in pictures", NEW_IMPORTS),
    "vision_model": Words("Model that describes pictures in a sentence (a GGUF file)", NEW_IMPORTS,
                          "empty: pictures are described without one"),
    "vision_mmproj": Words("Its picture encoder (the mmproj file)", NEW_IMPORTS, "empty: none"),
    "vision_frames": Words("Pictures described in a sentence per video", NEW_IMPORTS),
    "speaker_threshold": Words("How alike a voice must be to count as the owner's", VOICES, redo="voices"),
    "max_speech_moment_s": Words("Longest stretch of talk in one moment (seconds)", NEW_IMPORTS),
    "nightly_time": Words("Time of the nightly learning", "Applies from tonight."),
    "watch_folders": Words("Folders imported every night", NIGHTLY, "for example /media/card/DCIM"),
    "train": Words("Learn from my words every night", NIGHTLY),
    "train_token_budget": Words("How much is learnt each night (words, roughly tokens)", NIGHTLY),
    "train_replay_share": Words("Share of older words learnt again each night", NIGHTLY),
    "train_rank": Words("How much the persona learns each night (LoRA rank)", NIGHTLY),
    "train_learning_rate": Words("How fast the persona adapts (learning rate)", NIGHTLY),
    "train_on_private": Words("Learn from private moments too", NIGHTLY),
    "heldout_tokens": Words("Newest words kept back to test the persona (held-out tokens)", NIGHTLY),
}

# what each redo runs, in the person's words: (button text, what it does)
REDO = {
    "re-embed": ("Re-read everything with it now…", "re-embedding every moment with the new model"),
    "voices": ("Tell voices apart again now…", "telling the owner's voice from the others again"),
}


def words_for(s: Setting) -> Words:
    return WORDS.get(s.name) or Words(s.name.replace("_", " ").capitalize())


def tooltip(s: Setting) -> str:
    """The technical name beside the description: what a script or `sideload settings` calls it."""
    return f"{s.name}: {s.description}"
