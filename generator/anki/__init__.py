"""Anki stage: items -> notes (compile) -> a reproducible .apkg (write)."""
