"""Importers of the person's own writing, and the importer registry."""
from datetime import datetime
from importlib.metadata import entry_points

import pytest

from lifelog_import.api import ImportFailure, load_importers
from lifelog_import.sniff import sniff
from lifelog_import.writing import DatedTextImporter, JsonlDiaryImporter, WhatsAppImporter


class _Settings(dict):
    def __init__(self, **kw):
        super().__init__({"owner_name": "", "owner_aliases": [], **kw})


def test_builtin_importers_come_through_entry_points():
    names = {ep.name for ep in entry_points(group="sideload.importers")}
    assert {"video", "audio", "photo", "jsonl", "whatsapp", "dated_text"} <= names
    loaded = [imp.name for imp in load_importers()]
    assert loaded[0] == "whatsapp"  # highest priority first: it must see .txt before dated_text


def test_real_diary_becomes_dated_entries(shared_data):
    src = JsonlDiaryImporter().read(shared_data / "diary" / "pepys_1660.jsonl", None)
    assert len(src.entries) > 300
    first = src.entries[0]
    assert first.when.year == 1660 and first.precision == "day" and first.speaker == "me"
    assert "morning" in first.text
    assert all(a.when <= b.when for a, b in zip(src.entries, src.entries[1:]))


def test_jsonl_without_usable_lines_fails_clearly(tmp_path):
    f = tmp_path / "x.jsonl"
    f.write_text('{"title": "no date"}\nnot json\n')
    with pytest.raises(ImportFailure, match="date and a text"):
        JsonlDiaryImporter().read(f, None)


ANDROID = """02/03/2026, 18:02 - Messages and calls are end-to-end encrypted.
02/03/2026, 18:02 - Sam: Are we still on for tennis?
02/03/2026, 18:05 - Alex: Yes! Ten o'clock.
I will bring the balls.
02/03/2026, 18:06 - Sam: <Media omitted>
13/03/2026, 09:00 - Sam: See you
"""
IOS = """[02/03/2026, 18:02:11] Sam: Are we still on?
[02/03/2026, 18:05:40] Alex Doe: Yes
[02/03/2026, 6:07:00 PM] Sam: Great
"""


def test_whatsapp_android_export(tmp_path):
    f = tmp_path / "WhatsApp Chat with Sam.txt"
    f.write_text(ANDROID)
    imp = WhatsAppImporter()
    assert imp.claims(f, f.read_bytes())
    src = imp.read(f, _Settings())
    speakers = [(e.speaker_name, e.speaker) for e in src.entries]
    assert speakers == [("Sam", "other"), ("Alex", "me"), ("Sam", "other")]  # owner from the file name
    assert src.entries[1].text == "Yes! Ten o'clock.\nI will bring the balls."
    assert src.entries[-1].when == datetime(2026, 3, 13, 9, 0)  # day first


def test_whatsapp_ios_export_with_owner_setting_and_12h_clock(tmp_path):
    f = tmp_path / "_chat.txt"
    f.write_text(IOS)
    src = WhatsAppImporter().read(f, _Settings(owner_name="Alex Doe"))
    assert [e.speaker for e in src.entries] == ["other", "me", "other"]
    assert src.entries[2].when == datetime(2026, 3, 2, 18, 7)


def test_whatsapp_owner_unknown_is_not_guessed(tmp_path):
    f = tmp_path / "group.txt"
    f.write_text(IOS)
    src = WhatsAppImporter().read(f, _Settings())
    assert {e.speaker for e in src.entries} == {"unknown"}


def test_dated_text_and_markdown(tmp_path):
    f = tmp_path / "2026-03-02 thoughts.md"
    f.write_text("# Monday\nA long day.")
    imp = DatedTextImporter()
    src = imp.read(f, None)
    assert src.entries[0].when == datetime(2026, 3, 2) and src.clock.source == "filename"
    g = tmp_path / "notes.txt"
    g.write_text("2026-04-05\nDiary page with a date heading.")
    assert imp.read(g, None).entries[0].when == datetime(2026, 4, 5)
    assert not WhatsAppImporter().claims(g, g.read_bytes())


