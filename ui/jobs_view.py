"""Jobs: the next consolidation, the last night's report, run it now; and preserving the sideload
for the family (an encrypted export, with trustees' shares)."""
from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QProgressBar,
                               QPushButton, QSpinBox, QTextBrowser, QVBoxLayout, QWidget)

from sideload import timefmt

from . import jobs
from .state import AppState


def report_html(report: dict | None) -> str:
    if not report:
        return "<p>No consolidation has run yet. It runs every night, or now with <b>Run now</b>.</p>"
    lines = [f"<p><b>{timefmt.when(report['started_at'])}</b> — {report['status']}, "
             f"{timefmt.duration(report['seconds'])}</p><ul>"]
    # the lines quote the owner's words (the persona's choices), so they are escaped as text
    lines += [f"<li>{html.escape(item)}</li>" for item in report.get("learnt", [])] or ["<li>nothing new</li>"]
    lines.append("</ul><table cellpadding=3><tr><th align=left>step</th><th>status</th><th align=right>seconds</th></tr>")
    for s in report.get("steps", []):
        lines.append(f"<tr><td>{s['name']}</td><td>{s['status']}</td><td align=right>{s['seconds']:.1f}</td></tr>")
    lines.append("</table>")
    p = report.get("persona") or {}
    if p.get("ppl_new"):
        lines.append(f"<p>Held-out perplexity: base {p['ppl_base']:.2f}, previous {p['ppl_previous']:.2f}, "
                     f"new {p['ppl_new']:.2f} ({'promoted' if p.get('promoted') else 'kept unserved'})</p>")
    return "".join(lines)


def retention_text(vault) -> str:
    from sideload.lifecycle import retention

    plan = retention.plan(vault)
    if not plan["active"]:
        return "Retention: originals are kept whole (retention_originals_months and retention_action in Settings)."
    gb = lambda n: f"{n / 1e9:.2f} GB"  # noqa: E731
    left = f"; {len(plan['skipped'])} left as they are" if plan["skipped"] else ""
    return (f"Retention: the next consolidation will {plan['action']} {len(plan['files'])} original video(s) recorded "
            f"before {plan['cutoff'][:10]} ({gb(plan['bytes'])} now, about {gb(plan['bytes_freed_estimate'])} "
            f"freed){left}. `sideload storage --plan` lists them.")


