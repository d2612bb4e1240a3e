"""The person's own writing: diaries as JSON Lines, dated text or Markdown files, WhatsApp exports."""
from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from .api import ImportFailure, Importer, Source, TextEntry, WallClock
from .sniff import bom_encoding, check_family
from .timeinfo import date_from_name, datetime_from_name

MAX_TEXT_BYTES = 200 * 1024 * 1024


def decode_text(raw: bytes) -> tuple[str, str, bool]:
    """(text, encoding, guessed) by evidence, in this order: a byte-order mark; valid UTF-8 (which
    other text almost never is by chance); a charset detector's verdict; else Latin-1. Never by
    whether a decode happens not to fail: any even-length bytes decode as UTF-16, into garbage."""
    bom = bom_encoding(raw[:4])
    if bom:
        body = raw if bom == "utf-8-sig" else raw[2 if bom.startswith("utf-16") else 4:]
        try:
            return body.decode(bom), bom, False
        except UnicodeDecodeError:
            raise ImportFailure(f"it starts with a {bom} byte-order mark but is not valid {bom}") from None
    if b"\x00" in raw[:4096]:
        raise ImportFailure("it holds binary data, not text")
    try:
        return raw.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        pass
    for encoding in _detected(raw):
        try:
            return raw.decode(encoding), encoding, True
        except (UnicodeDecodeError, LookupError):
            continue
    return raw.decode("latin-1"), "latin-1", True


def _detected(raw: bytes) -> list[str]:
    """The charset detector's verdict: its best encodings, Western (cp1252) first among equals. On
    a short Western text the detector scores cp1250, cp1252 and cp1257 alike and would pick by name,
    turning "señora" into "seńora"; Central European text does not tie with cp1252, so it keeps its own."""
    try:
        from charset_normalizer import from_bytes

        found = [m for m in from_bytes(raw[:262_144]) if m.encoding not in ("utf_8", "utf_16", "utf_32", "ascii")]
    except Exception:  # the detector is a help, not a requirement
        return []
    if not found:
        return []
    best = found[0]
    ties = [m.encoding for m in found
            if m.percent_chaos <= best.percent_chaos and m.percent_coherence >= best.percent_coherence]
    return (["cp1252"] if "cp1252" in ties else []) + [m.encoding for m in found[:3]]


def _read_text(path: Path) -> tuple[str, dict]:
    """The file's text and what is known of its encoding (recorded on the moments when guessed)."""
    if path.stat().st_size > MAX_TEXT_BYTES:
        raise ImportFailure("the text file is larger than 200 MB")
    raw = path.read_bytes()
    if not raw.strip():
        raise ImportFailure("the file is empty")
    text, encoding, guessed = decode_text(raw)
    if not text.strip():
        raise ImportFailure("the file is empty")
    return text, {"encoding": encoding, **({"encoding_guessed": True} if guessed else {})}


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


_MONTHS = {m: i for i, m in enumerate(("january", "february", "march", "april", "may", "june", "july", "august",
                                        "september", "october", "november", "december"), 1)}


def written_date(obj: dict) -> tuple[datetime, str] | None:
    """The day as the writer dated the entry, where the file keeps it beside a converted date: an
    edition of an old diary gives `date` in today's calendar and the writer's own day in `label`
    ("31st") and `month` ("December 1664", "January 1659-60": the old style's double year). The
    writer's date is the one the entry speaks of ("31st. ... the end of the year") and the one a
    family asks about ("at the end of 1664"), so it wins."""
    label, month = obj.get("label"), obj.get("month")
    if not isinstance(label, str) or not isinstance(month, str):
        return None
    m = re.fullmatch(r"\s*([A-Za-z]+)\.?\s+(\d{4})(?:\s*[-\u2013/]\s*(\d{2,4}))?\s*", month)
    d = re.match(r"\D*?(\d{1,2})(?:st|nd|rd|th|d)?\b", label)
    if not m or not d or m.group(1).lower() not in _MONTHS:
        return None
    year = m.group(2)
    if m.group(3):  # "1659-60": the year by today's reckoning is the second
        year = year[: 4 - len(m.group(3))] + m.group(3)
    try:
        return datetime(int(year), _MONTHS[m.group(1).lower()], int(d.group(1))), "day"
    except ValueError:
        return None


