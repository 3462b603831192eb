"""``python -m mardoc.cli``."""

from mardoc.cli import run

run()
