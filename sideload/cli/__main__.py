"""`python -m sideload.cli`: the command line, as the `sideload` script runs it."""
import sys

from sideload.cli import main

sys.exit(main())