class JsonlDiaryImporter(Importer):
    """One JSON object a line with a date (or datetime/timestamp) and a text field."""

    name = "jsonl"
    extensions = (".jsonl", ".ndjson")

    def read(self, path: Path, settings: Any) -> Source:
        text, enc = _read_text(path)
        entries: list[TextEntry] = []
        dropped: list[tuple[int, str]] = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                dropped.append((n, f"not valid JSON ({exc.msg})"))
                continue
            if not isinstance(obj, dict):
                dropped.append((n, "not a JSON object"))
                continue
            body = obj.get("text") or obj.get("content") or obj.get("body")
            when = written_date(obj) or next((w for key in ("datetime", "timestamp", "time", "date", "created_at")
                                              if key in obj and (w := _parse_when(obj[key]))), None)
            if not isinstance(body, str) or not body.strip():
                dropped.append((n, "no text (a 'text', 'content' or 'body' field)"))
                continue
            if when is None:
                dropped.append((n, "no readable date (a 'date', 'datetime', 'timestamp', 'time' or 'created_at' field)"))
                continue
            author = obj.get("author") or obj.get("speaker")
            entries.append(TextEntry(when[0], body.strip(), "me" if not author else "unknown",
                                     author, precision=when[1]))
        if not entries:
            raise ImportFailure("no line holds a JSON object with a date and a text field")
        entries.sort(key=lambda e: e.when.replace(tzinfo=None))
        first = entries[0]
        return Source(path, self.name, "text", WallClock(first.when, "content", first.when.tzinfo is not None),
                      entries=entries, meta={"skipped_lines": len(dropped), **enc}, dropped=dropped)


# WhatsApp: "[02/03/2026, 07:45:12] Alice: Hi" (iOS) or "02/03/2026, 07:45 - Alice: Hi" (Android),
# with 12-hour clocks ("7:45 pm") in some locales.
_WA_LINE = re.compile(
    r"^\u200e?\[?(?P<date>\d{1,4}[./-]\d{1,2}[./-]\d{1,4}),?\s+(?P<time>\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)"
    r"(?:\s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?))?\]?\s*(?:-\s*)?(?P<rest>.*)$")
_WA_SENDER = re.compile(r"^(?P<name>[^:]{1,80}?):\s(?P<msg>.*)$")
# What the exporters write in place of an attachment or a deleted message: the whole message, exactly
# (Android "<Media omitted>", iOS "image omitted" after an invisible mark, iOS with media "<attached: f>").
_WA_PLACEHOLDERS = {"<media omitted>", "image omitted", "video omitted", "audio omitted", "sticker omitted",
                    "document omitted", "gif omitted", "contact card omitted", "this message was deleted",
                    "you deleted this message", "null"}
_WA_ATTACHED = re.compile(r"^<attached: [^>]+>$")


def _is_placeholder(body: str) -> bool:
    bare = body.strip().strip("\u200e\u200f").strip().lower()
    return bare in _WA_PLACEHOLDERS or bool(_WA_ATTACHED.match(bare)) or (
        bare.endswith(" omitted") and bare.split(" ")[0] in ("image", "video", "audio", "sticker", "document", "gif"))


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
        bom = bom_encoding(head)
        lines = head.decode(bom or "utf-8", errors="replace").lstrip("\ufeff").splitlines()[:8]
        return sum(1 for line in lines if _WA_LINE.match(line)) >= min(2, len(lines)) and bool(lines)

    def read(self, path: Path, settings: Any) -> Source:
        text, enc = _read_text(path)
        raw: list[tuple[str, str, str | None, str | None, str, int]] = []  # date, time, ampm, sender, msg, line
        for n, line in enumerate(text.splitlines(), 1):
            m = _WA_LINE.match(line)
            if m:
                s = _WA_SENDER.match(m.group("rest"))
                if s:
                    raw.append((m.group("date"), m.group("time"), m.group("ampm"), s.group("name").strip(),
                                s.group("msg"), n))
                else:
                    raw.append((m.group("date"), m.group("time"), m.group("ampm"), None, m.group("rest"), n))
            elif raw and line.strip():
                d, t, ap, who, msg, first = raw[-1]
                raw[-1] = (d, t, ap, who, msg + "\n" + line, first)
        if not raw:
            raise ImportFailure("no WhatsApp message lines found")
        dayfirst = self._dayfirst([r[0] for r in raw])
        owner = self._owner(path, {r[3] for r in raw if r[3]}, settings)
        entries: list[TextEntry] = []
        dropped: list[tuple[int, str]] = []
        attachments = 0
        for date, time, ampm, sender, msg, n in raw:
            if sender is None:
                continue  # system lines ("Messages are end-to-end encrypted"): nobody said them
            when = _wa_datetime(date, time, ampm, dayfirst)
            if when is None:
                dropped.append((n, f"an impossible date or time ({date} {time}{' ' + ampm if ampm else ''})"))
                continue
            body = msg.strip()
            if not body:
                continue
            if _is_placeholder(body):
                attachments += 1  # the exporter's stand-in for a photo, a voice note, a deleted message
                continue
            speaker = "unknown" if owner is None else ("me" if sender == owner else "other")
            entries.append(TextEntry(when, body, speaker, sender))
        if not entries:
            raise ImportFailure("the chat export holds no messages")
        return Source(path, self.name, "text", WallClock(entries[0].when, "content", False), entries=entries,
                      meta={"chat": True, "owner": owner, "attachments": attachments, **enc}, dropped=dropped)

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
        body, enc = _read_text(path)
        body = body.strip()
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
                      entries=[TextEntry(when, body, "me", None, precision=precision)], meta=enc)
