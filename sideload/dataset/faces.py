"""Faces in keyframes, blurred before any keyframe leaves the vault.

Detection is OpenCV's Haar cascades (the same engine the frame descriptions count faces with), set
to find more rather than fewer: the frontal cascade with fewer neighbours needed than the describer
asks for, and the profile cascade both ways round (it only knows faces turned one way). A found box
is widened by a margin (hair, ears, the chin the box cuts off), pixelated to a few blocks and then
blurred, so no feature survives. Haar cascades still miss faces (small, dark, turned away, distorted
by a fisheye), which the dataset card says plainly.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from sideload.errors import SideloadError

JPEG_QUALITY = 90
MARGIN = 0.35  # of the box's size, on every side
BLOCKS = 6  # the face becomes about this many blocks across before the blur


class FaceBlur:
    """Owns its cascades (not shared across threads)."""

    def __init__(self) -> None:
        import cv2

        self.cv2 = cv2
        base = Path(cv2.data.haarcascades)
        self.frontal = cv2.CascadeClassifier(str(base / "haarcascade_frontalface_default.xml"))
        self.profile = cv2.CascadeClassifier(str(base / "haarcascade_profileface.xml"))
        if self.frontal.empty() or self.profile.empty():
            raise SideloadError("OpenCV's face cascades are missing, so faces could not be blurred; nothing "
                                "was exported", kind="missing-model", hint="install opencv-python-headless<5")

    def find(self, gray: np.ndarray) -> list[tuple[int, int, int, int]]:
        cv2 = self.cv2
        gray = cv2.equalizeHist(gray)
        kw = dict(scaleFactor=1.15, minNeighbors=3, minSize=(20, 20))
        boxes = [tuple(int(v) for v in b) for b in self.frontal.detectMultiScale(gray, **kw)]
        boxes += [tuple(int(v) for v in b) for b in self.profile.detectMultiScale(gray, **kw)]
        width = gray.shape[1]
        for x, y, w, h in self.profile.detectMultiScale(cv2.flip(gray, 1), **kw):
            boxes.append((width - int(x) - int(w), int(y), int(w), int(h)))
        return sorted(boxes)

    def blur(self, bgr: np.ndarray, boxes: list[tuple[int, int, int, int]]) -> np.ndarray:
        cv2 = self.cv2
        out = bgr.copy()
        height, width = out.shape[:2]
        for x, y, w, h in boxes:
            mx, my = int(w * MARGIN), int(h * MARGIN)
            x0, y0 = max(0, x - mx), max(0, y - my)
            x1, y1 = min(width, x + w + mx), min(height, y + h + my)
            roi = out[y0:y1, x0:x1]
            rw, rh = roi.shape[1], roi.shape[0]
            small = cv2.resize(roi, (max(1, BLOCKS * rw // max(w, 1)), max(1, BLOCKS * rh // max(h, 1))),
                               interpolation=cv2.INTER_AREA)
            blocks = cv2.resize(small, (rw, rh), interpolation=cv2.INTER_NEAREST)
            k = max(3, (min(rw, rh) // 4) | 1)
            out[y0:y1, x0:x1] = cv2.GaussianBlur(blocks, (k, k), 0)
        return out

    def redact_jpeg(self, jpeg: bytes) -> tuple[bytes, int]:
        """(the keyframe re-encoded with every face found blurred, how many were found). The encoding
        is fixed (quality, no metadata), so the same keyframe always gives the same bytes."""
        cv2 = self.cv2
        bgr = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        if bgr is None:
            raise ValueError("not a readable JPEG")
        boxes = self.find(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY))
        ok, buf = cv2.imencode(".jpg", self.blur(bgr, boxes), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        if not ok:
            raise ValueError("the keyframe could not be encoded")
        return buf.tobytes(), len(boxes)
