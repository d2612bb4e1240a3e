"""How moments are shown in lists (the timeline, search): one thumbnail box whatever the picture's shape,
words cut at a word boundary, and the thumbnails decoded off the main thread."""
from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QImage, QPainter

from . import jobs

THUMB = QSize(128, 72)  # 16:9, the shape of most footage; portraits and squares are centred in it


def elide_words(text: str, limit: int) -> str:
    """At most `limit` characters, cut after a whole word with an ellipsis (never mid-word)."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit + 1]
    space = cut.rfind(" ")
    if space < limit // 2:  # one endless word: cutting it is all that can be done
        space = limit
    return cut[:space].rstrip(" ,;:.-–") + "…"


def fit(img: QImage, size: QSize = THUMB) -> QImage:
    """The picture scaled into `size` and centred on a transparent box of exactly that size, so the text
    beside it starts at the same place for a landscape frame, a portrait photo or no picture at all."""
    box = QImage(size, QImage.Format_ARGB32_Premultiplied)
    box.fill(Qt.transparent)
    if img.isNull():
        return box
    scaled = img.scaled(size, Qt.KeepAspectRatio, Qt.SmoothTransformation)
    p = QPainter(box)
    p.drawImage(QRect((size.width() - scaled.width()) // 2, (size.height() - scaled.height()) // 2,
                      scaled.width(), scaled.height()), scaled)
    p.end()
    return box


def load_thumbnails(name: str, wanted: list[tuple[object, str]], tag=None, size: QSize = THUMB) -> jobs.Job:
    """Decode and fit the thumbnails (each a key and a file) on a worker thread: JPEGs take milliseconds
    each. The job's result is (tag, [(key, QImage)])."""
    def load(ctx):
        out = []
        for key, path in wanted:
            ctx.check()
            img = QImage(path)
            if not img.isNull():
                out.append((key, fit(img, size)))
        return tag, out

    return jobs.start(name, load)
