"""Worksheet stage: checked items -> quiz data (layout) -> PDF bytes (render)."""
