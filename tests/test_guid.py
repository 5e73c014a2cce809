"""A note's GUID is genanki's ``guid_for(namespace, item_id)`` (``notes.guid_for`` works it out
without genanki's loop over bytes)."""

from __future__ import annotations

import genanki
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.anki.notes import guid_for

_IDS = st.text(alphabet=st.sampled_from("abz09-_:é中"), max_size=30)


@settings(max_examples=2000, derandomize=True, deadline=None)
@given(_IDS, _IDS)
def test_the_guid_is_genankis(namespace: str, item_id: str) -> None:
    assert guid_for(namespace, item_id) == genanki.guid_for(namespace, item_id)


def test_guids_of_the_shipped_kind() -> None:
    for item_id in ("siege-start", "ghazi-killed", "a", "x" * 64):
        assert guid_for("lal-masjid-2007", item_id) == genanki.guid_for("lal-masjid-2007", item_id)
