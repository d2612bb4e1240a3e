"""The light and the dark theme, switched live, and headings that follow them.

A widget given a style sheet keeps the palette it was polished with: a heading styled with
"font-size: 15pt" stayed black on the dark theme until the app restarted. Headings therefore get their
size and weight as a font (fonts carry no colour), and switching the theme re-polishes every widget
that still has a style sheet of its own, so nothing keeps the old theme's colours.
"""
from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QStyleFactory, QWidget

DARK = ((QPalette.Window, "#202124"), (QPalette.WindowText, "#e8eaed"), (QPalette.Base, "#17181a"),
        (QPalette.AlternateBase, "#2a2b2e"), (QPalette.Text, "#e8eaed"), (QPalette.Button, "#2d2e31"),
        (QPalette.ButtonText, "#e8eaed"), (QPalette.Highlight, "#8ab4f8"), (QPalette.HighlightedText, "#202124"),
        (QPalette.ToolTipBase, "#2d2e31"), (QPalette.ToolTipText, "#e8eaed"), (QPalette.Mid, "#9aa0a6"),
        (QPalette.Link, "#8ab4f8"), (QPalette.PlaceholderText, "#9aa0a6"), (QPalette.BrightText, "#ffffff"))


def heading(label: QLabel, point_size: float, weight: QFont.Weight = QFont.DemiBold) -> QLabel:
    """A heading: bigger and bolder, in the palette's text colour (whichever theme is in force)."""
    font = QFont(label.font())
    font.setPointSizeF(point_size)
    font.setWeight(weight)
    label.setFont(font)
    label.setProperty("heading", True)
    return label


def muted(label: QLabel) -> QLabel:
    """Secondary words (a setting's description), in the palette's muted colour, live."""
    label.setForegroundRole(QPalette.PlaceholderText)
    return label


def apply_theme(app: QApplication, theme: str) -> None:
    app.setStyle(QStyleFactory.create("Fusion"))
    if theme != "dark":
        pal = app.style().standardPalette()
    else:
        pal = QPalette()
        for role, colour in DARK:
            pal.setColor(role, QColor(colour))
    app.setPalette(pal)
    for w in app.allWidgets():
        if w.styleSheet():  # polished with the old palette: polish again with the new one
            w.setStyleSheet(w.styleSheet())
        w.update()


def text_colour(w: QWidget) -> QColor:
    """The colour a label's words are painted in now (tests compare it with the window's)."""
    return w.palette().color(w.foregroundRole())
