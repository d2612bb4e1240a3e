"""Sideload core: vault, pipeline, search, persona, consolidation and the CLI.

The core is headless: nothing under sideload/, models/ or lifelog_import/ imports Qt
(tests/test_architecture.py enforces it).
"""

__version__ = "0.1.0"
