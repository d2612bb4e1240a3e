"""Render every view of the app over a vault into PNG files (for checking layouts, themes and scaling).

    QT_QPA_PLATFORM=offscreen QT_SCALE_FACTOR=2 python -m ui.screenshot --vault DIR --out DIR [--theme dark]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vault", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--theme", choices=("light", "dark"), default="light")
    ap.add_argument("--prefix", default="")
    args = ap.parse_args(argv)
    from PySide6.QtWidgets import QApplication

    from sideload.store.vault import Vault

    from .app import VIEWS, MainWindow, apply_theme

    app = QApplication.instance() or QApplication(sys.argv)
    apply_theme(app, args.theme)
    args.out.mkdir(parents=True, exist_ok=True)
    with Vault.open(args.vault) as vault:
        window = MainWindow(vault, restore=False)
        window.resize(1200, 760)
        window.show()
        for i, name in enumerate(VIEWS):
            window.show_view(i)
            for _ in range(20):
                app.processEvents()
            img = window.grab()
            img.save(str(args.out / f"{args.prefix}{name.lower()}.png"))
            print(f"{name}: {img.width()}x{img.height()} (device pixel ratio {img.devicePixelRatio():g})")
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
