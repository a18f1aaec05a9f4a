"""Run an open-source project's mentoring program inside one GitHub repository."""

__version__ = "0.1.0"
