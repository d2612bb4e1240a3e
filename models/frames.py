"""Keyframes and frame descriptions.

Keyframes come from decoding only what is needed: the codec's own key frames (ffmpeg
`-skip_frame nokey`), scaled small, when they are close enough together; a sparse fps sample
otherwise. Scene changes among those samples pick the keyframes, at most one per
`min_gap` seconds and at least one per `max_gap` seconds.

No package ships a captioning model, so a frame is described from what does run here: what is in
view and where (an ImageNet classifier, models.objects), faces (OpenCV Haar cascade), text in the
frame (rapidocr, only where the frame looks like it holds text unless told otherwise), and, when
nothing else is known, colour and brightness; sharpness and motion are kept as facts.
"""
from __future__ import annotations

import re
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import numpy as np

if TYPE_CHECKING:
    from .objects import InView

SAMPLE_WIDTH = 1280  # small faces in wide first-person footage need this many pixels
_PTS = re.compile(r"pts_time:\s*([-0-9.]+)")


class FrameDecodeError(Exception):
    pass


def _ffmpeg_frames(path: Path, width: int, height: int, *, keyframes_only: bool,
                   fps: float | None = None) -> Iterator[tuple[float, np.ndarray]]:
    """Yield (time_s, RGB frame) from ffmpeg; times come from showinfo on stderr."""
    vf = [f"scale={width}:{height}"]
    if fps:
        vf.insert(0, f"fps={fps}")
    vf.append("showinfo")
    cmd = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "info", "-threads", "2"]
    if keyframes_only:
        cmd += ["-skip_frame", "nokey"]
    cmd += ["-i", str(path), "-map", "0:v:0", "-an", "-sn", "-vf", ",".join(vf),
            "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    times: list[float] = []
    errors: list[str] = []
    cond = threading.Condition()
    done = [False]

    def read_stderr() -> None:
        assert proc.stderr is not None
        for raw in proc.stderr:
            line = raw.decode(errors="replace")
            m = _PTS.search(line) if "showinfo" in line else None
            with cond:
                if m:
                    times.append(float(m.group(1)))
                elif "rror" in line or "nvalid" in line:
                    errors.append(line.strip())
                cond.notify_all()
        with cond:
            done[0] = True
            cond.notify_all()

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    frame_bytes = width * height * 3
    n = 0
    try:
        assert proc.stdout is not None
        while True:
            buf = proc.stdout.read(frame_bytes)
            if len(buf) < frame_bytes:
                break
            with cond:
                cond.wait_for(lambda: len(times) > n or done[0], timeout=10)
                t = times[n] if len(times) > n else (times[-1] if times else 0.0)
            n += 1
            yield t, np.frombuffer(buf, np.uint8).reshape(height, width, 3)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        reader.join(timeout=5)
        proc.stdout.close()
        proc.stderr.close()
    if n == 0 and proc.returncode not in (0, None, -9):
        raise FrameDecodeError(errors[-1] if errors else f"ffmpeg could not decode the video ({proc.returncode})")


def sample_frames(path: Path, width: int, height: int, duration: float, *, keyframe_count: int | None,
                  max_interval: float = 6.0) -> Iterator[tuple[float, np.ndarray]]:
    """Cheap samples of a video: its key frames when they come often enough, else 1 per 2 s."""
    if keyframe_count and duration > 0 and duration / keyframe_count <= max_interval:
        yield from _ffmpeg_frames(path, width, height, keyframes_only=True)
    else:
        yield from _ffmpeg_frames(path, width, height, keyframes_only=False, fps=0.5)


def all_frames(path: Path, width: int, height: int) -> Iterator[tuple[float, np.ndarray]]:
    """Every frame (the naive baseline of the ingest benchmark)."""
    yield from _ffmpeg_frames(path, width, height, keyframes_only=False)


def signature(frame: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A tiny picture of a frame (grey 64x36 and a colour histogram) that frame_difference compares."""
    import cv2

    small = cv2.resize(frame, (64, 36), interpolation=cv2.INTER_AREA)
    gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
    hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
    hist = cv2.calcHist([hsv], [0, 1], None, [12, 4], [0, 180, 0, 256]).ravel()
    hist /= max(hist.sum(), 1.0)
    return gray, hist


def frame_difference(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> float:
    """0 for the same picture, toward 1 for a different scene."""
    pixel = float(np.mean(np.abs(a[0] - b[0])))
    hist = 0.5 * float(np.abs(a[1] - b[1]).sum())
    return 0.5 * pixel + 0.5 * hist


@dataclass
class Keyframe:
    t: float
    jpeg: bytes  # kept compressed: an hour of footage holds hundreds of keyframes
    motion: float  # mean difference to the previous sample
    scene_end: float = 0.0

    @classmethod
    def from_frame(cls, t: float, frame: np.ndarray, motion: float) -> "Keyframe":
        import cv2

        ok, buf = cv2.imencode(".jpg", cv2.cvtColor(frame, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85])
        return cls(t, buf.tobytes(), motion)

    def image(self) -> np.ndarray:
        import cv2

        bgr = cv2.imdecode(np.frombuffer(self.jpeg, np.uint8), cv2.IMREAD_COLOR)
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def pick_keyframes(samples: Iterator[tuple[float, np.ndarray]], *, duration: float, min_gap: float,
                   max_gap: float, threshold: float) -> list[Keyframe]:
    chosen: list[Keyframe] = []
    prev_sig = None
    last_sig = None
    motions: list[float] = []
    for t, frame in samples:
        sig = signature(frame)
        motion = frame_difference(sig, prev_sig) if prev_sig is not None else 0.0
        prev_sig = sig
        motions.append(motion)
        if not chosen:
            chosen.append(Keyframe.from_frame(t, frame, motion))
            last_sig = sig
            continue
        since = t - chosen[-1].t
        changed = frame_difference(sig, last_sig) >= threshold
        if (changed and since >= min_gap) or since >= max_gap:
            chosen.append(Keyframe.from_frame(t, frame, motion))
            last_sig = sig
    for i, kf in enumerate(chosen):
        kf.scene_end = chosen[i + 1].t if i + 1 < len(chosen) else max(duration, kf.t)
    return chosen


# -- describing a frame -----------------------------------------------------------------------

_HUES = [(10, "red"), (25, "orange"), (35, "yellow"), (85, "green"), (100, "teal"), (130, "blue"),
         (160, "purple"), (180, "red")]


@dataclass
class FrameFacts:
    faces: int = 0
    text: str = ""
    colour: str = ""
    brightness: float = 0.0
    sharpness: float = 0.0
    motion: float = 0.0
    in_view: "InView | None" = None  # the classifier's labels, place and groups
    describer: str = "faces, text, colour"
    vision: str = ""  # a user's vision model's sentence (models.vision), on the few frames it captions
    extra: dict = field(default_factory=dict)

    def caption(self) -> str:
        """What a person reads, and what search sees: 'at a dining table, in a restaurant (a meal);
        one face; text: "EXIT"', after a vision model's sentence where one wrote it. Light and
        colour only where nothing in view was recognised or said."""
        seen = self.in_view.phrase() if self.in_view else ""
        parts = [self.vision] if self.vision else []
        if seen:
            parts.append(seen)
        elif not self.vision:  # the model's sentence says more than light and colour would
            light = "dark" if self.brightness < 0.2 else "dim" if self.brightness < 0.4 else \
                "bright" if self.brightness > 0.7 else "evenly lit"
            parts.append(f"{light} scene" + (f", mostly {self.colour}" if self.colour else ""))
        if self.faces:
            parts.append("one face" if self.faces == 1 else f"{self.faces} faces")
        if self.text:
            parts.append(f'text: "{self.text}"')
        if self.sharpness < 40:
            parts.append("blurred")
        if self.motion > 0.15:
            parts.append("moving")
        return "; ".join(parts)

    def as_meta(self) -> dict:
        return {"faces": self.faces, "ocr": self.text, "colour": self.colour,
                "brightness": round(self.brightness, 3), "sharpness": round(self.sharpness, 1),
                "motion": round(self.motion, 3), "describer": self.describer,
                # per keyframe, so a better model later can replace them
                **({"labels": [[n, p] for n, p in self.in_view.labels], "place": self.in_view.place}
                   if self.in_view else {}),
                **({"vision_caption": self.vision} if self.vision else {}),
                **self.extra}


def dominant_colour(hsv: np.ndarray) -> str:
    sat = hsv[..., 1] > 60
    val = hsv[..., 2]
    if sat.mean() < 0.15:
        mean_v = float(val.mean())
        return "black" if mean_v < 50 else "white" if mean_v > 200 else "grey"
    hues = hsv[..., 0][sat]
    hist = np.bincount(hues.ravel(), minlength=180)
    peak = int(np.argmax(np.convolve(hist, np.ones(9), mode="same")))
    for limit, name in _HUES:
        if peak < limit:
            return name
    return "red"


def looks_like_text(gray: np.ndarray) -> bool:
    """Cheap test before OCR: rows of small, high-contrast, horizontally aligned shapes."""
    import cv2

    grad = cv2.morphologyEx(gray, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    _, bw = cv2.threshold(grad, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    joined = cv2.morphologyEx(bw, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 1)))
    # RETR_LIST: text on a sign sits inside the sign's own outline
    contours, _ = cv2.findContours(joined, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    lines = 0
    for c in contours:
        x, y, w, h = cv2.boundingRect(c)
        if 8 <= h <= 80 and w >= 2.5 * h and w < gray.shape[1] * 0.95:
            roi = bw[y:y + h, x:x + w]
            if 0.2 < float(roi.mean()) / 255 < 0.85:
                lines += 1
    return lines >= 1


def describer_name(classifier: bool, vision: str = "") -> str:
    """Which describer is active, in the words the app shows and each keyframe's meta keeps;
    `vision` is a user's vision model (models.vision) where one is set."""
    from .objects import NAME

    base = f"{NAME} (ImageNet) + faces, text" if classifier else "faces, text, colour"
    return f"{vision} + {base}" if vision else base


class FrameDescriber:
    """Owns the face cascade and the OCR engine (neither is shared across threads)."""

    def __init__(self, *, ocr_mode: str = "auto", threads: int = 1, classifier=None):
        import cv2

        self.cv2 = cv2
        self.faces = cv2.CascadeClassifier(str(Path(cv2.data.haarcascades) / "haarcascade_frontalface_default.xml"))
        if self.faces.empty():
            raise FileNotFoundError("OpenCV's face cascade is missing (opencv-python-headless<5 ships it)")
        self.ocr_mode = ocr_mode
        self.classifier = classifier  # models.objects.ObjectClassifier, or None when turned off
        self.name = describer_name(classifier is not None)
        self._ocr = None
        self._threads = threads

    def _ocr_engine(self):
        if self._ocr is None:
            from rapidocr_onnxruntime import RapidOCR

            self._ocr = RapidOCR(intra_op_num_threads=self._threads, inter_op_num_threads=1)
        return self._ocr

    def read_text(self, rgb: np.ndarray) -> str:
        result, _ = self._ocr_engine()(rgb[..., ::-1].copy(), use_cls=False)
        words = [r[1] for r in (result or []) if len(r) > 2 and float(r[2]) >= 0.6 and r[1].strip()]
        return " ".join(words)[:300]

    def describe(self, rgb: np.ndarray, motion: float = 0.0) -> FrameFacts:
        cv2 = self.cv2
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
        scale = SAMPLE_WIDTH / max(gray.shape[1], 1)
        g = gray if scale >= 1 else cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        found = self.faces.detectMultiScale(g, scaleFactor=1.15, minNeighbors=5, minSize=(24, 24))
        small = g if g.shape[1] <= 640 else cv2.resize(g, (640, g.shape[0] * 640 // g.shape[1]),
                                                          interpolation=cv2.INTER_AREA)
        facts = FrameFacts(
            faces=int(len(found)),
            colour=dominant_colour(hsv),
            brightness=float(hsv[..., 2].mean()) / 255.0,
            sharpness=float(cv2.Laplacian(small, cv2.CV_64F).var()),
            motion=motion,
            describer=self.name,
        )
        if self.classifier is not None:
            facts.in_view = self.classifier.classify(rgb)
        if self.ocr_mode == "always" or (self.ocr_mode == "auto" and looks_like_text(small)):
            facts.text = self.read_text(rgb)
        return facts
