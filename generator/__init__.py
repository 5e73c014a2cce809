"""studydeck: sourced quiz and study-deck generator (load -> validate -> compile -> write)."""
