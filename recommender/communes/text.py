"""Text that editors write: plain text of bounded size, never markup.

Stories and event descriptions are shown by apps and pages that must never render what an editor typed as HTML; a
text that looks like markup (``<script>``, ``<b>``, ``<!-- -->``) is refused rather than stored and escaped later, so
no reader of the data can be caught out.
"""

from __future__ import annotations

import re
from typing import Annotated, Final

from pydantic import AfterValidator, Field

__all__ = ["STORY_MAX_CHARS", "TITLE_MAX_CHARS", "PlainText", "StoryText", "Title", "plain_text"]

STORY_MAX_CHARS: Final[int] = 4000
"""The longest story part (about two screens on a phone)."""
TITLE_MAX_CHARS: Final[int] = 160
_MARKUP: Final[re.Pattern[str]] = re.compile(r"<\s*[a-zA-Z/!?]|&[a-zA-Z]+;|&#\d+;|javascript:", re.IGNORECASE)


def plain_text(value: str) -> str:
    """The text itself when it holds no markup.

    Raises
    ------
    ValueError
        If it holds an HTML/XML tag, comment, entity or a ``javascript:`` link.
    """
    if _MARKUP.search(value):
        raise ValueError("must be plain text: HTML tags, entities and scripts are not accepted")
    return value


PlainText = Annotated[str, Field(min_length=1, max_length=STORY_MAX_CHARS), AfterValidator(plain_text)]
StoryText = PlainText
Title = Annotated[str, Field(min_length=1, max_length=TITLE_MAX_CHARS), AfterValidator(plain_text)]
