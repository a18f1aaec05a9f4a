"""Entry point for ``python -m mentoring``."""

from mentoring.cli import main

main()
