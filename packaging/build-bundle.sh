#!/usr/bin/env bash
# Builds dist/Sideload/: a one-folder bundle with the app (Sideload), the command line (sideload),
# a desktop entry and the icon. Run from the repository root after `make venv`.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pip install -q 'pyinstaller>=6'
# an old dependency pulls the 'typing' backport; Python 3.11 never imports it, and PyInstaller refuses it
.venv/bin/pip uninstall -q -y typing 2>/dev/null || true
.venv/bin/pyinstaller --noconfirm --distpath dist --workpath build/pyinstaller packaging/sideload.spec
ln -sf Sideload dist/Sideload/sideload  # the command line, same executable
install -Dm644 packaging/sideload.desktop dist/Sideload/share/applications/sideload.desktop
install -Dm644 packaging/icons/sideload.svg dist/Sideload/share/icons/hicolor/scalable/apps/sideload.svg
echo "bundle ready: dist/Sideload (run dist/Sideload/Sideload; to install the menu entry:"
echo "  cp -r dist/Sideload ~/.local/opt/ && ln -s ~/.local/opt/Sideload/Sideload ~/.local/bin/Sideload"
echo "  cp dist/Sideload/share/applications/sideload.desktop ~/.local/share/applications/)"
