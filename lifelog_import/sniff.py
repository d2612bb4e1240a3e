"""What a file's first bytes say it is, to tell a wrong extension from a broken file."""
from __future__ import annotations

_MAGIC = [
    (b"\xff\xd8\xff", "image", "a JPEG image"),
    (b"\x89PNG\r\n\x1a\n", "image", "a PNG image"),
    (b"GIF8", "image", "a GIF image"),
    (b"fLaC", "audio", "FLAC audio"),
    (b"OggS", "audio", "Ogg audio"),
    (b"ID3", "audio", "MP3 audio"),
    (b"\x1a\x45\xdf\xa3", "video", "a Matroska/WebM video"),
    (b"%PDF", "document", "a PDF document"),
    (b"PK\x03\x04", "archive", "a ZIP archive"),
    (b"\x7fELF", "program", "a program"),
]


BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def bom_encoding(head: bytes) -> str | None:
    """The encoding a byte-order mark announces (the mark itself is the evidence), or None."""
    for mark, encoding in BOMS:
        if head.startswith(mark):
            return encoding
    return None


def sniff(head: bytes) -> tuple[str, str] | None:
    """(family, description) for well-known content, or None."""
    if bom_encoding(head):  # before MP3's frame sync: a UTF-16 mark (FF FE) looks like one
        return "text", "text"
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand.startswith(b"M4A") or brand.startswith(b"M4B"):
            return "audio", "MPEG-4 audio"
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"avif"):
            return "image", "an HEIF/AVIF image"
        return "video", "an MP4/QuickTime video"
    if head[:4] == b"RIFF" and len(head) >= 12:
        return ("audio", "WAV audio") if head[8:12] == b"WAVE" else \
            ("video", "an AVI video") if head[8:12] == b"AVI " else None
    if len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0 and head[1] != 0xFF:
        return "audio", "MP3 audio"
    for magic, family, desc in _MAGIC:
        if head.startswith(magic):
            return family, desc
    if head and all(b in b"\t\n\r" or 32 <= b < 127 or b >= 128 for b in head[:512]):
        return "text", "text"
    return None


def check_family(path_suffix: str, head: bytes, expected: tuple[str, ...]) -> None:
    """Raise ImportFailure when content and name disagree, naming both."""
    from .api import ImportFailure

    if not head:
        raise ImportFailure("the file is empty")
    found = sniff(head)
    if found and found[0] not in expected:
        raise ImportFailure(f"its name says {path_suffix} but it holds {found[1]}; "
                            "rename it to the right extension and import it again")
