"""Understanding: speech, voices, frames and text embeddings. Headless; no Qt here.

Each engine that is not thread-safe (Whisper, the voice encoder, OCR, the embedder, Llama) is
owned by one `ModelHub`, and heavy work goes through its single lock: on 2 cores two heavy jobs
at once ran many times slower than one after the other.
"""
