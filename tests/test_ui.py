"""The app's first window, offscreen over the real demo vault, with a screenshot."""
import pytest

pytestmark = pytest.mark.gui


def test_timeline_shows_the_demo_day(qtbot, demo_vault, artifacts):
    from ui.app import MainWindow
    from sideload.vault import Vault

    vault = Vault.open(demo_vault)
    try:
        window = MainWindow(vault)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        assert window.days.count() == 1 and "2026-03-02" in window.days.item(0).text()
        n = len(vault.moments(day="2026-03-02"))
        qtbot.waitUntil(lambda: window.moments.count() == n, timeout=5000)
        texts = [window.moments.item(i).text() for i in range(n)]
        assert any("passport" in t for t in texts)
        assert sum(1 for i in range(n) if not window.moments.item(i).icon().isNull()) >= 5  # keyframe thumbnails
        shot = artifacts / "timeline.png"
        assert window.grab().save(str(shot))
        assert shot.stat().st_size > 10_000
    finally:
        vault.close()


def test_empty_vault_says_what_to_do(qtbot, tmp_path):
    from ui.app import MainWindow
    from sideload.vault import Vault

    Vault.init(tmp_path / "v").close()
    with Vault.open(tmp_path / "v") as vault:
        window = MainWindow(vault)
        qtbot.addWidget(window)
        assert window.days.count() == 0 and "import" in window.header.text().lower()
