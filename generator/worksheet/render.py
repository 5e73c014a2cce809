"""Write stage for worksheets: quiz data -> PDF bytes through the ``typst`` package.

The template is a file beside this module and receives the data as JSON in ``sys.inputs``.
The root is set explicitly to the template's folder, system fonts are ignored (the fonts
bundled in the typst wheel are used), no package is ever fetched, and the document date is
fixed, so the same data gives the same bytes.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from ..diagnostics import OutputError

FIXED_TIMESTAMP = 0  # the document carries no build date


class RenderError(OutputError):
    """Typst refused the data or the template: a bug of ours, reported with Typst's message."""


def render_worksheet(data: dict[str, Any], key: bool = False) -> bytes:
    import typst

    folder = resources.files(__package__)
    with resources.as_file(folder.joinpath("quiz.typ")) as template:
        try:
            pdf = typst.compile(
                str(template),
                root=str(template.parent),
                sys_inputs={"data": json.dumps(data, ensure_ascii=False), "key": "1" if key else "0"},
                ignore_system_fonts=True,
                font_paths=[],
                timestamp=FIXED_TIMESTAMP,
            )
        except Exception as exc:  # typst raises its own TypstError
            raise RenderError(f"typst could not render the worksheet: {exc}") from exc
    assert isinstance(pdf, bytes)
    return pdf
