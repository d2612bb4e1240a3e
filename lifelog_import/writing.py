"""The person's own writing: diaries as JSON Lines, dated text or Markdown files, WhatsApp exports."""
from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from .api import ImportFailure, Importer, Source, TextEntry, WallClock
from .sniff import check_family
from .timeinfo import date_from_name, datetime_from_name

MAX_TEXT_BYTES = 200 * 1024 * 1024


def _read_text(path: Path) -> str:
    if path.stat().st_size > MAX_TEXT_BYTES:
        raise ImportFailure("the text file is larger than 200 MB")
    raw = path.read_bytes()
    if not raw.strip():
        raise ImportFailure("the file is empty")
    if b"\x00" in raw[:4096]:
        raise ImportFailure("it holds binary data, not text")
    for enc in ("utf-8-sig", "utf-16"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _parse_when(value: Any) -> tuple[datetime, str] | None:
    if isinstance(value, (int, float)) and value > 0:
        return datetime.fromtimestamp(value / 1000 if value > 1e11 else value), "second"
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        dt = date_from_name(text)
        if dt is None:
            return None
        return dt, "day"
    return dt, ("day" if len(text) <= 10 else "second")


class JsonlDiaryImporter(Importer):
    """One JSON object a line with a date (or datetime/timestamp) and a text field."""

    name = "jsonl"
    extensions = (".jsonl", ".ndjson")

    def read(self, path: Path, settings: Any) -> Source:
        text = _read_text(path)
        entries: list[TextEntry] = []
        bad = 0
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                bad += 1
                continue
            if not isinstance(obj, dict):
                bad += 1
                continue
            body = obj.get("text") or obj.get("content") or obj.get("body")
            when = None
            for key in ("datetime", "timestamp", "time", "date", "created_at"):
                if key in obj and (when := _parse_when(obj[key])):
                    break
            if not isinstance(body, str) or not body.strip() or when is None:
                bad += 1
                continue
            author = obj.get("author") or obj.get("speaker")
            entries.append(TextEntry(when[0], body.strip(), "me" if not author else "unknown",
                                     author, precision=when[1]))
        if not entries:
            raise ImportFailure("no line holds a JSON object with a date and a text field")
        entries.sort(key=lambda e: e.when.replace(tzinfo=None))
        first = entries[0]
        return Source(path, self.name, "text", WallClock(first.when, "content", first.when.tzinfo is not None),
                      entries=entries, meta={"skipped_lines": bad})


# WhatsApp: "[02/03/2026, 07:45:12] Alice: Hi" (iOS) or "02/03/2026, 07:45 - Alice: Hi" (Android),
# with 12-hour clocks ("7:45 pm") in some locales.
_WA_LINE = re.compile(
    r"^\u200e?\[?(?P<date>\d{1,4}[./-]\d{1,2}[./-]\d{1,4}),?\s+(?P<time>\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)"
    r"(?:\s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?))?\]?\s*(?:-\s*)?(?P<rest>.*)$")
_WA_SENDER = re.compile(r"^(?P<name>[^:]{1,80}?):\s(?P<msg>.*)$")
_WA_SKIP = ("<media omitted>", "image omitted", "video omitted", "audio omitted", "sticker omitted",
            "document omitted", "gif omitted", "this message was deleted", "<attached:")


def _wa_datetime(date: str, time: str, ampm: str | None, dayfirst: bool) -> datetime | None:
    parts = [int(p) for p in re.split(r"[./-]", date)]
    if len(parts) != 3:
        return None
    if parts[0] > 31:  # year first
        y, m, d = parts
    else:
        a, b, y = parts
        d, m = (a, b) if dayfirst else (b, a)
    if y < 100:
        y += 2000
    t = [int(p) for p in re.split(r"[:.]", time)]
    hour, minute, second = t[0], t[1], t[2] if len(t) > 2 else 0
    if ampm:
        pm = ampm.strip().lower().startswith("p")
        hour = (hour % 12) + (12 if pm else 0)
    try:
        return datetime(y, m, d, hour, minute, second)
    except ValueError:
        return None


class WhatsAppImporter(Importer):
    """A WhatsApp chat export; only the owner's own lines count as the owner speaking."""

    name = "whatsapp"
    extensions = (".txt",)
    priority = 10  # before the dated-text importer, which also takes .txt

    def claims(self, path: Path, head: bytes) -> bool:
        if path.suffix.lower() != ".txt":
            return False
        lines = head.decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()[:8]
        return sum(1 for line in lines if _WA_LINE.match(line)) >= min(2, len(lines)) and bool(lines)

    def read(self, path: Path, settings: Any) -> Source:
        text = _read_text(path)
        raw: list[tuple[str, str, str | None, str | None, str]] = []  # date, time, ampm, sender, msg
        for line in text.splitlines():
            m = _WA_LINE.match(line)
            if m:
                s = _WA_SENDER.match(m.group("rest"))
                if s:
                    raw.append((m.group("date"), m.group("time"), m.group("ampm"), s.group("name").strip(),
                                s.group("msg")))
                else:
                    raw.append((m.group("date"), m.group("time"), m.group("ampm"), None, m.group("rest")))
            elif raw and line.strip():
                d, t, ap, who, msg = raw[-1]
                raw[-1] = (d, t, ap, who, msg + "\n" + line)
        if not raw:
            raise ImportFailure("no WhatsApp message lines found")
        dayfirst = self._dayfirst([r[0] for r in raw])
        owner = self._owner(path, {r[3] for r in raw if r[3]}, settings)
        entries: list[TextEntry] = []
        for date, time, ampm, sender, msg in raw:
            when = _wa_datetime(date, time, ampm, dayfirst)
            if when is None or sender is None:
                continue  # system lines ("Messages are end-to-end encrypted")
            body = msg.strip()
            if not body or any(body.lower().startswith(s) or s in body.lower() for s in _WA_SKIP):
                continue
            speaker = "unknown" if owner is None else ("me" if sender == owner else "other")
            entries.append(TextEntry(when, body, speaker, sender))
        if not entries:
            raise ImportFailure("the chat export holds no messages")
        return Source(path, self.name, "text", WallClock(entries[0].when, "content", False), entries=entries,
                      meta={"chat": True, "owner": owner})

    @staticmethod
    def _dayfirst(dates: list[str]) -> bool:
        for d in dates:
            parts = [int(p) for p in re.split(r"[./-]", d)]
            if len(parts) == 3 and parts[0] <= 31:
                if parts[0] > 12:
                    return True
                if parts[1] > 12:
                    return False
        return True

    @staticmethod
    def _owner(path: Path, senders: set[str], settings: Any) -> str | None:
        names = set()
        if settings is not None:
            if settings["owner_name"]:
                names.add(settings["owner_name"].strip())
            names.update(a.strip() for a in settings["owner_aliases"])
        names.add("You")  # some exports name the exporter "You"
        for s in senders:
            if s in names:
                return s
        # "WhatsApp Chat with Alice.txt": the owner is the one sender who is not Alice.
        m = re.search(r"WhatsApp Chat (?:with|-)\s*(.+)$", path.stem, re.I)
        if m and len(senders) == 2:
            other = m.group(1).strip()
            rest = [s for s in senders if s != other]
            if len(rest) == 1:
                return rest[0]
        return None


class DatedTextImporter(Importer):
    """Diary pages as text or Markdown files with a date in the name (or a date heading)."""

    name = "dated_text"
    extensions = (".txt", ".md", ".markdown")

    def read(self, path: Path, settings: Any) -> Source:
        with open(path, "rb") as fh:
            check_family(path.suffix, fh.read(4096), ("text",))
        body = _read_text(path).strip()
        when = datetime_from_name(path.stem)
        precision = "second"
        clock_source = "filename"
        if when is None:
            when = date_from_name(path.stem)
            precision = "day"
        if when is None:
            first = body.splitlines()[0] if body else ""
            front = re.search(r"^date:\s*(\S+)", body[:500], re.M)
            when = date_from_name(front.group(1)) if front else date_from_name(first)
            clock_source = "content"
        if when is None:
            # A README or a note with no date is not a diary page; say how to make it one.
            raise ImportFailure("a text file with no date in its name or on its first line; name it like "
                                "2026-03-02.md to import it as a diary page")
        return Source(path, self.name, "text", WallClock(when, clock_source, False),
                      entries=[TextEntry(when, body, "me", None, precision=precision)])