class JobsView(QWidget):
    def __init__(self, state: AppState):
        super().__init__()
        self.state = state
        self.job: jobs.Job | None = None
        self.next_label = QLabel()
        self.next_label.setObjectName("nextRun")
        self.next_label.setWordWrap(True)  # a long line must not set the window's least width
        self.retention_label = QLabel()  # what the retention policy will do, shown before it acts
        self.retention_label.setObjectName("retentionPlan")
        self.retention_label.setWordWrap(True)
        self.run_btn = QPushButton("&Run consolidation now")
        self.run_btn.setObjectName("runConsolidation")
        self.run_btn.setProperty("writes", True)
        self.run_btn.clicked.connect(self.run_now)
        self.cancel_btn = QPushButton("Cancel")
        self.cancel_btn.setEnabled(False)
        self.cancel_btn.clicked.connect(lambda: self.job and self.job.cancel())
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.stage = QLabel("")
        self.stage.setWordWrap(True)
        self.report = QTextBrowser()
        self.report.setObjectName("lastReport")
        cbox = QGroupBox("Nightly consolidation")
        cl = QVBoxLayout(cbox)
        cl.addWidget(self.next_label)
        cl.addWidget(self.retention_label)
        row = QHBoxLayout()
        row.addWidget(self.run_btn)
        row.addWidget(self.cancel_btn)
        row.addStretch(1)
        cl.addLayout(row)
        cl.addWidget(self.bar)
        cl.addWidget(self.stage)
        cl.addWidget(QLabel("Last report:"))
        cl.addWidget(self.report, 1)
        # preserving for the family
        self.passphrase = QLineEdit(echoMode=QLineEdit.Password, placeholderText="at least 8 characters")
        self.passphrase.setObjectName("exportPassphrase")
        self.again = QLineEdit(echoMode=QLineEdit.Password)
        self.trustees = QSpinBox(minimum=0, maximum=20)
        self.threshold = QSpinBox(minimum=0, maximum=20)
        self.export_btn = QPushButton("&Export for the family…")
        self.export_btn.setObjectName("exportButton")
        self.export_btn.setProperty("writes", True)  # it writes a file, and in family mode nothing may leave
        self.export_btn.clicked.connect(self.export)
        self.export_note = QLabel("")
        self.export_note.setObjectName("exportNote")
        self.export_note.setWordWrap(True)
        ebox = QGroupBox("Preserve (private moments and chats are never included)")
        el = QFormLayout(ebox)
        el.addRow("Passphrase", self.passphrase)
        el.addRow("Again", self.again)
        el.addRow("Trustees (shares)", self.trustees)
        el.addRow("Shares needed to open", self.threshold)
        el.addRow(self.export_btn)
        el.addRow(self.export_note)
        lay = QVBoxLayout(self)
        lay.addWidget(cbox, 3)
        lay.addWidget(ebox, 1)
        if state.family:
            self.run_btn.setEnabled(False)
            ebox.setEnabled(False)
        # The app runs the nightly schedule itself while it is open (one timer, armed for the next run);
        # with the app closed, `sideload consolidate --schedule` keeps it. The label says which.
        self.nightly = QTimer(self)
        self.nightly.setSingleShot(True)
        self.nightly.timeout.connect(self._nightly_due)
        state.data_changed.append(self.reload)
        self.reload()

    def reload(self) -> None:
        from sideload.learn import consolidate, schedule

        when = schedule.next_run(self.state.vault.settings)
        busy = " — running now" if consolidate.running(self.state.vault.paths) else ""
        if self.state.family:
            self.next_label.setText("Family mode: a preserved sideload does not consolidate.")
        else:
            self.next_label.setText(
                f"Runs every night at {when:%H:%M} while this app is open (next: {timefmt.when(when.isoformat())}){busy}. "
                "With the app closed, keep `sideload consolidate --schedule` running instead.")
            delay_ms = (when - datetime.now().astimezone()).total_seconds() * 1000
            self.nightly.start(int(min(max(delay_ms, 1000), 2**31 - 1)))
        self.report.setHtml(report_html(consolidate.last_report(self.state.vault.db)))
        self.retention_label.setText(retention_text(self.state.vault))

    def _nightly_due(self) -> None:
        if not (self.job and self.job.running):
            self.run_now()
        else:
            self.reload()

    def run_now(self) -> None:
        context = self.state.context

        def work(ctx):
            with context.open(write=True) as v:
                return context.consolidate(v, ctx)

        self.run_btn.setEnabled(False)
        self.cancel_btn.setEnabled(True)
        self.job = job = jobs.start("consolidate", work)
        job.progress.connect(lambda p: (self.bar.setValue(int(p.fraction * 1000)), self.stage.setText(f"{p.stage} {p.item}")))
        job.finished.connect(lambda r: self._done("Done."))
        job.failed.connect(lambda msg: self._done(msg))
        job.cancelled.connect(lambda: self._done("Cancelled; the served persona is unchanged."))

    def _done(self, text: str) -> None:
        self.stage.setText(text)
        self.run_btn.setEnabled(True)
        self.cancel_btn.setEnabled(False)
        self.state.changed()

    def export(self, out: Path | None = None) -> None:
        if self.passphrase.text() != self.again.text():
            self.passphrase.clear()  # typed again, both, rather than left on screen
            self.again.clear()
            self.export_note.setText("The two passphrases differ; type them again.")
            return
        if out is None or isinstance(out, bool):
            name, _ = QFileDialog.getSaveFileName(self, "Export for the family", "sideload.legacy")
            if not name:
                return
            out = Path(name)
        passphrase, n, k = self.passphrase.text(), self.trustees.value(), self.threshold.value()

        context = self.state.context

        def work(ctx):
            from sideload.lifecycle.legacy import export, write_shares

            with context.open() as v:
                count, shares = export(v, out, passphrase, trustees=n, threshold=k)
            return count, write_shares(shares, out.parent, out.stem)

        # the passphrase does not stay on screen once it has been used
        self.passphrase.clear()
        self.again.clear()
        self.export_note.setText("Exporting…")
        job = jobs.start("export", work)
        job.finished.connect(lambda r: self.export_note.setText(
            f"Wrote {out} with {r[0]} moments" + (f" and {len(r[1])} trustee shares beside it" if r[1] else "") + "."))
        job.failed.connect(self.export_note.setText)
