"""The persona's four-way choices, adapter by adapter: likeness (my own words picked out from three of
someone else's) and coherence (the real next words of my passage among three of my others), each on
the night that adapter was trained. A night that did not measure a figure leaves a gap, never a zero."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QWidget

SERIES = (("likeness_new", "likeness"), ("coherence_new", "coherence"))
CHANCE = 0.25


def pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.0f} %"


def caption(rows: list[dict]) -> str:
    """What the chart shows, in plain words, with the newest adapter's figures."""
    rows = [r for r in rows if r.get("ppl_new")]
    head = ("Likeness: how often the persona picks my own words out of four where three are someone else's; "
            "coherence: how often it picks the real next words of my passage among three from my other "
            "passages. Chance is 25 %; a gap means that night did not measure it.")
    if not rows:
        return head
    r = rows[-1]
    parts = []
    for key, name in SERIES:
        test = key.split("_")[0]
        if r.get(key) is not None:
            parts.append(f"{name} {pct(r[key])} (before it {pct(r.get(test + '_previous'))}, "
                         f"{r.get(test + '_items') or 0} items)")
    said = ("; ".join(parts) if parts else "no four-way figures") + "."
    if r.get("likeness_new") is None and r.get("likeness_note"):
        said += f" Likeness was not measured: {r['likeness_note'].split(': likeness')[0]}."
    return f"{head} Newest, v{r['adapter_id']}: {said}"


class ChoicesChart(QWidget):
    """Likeness and coherence (0 to 100 %) per adapter, with the 25 % of chance marked."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[dict] = []
        self.drawn: list[tuple[int, str, float]] = []  # (adapter, figure, value) as last painted
        self.setMinimumSize(320, 170)
        self.setAccessibleName("Likeness and coherence per adapter")

    def set_points(self, rows: list[dict]) -> None:
        self.rows = [r for r in rows if r.get("ppl_new")]  # trained adapters, oldest first
        self.setAccessibleDescription(caption(rows))
        self.update()

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        pal = self.palette()
        text = pal.color(QPalette.Text)
        colors = {"likeness_new": pal.color(QPalette.Highlight), "coherence_new": QColor("#c07a2c")}
        m = p.fontMetrics().horizontalAdvance("100 %") + 10
        area = QRectF(m, 22, self.width() - m - 12, self.height() - 22 - 36)  # room: legend above, names below
        p.setPen(text)
        p.drawRect(area)
        self.drawn = []
        measured = [r for r in self.rows if any(r.get(k) is not None for k, _ in SERIES)]
        if not measured:
            p.drawText(area.adjusted(8, 0, -8, 0), Qt.AlignCenter | Qt.TextWordWrap,
                       "No likeness measured yet. Each night measures it for the new adapter.")
            p.end()
            return
        n = len(self.rows)

        def pt(i: int, v: float) -> QPointF:
            return QPointF(area.left() + area.width() * (i + 0.5) / n, area.bottom() - area.height() * v)

        for v in (CHANCE, 0.5, 0.75):  # chance, dashed, and two guides
            p.setPen(QPen(pal.color(QPalette.Mid), 1, Qt.DashLine if v == CHANCE else Qt.DotLine))
            p.drawLine(QPointF(area.left(), pt(0, v).y()), QPointF(area.right(), pt(0, v).y()))
        p.setPen(text)
        p.drawText(QRectF(area.right() - 64, pt(0, CHANCE).y() - 16, 60, 14), Qt.AlignRight, "chance")
        for key, label in SERIES:
            color = colors[key]
            path, open_run = QPainterPath(), False
            for i, r in enumerate(self.rows):
                v = r.get(key)
                if v is None:  # not measured: the line breaks here
                    open_run = False
                    continue
                (path.lineTo if open_run else path.moveTo)(pt(i, v))
                open_run = True
                self.drawn.append((r["adapter_id"], key, v))
            p.setPen(QPen(color, 2))
            p.setBrush(Qt.NoBrush)  # a line, not a filled shape
            p.drawPath(path)
            for i, r in enumerate(self.rows):
                if r.get(key) is not None:
                    p.setBrush(color if r.get("status") == "served" else Qt.NoBrush)
                    p.drawEllipse(pt(i, r[key]), 4, 4)
        x = area.left()
        for key, label in SERIES:  # the legend, above the plot
            p.setPen(QPen(colors[key], 3))
            p.drawLine(QPointF(x + 4, 11), QPointF(x + 20, 11))
            p.setPen(text)
            p.drawText(QRectF(x + 24, 2, 90, 18), Qt.AlignVCenter | Qt.AlignLeft, label)
            x += 24 + p.fontMetrics().horizontalAdvance(label) + 16
        for i, r in enumerate(self.rows):
            p.drawText(QRectF(pt(i, 0).x() - 20, area.bottom() + 4, 40, 16), Qt.AlignCenter, f"v{r['adapter_id']}")
        p.drawText(QRectF(0, area.top() - 8, m - 4, 16), Qt.AlignRight | Qt.AlignVCenter, "100 %")
        p.drawText(QRectF(0, area.bottom() - 8, m - 4, 16), Qt.AlignRight | Qt.AlignVCenter, "0")
        p.drawText(QRectF(0, self.height() - 16, self.width(), 16), Qt.AlignCenter,
                   p.fontMetrics().elidedText("share of four-way choices right, higher is closer to the person",
                                              Qt.ElideRight, self.width()))
        p.end()
