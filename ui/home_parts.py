"""The pieces the home view is made of: the owner's portrait and the cards of rich text."""
from __future__ import annotations

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QFont, QImage, QPainter, QPainterPath, QPalette
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget


def bigger(widget: QWidget, factor: float, bold: bool = False) -> None:
    """Type size by font, not by style sheet: a style sheet pins the palette and a theme switch misses it."""
    font = QFont(widget.font())
    font.setPointSizeF(font.pointSizeF() * factor)
    font.setBold(bold)
    widget.setFont(font)
    if bold:
        widget.setProperty("heading", True)  # the theme keeps headings readable in light and dark


def initials(name: str) -> str:
    parts = [p for p in name.split() if p[:1].isalpha()]
    return "".join(p[0].upper() for p in parts[:2]) or "?"


class Portrait(QWidget):
    """The owner's photo in a circle, or their initials on the accent colour until one is chosen."""

    def __init__(self, side: int = 112):
        super().__init__()
        self.side = side
        self.image: QImage | None = None
        self.name = ""
        self.setFixedSize(side, side)
        self.setAccessibleName("Portrait")

    def sizeHint(self) -> QSize:
        return QSize(self.side, self.side)

    def set_image(self, data: bytes | None) -> None:
        img = QImage.fromData(QByteArray(data)) if data else QImage()
        self.image = None if img.isNull() else img
        self.update()

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        p.setRenderHint(QPainter.SmoothPixmapTransform)
        circle = QPainterPath()
        circle.addEllipse(QRectF(1, 1, self.side - 2, self.side - 2))
        pal = self.palette()
        if self.image is not None:
            img = self.image
            side = min(img.width(), img.height())  # the middle square: faces sit there in most photos
            crop = img.copy((img.width() - side) // 2, max(0, (img.height() - side) // 3), side, side)
            p.setClipPath(circle)
            p.drawImage(QRectF(0, 0, self.side, self.side), crop)
        else:
            p.fillPath(circle, pal.color(QPalette.Highlight))
            p.setPen(pal.color(QPalette.HighlightedText))
            font = QFont(self.font())
            font.setPixelSize(int(self.side * 0.36))
            font.setBold(True)
            p.setFont(font)
            p.drawText(self.rect(), Qt.AlignCenter, initials(self.name))
        p.end()


class Card(QFrame):
    """A titled box of rich text whose links the home view follows."""

    def __init__(self, title: str, name: str):
        super().__init__()
        self.setObjectName(name)
        self.setFrameShape(QFrame.StyledPanel)
        self.setBackgroundRole(QPalette.Base)
        self.setAutoFillBackground(True)
        self.title = QLabel(title)
        bigger(self.title, 1.15, bold=True)
        self.body = QLabel("")
        self.body.setObjectName(f"{name}Body")
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.RichText)
        self.body.setTextInteractionFlags(Qt.LinksAccessibleByMouse | Qt.LinksAccessibleByKeyboard)
        self.body.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 14)
        lay.setSpacing(8)
        lay.addWidget(self.title)
        lay.addWidget(self.body, 1)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Preferred)

    def set_html(self, text: str) -> None:
        self.body.setText(text)
