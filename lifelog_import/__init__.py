"""Importers: turn files a person recorded or wrote into `Source`s the pipeline understands.

The stable plugin API lives in `lifelog_import.api`; importers are found through the
`sideload.importers` entry-point group, and the built-in ones are registered there exactly as a
third-party package would register its own.
"""
from .api import ImportFailure, Importer, Source, TextEntry, WallClock, load_importers

__all__ = ["ImportFailure", "Importer", "Source", "TextEntry", "WallClock", "load_importers"]
