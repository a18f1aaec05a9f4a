"""The program's own files, read once: settings, roles, participants, forms, message templates."""
