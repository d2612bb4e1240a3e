"""No trap under the wheel: a number, a choice or a time that the pointer passes over while a page
scrolls does not change (the beam size once went from 5 to 1 that way). Such a field takes the wheel
only once it has been clicked or tabbed into; until then the wheel goes on to the page, which scrolls."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QWidget


class WheelGuard(QObject):
    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Wheel and not obj.hasFocus():
            event.ignore()  # filtered but not accepted: Qt hands it on to the parent, the scrolling page
            return True
        return False


def guard(w: QWidget, guard_: WheelGuard) -> None:
    w.setFocusPolicy(Qt.StrongFocus)  # the wheel alone never gives a field the focus
    w.installEventFilter(guard_)


def guard_all(root: QWidget) -> WheelGuard:
    """Every spin box, date or time field and drop-down list under `root`."""
    g = WheelGuard(root)
    for w in root.findChildren(QWidget):
        if isinstance(w, (QAbstractSpinBox, QComboBox)):
            guard(w, g)
    return g