def test_sniff_tells_content_from_name():
    assert sniff(b"\xff\xd8\xff\xe0rest")[0] == "image"
    assert sniff(b"\x00\x00\x00\x18ftypmp42")[0] == "video"
    assert sniff(b"RIFF\x00\x00\x00\x00WAVEfmt ")[0] == "audio"
    assert sniff(b"hello world\n")[0] == "text"


def test_latin1_text_is_read_as_latin1_and_the_guess_is_recorded(tmp_path):
    page = tmp_path / "2026-03-02.txt"
    text = "Sketched the façade of the café; the señora's crème brûlée was à point. Übermorgen Kälte."
    page.write_bytes(text.encode("latin-1"))
    src = DatedTextImporter().read(page, None)
    assert src.entries[0].text == text  # not CJK characters from a UTF-16 misreading
    assert src.meta["encoding_guessed"] is True and src.meta["encoding"] != "utf-8"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_text_with_a_byte_order_mark_is_text(tmp_path, encoding):
    page = tmp_path / "2026-03-02.txt"
    body = "Walked to the harbour at dawn; façade repainted.".encode(encoding)
    page.write_bytes((b"\xfe\xff" if encoding == "utf-16-be" else b"") + body)
    assert sniff(page.read_bytes()[:64]) == ("text", "text")  # not "MP3 audio" from FF FE
    src = DatedTextImporter().read(page, None)
    assert src.entries[0].text == "Walked to the harbour at dawn; façade repainted."
    assert "encoding_guessed" not in src.meta


def test_utf16_whatsapp_export_is_claimed_and_read(tmp_path):
    chat = tmp_path / "WhatsApp Chat with Sam.txt"
    chat.write_bytes("02/03/2026, 18:02 - Sam: Café at six?\n02/03/2026, 18:03 - Alex: Oui, à six.\n".encode("utf-16"))
    imp = WhatsAppImporter()
    assert imp.claims(chat, chat.read_bytes()[:4096])
    src = imp.read(chat, _Settings(owner_name="Alex"))
    assert [e.text for e in src.entries] == ["Café at six?", "Oui, à six."]


def test_every_dropped_diary_line_is_named_with_its_number(tmp_path):
    f = tmp_path / "d.jsonl"
    f.write_text('{"date": "2026-03-02", "text": "fine"}\n'
                 'not json at all\n'
                 '\n'
                 '["a", "list"]\n'
                 '{"date": "2026-03-03"}\n'
                 '{"date": "someday", "text": "when?"}\n'
                 '{"date": "2026-03-04", "text": "also fine"}\n')
    src = JsonlDiaryImporter().read(f, None)
    assert [e.text for e in src.entries] == ["fine", "also fine"]
    lines = dict(src.dropped)
    assert sorted(lines) == [2, 4, 5, 6]
    assert "not valid JSON" in lines[2] and "not a JSON object" in lines[4]
    assert "no text" in lines[5] and "no readable date" in lines[6]


def test_whatsapp_attachments_by_exact_markers_and_impossible_dates_named(tmp_path):
    chat = tmp_path / "chat.txt"
    chat.write_text("[02/03/2026, 18:02:00] Sam: \u200eimage omitted\n"
                    "[02/03/2026, 18:03:00] Sam: the image omitted from the report was the chart\n"
                    "[02/03/2026, 18:04:00] Alex: <attached: 00000042-PHOTO-2026-03-02.jpg>\n"
                    "[31/02/2026, 18:05:00] Alex: a day that never was\n"
                    "[02/03/2026, 18:06:00] Alex: see you\n", encoding="utf-8")
    src = WhatsAppImporter().read(chat, _Settings(owner_name="Alex"))
    assert [e.text for e in src.entries] == ["the image omitted from the report was the chart", "see you"]
    assert src.meta["attachments"] == 2
    assert len(src.dropped) == 1 and src.dropped[0][0] == 4 and "impossible date" in src.dropped[0][1]
