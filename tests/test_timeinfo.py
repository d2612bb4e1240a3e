"""Wall-clock time from containers, EXIF, file names and folders."""
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from lifelog_import import timeinfo


@pytest.mark.parametrize("name,expected", [
    ("20260302_074500.mp4", datetime(2026, 3, 2, 7, 45, 0)),
    ("2026-03-02_07-45-00.mp4", datetime(2026, 3, 2, 7, 45, 0)),
    ("VID_20260302_074512.mp4", datetime(2026, 3, 2, 7, 45, 12)),
    ("PXL_20260302_074512345.mp4", datetime(2026, 3, 2, 7, 45, 12)),
    ("IMG-20260302-074512.jpg", datetime(2026, 3, 2, 7, 45, 12)),
    ("2026-03-02 07.45.00.m4a", datetime(2026, 3, 2, 7, 45, 0)),
    ("GOPR0001.MP4", None),
    ("holiday.mp4", None),
    ("20261399_999999.mp4", None),
])
def test_names(name, expected):
    assert timeinfo.datetime_from_name(Path(name).stem) == expected


def test_folder_per_day_with_time_only_names(tmp_path):
    f = tmp_path / "2026-03-02" / "07-45-00.mp4"
    assert timeinfo.from_path(f) == (datetime(2026, 3, 2, 7, 45, 0), "folder")
    f = tmp_path / "2026-03-02" / "074500.mp4"
    assert timeinfo.from_path(f) == (datetime(2026, 3, 2, 7, 45, 0), "folder")


def test_container_times():
    utc = timeinfo.parse_container_time("2026-03-02T07:45:00.000000Z")
    assert utc[1] is True and utc[0] == datetime(2026, 3, 2, 7, 45, tzinfo=timezone.utc).astimezone()
    apple = timeinfo.parse_container_time("2026-03-02T08:45:00+0100")
    assert apple[0].utcoffset() == timedelta(hours=1) and apple[0].hour == 8
    gopro = timeinfo.parse_container_time("2026-03-02T11:02:00.000000Z", gopro=True)
    assert gopro == (datetime(2026, 3, 2, 11, 2), False)  # GoPro's clock is local, whatever the label
    assert timeinfo.parse_container_time("1970-01-01T00:00:00Z") is None  # an unset camera clock
    assert timeinfo.parse_container_time("garbage") is None


def test_exif_with_and_without_offset():
    assert timeinfo.parse_exif_time("2026:03:02 17:30:00") == (datetime(2026, 3, 2, 17, 30), False)
    dt, known = timeinfo.parse_exif_time("2026:03:02 17:30:00", "-05:00")
    assert known and dt.utcoffset() == timedelta(hours=-5)
    assert timeinfo.parse_exif_time("0000:00:00 00:00:00") is None


def test_resolution_order_and_mtime_fallback(tmp_path):
    f = tmp_path / "20260302_074500.mp4"
    f.write_bytes(b"x")
    assert timeinfo.resolve(f, container="2025-01-01T10:00:00").source == "container"
    assert timeinfo.resolve(f).source == "filename"
    g = tmp_path / "clip.mp4"
    g.write_bytes(b"x")
    os.utime(g, (1_700_000_000, 1_700_000_000))
    clock = timeinfo.resolve(g)
    assert clock.source == "mtime" and clock.uncertain
    assert clock.start == datetime.fromtimestamp(1_700_000_000)


@pytest.mark.parametrize("name,expected", [
    ("GOPR0001.MP4", ("0001", 0)), ("GP010001.MP4", ("0001", 1)), ("GX020007.MP4", ("0007", 2)),
    ("VID_1.mp4", None)])
def test_gopro_chapters(name, expected):
    assert timeinfo.gopro_recording(Path(name)) == expected
