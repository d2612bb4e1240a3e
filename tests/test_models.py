"""Real models on real audio: transcription, silence, voices."""

import numpy as np
import pytest

from models.wer import wer

from models.audio import SAMPLE_RATE, decode_audio, speech_regions
from models.transcribe import load_model, transcribe

pytestmark = pytest.mark.slow

JFK = "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country."


@pytest.fixture(scope="module")
def whisper(home):  # the default model is assembled into the per-user cache: keep it under home
    return load_model(None, device="cpu", threads=2)


def test_wer_helper_is_not_trivially_zero():
    assert wer("a b c d", "a x c") == 0.5


def test_jfk_is_transcribed_close_to_its_reference(whisper, shared_data):
    audio = decode_audio(shared_data / "audio" / "jfk.flac")
    assert abs(audio.size / SAMPLE_RATE - 11.0) < 0.2
    regions = speech_regions(audio)
    assert regions and regions[0].start < 1.0
    segments = transcribe(whisper, audio, regions)
    text = " ".join(s.text for s in segments)
    assert wer(JFK, text) <= 0.10, text
    assert segments[0].start < 1.0 and segments[-1].end > 9.0 and segments[-1].end <= 11.2


@pytest.mark.parametrize("kind", ["silence", "white-noise", "hum-and-noise"])
def test_thirty_seconds_without_speech_yield_no_words(whisper, kind):
    rng = np.random.default_rng(7)
    n = 30 * SAMPLE_RATE
    if kind == "silence":
        audio = np.zeros(n, np.float32)
    elif kind == "white-noise":
        audio = (rng.standard_normal(n) * 0.1).astype(np.float32)
    else:
        t = np.arange(n) / SAMPLE_RATE
        audio = (0.2 * np.sin(2 * np.pi * 50 * t) + rng.standard_normal(n) * 0.05).astype(np.float32)
    regions = speech_regions(audio)
    assert transcribe(whisper, audio, regions) == []


def test_owner_voice_is_told_from_others():
    from models.speaker import cluster_voices, label, load_encoder, owner_reference, voiceprint
    from sideload.demo.sampleday import VOICES, speak

    enc = load_encoder("cpu")
    owner_lines = ["I put my passport in the top drawer of the desk.", "I will take the bus at half past ten.",
                   "I keep thinking about the trip to Lisbon next month."]
    prints, who = [], []
    for line in owner_lines:
        prints.append(voiceprint(enc, speak(line, VOICES["owner"])))
        who.append("me")
    for voice in ("partner", "dentist", "colleague"):
        prints.append(voiceprint(enc, speak("Do not forget that we have the appointment at eleven.", VOICES[voice])))
        who.append("other")
    p = np.stack(prints)
    weights = np.ones(len(p))
    owner = owner_reference(p, weights, 0.80, None)  # no enrolment: the dominant voice
    assert label(p, owner, 0.80) == who
    assert len(cluster_voices(p, weights, 0.80)) >= 2


def test_a_processor_with_amx_loads_the_chat_model_without_its_crashing_buffers(monkeypatch):
    """On a Xeon with AMX, llama.cpp's AMX multiply crashed the process on the first answer. Where the
    build says it uses AMX, the model loads without the extra buffer types, and still answers; the
    library's defaults are left as they were."""
    import llama_cpp.llama_cpp as lib

    from models import llama_load
    from models.llm import bundled_llm_path

    defaults = lib.llama_model_default_params
    monkeypatch.setattr(llama_load, "uses_amx", lambda: True)
    llm = llama_load.open_llama(model_path=str(bundled_llm_path()), n_ctx=256, n_threads=1, verbose=False)
    assert llm.model_params.use_extra_bufts is False
    assert lib.llama_model_default_params is defaults
    assert lib.llama_model_default_params().use_extra_bufts is True
    out = llm.create_completion("The capital of France is", max_tokens=4, temperature=0.0)
    assert out["choices"][0]["text"].strip()
    monkeypatch.setattr(llama_load, "uses_amx", lambda: False)
    assert llama_load.open_llama(model_path=str(bundled_llm_path()), n_ctx=256, n_threads=1,
                                 verbose=False).model_params.use_extra_bufts is True
