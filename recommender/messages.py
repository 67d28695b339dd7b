"""What the traveller reads, in English or Vietnamese: one table of messages, each a stable code with parameters.

A plan's warnings and a visit's reasons are :class:`Message` objects: a code (``day.meal.window``), its parameters
(numbers, clock times, dates, and other texts such as a place's :class:`Name` or a term like ``meal.lunch``) and,
as a ``str``, the English text. Code that only wants English keeps treating them as strings; code that knows the
traveller's :class:`Language` calls :meth:`Text.render` (or :func:`localise` on a whole JSON answer). Being
``str``, they survive being put in JSON (orjson and json write them as their English text) and being pickled to
another process (they pickle as code and parameters), so an answer planned once in English can still be rendered
in Vietnamese where it is sent (the lazy translation strings of Django and Babel work the same way).

Every code has an English and a Vietnamese template (:data:`MESSAGES`); the English ones are the texts the planner
has always written. Vietnamese numbers use a decimal comma and dates are day/month/year.

This module is also where a language is chosen from what a traveller accepts (:func:`preferred_language`: an
``Accept-Language`` list with q-values), so every caller (API, CLI) picks it the same way.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Final


class Language(StrEnum):
    """A language the service answers in."""

    EN = "en"
    VI = "vi"

    @classmethod
    def from_tag(cls, tag: str) -> Language | None:
        """The language of a tag such as ``vi``, ``vi-VN`` or ``EN_us`` (None for any other language)."""
        primary = tag.strip().replace("_", "-").split("-", 1)[0].lower()
        for language in cls:
            if primary == language.value:
                return language
        return None


DEFAULT_LANGUAGE: Final[Language] = Language.EN


def preferred_language(accept_language: str | None, *, default: Language = DEFAULT_LANGUAGE) -> Language:
    """The supported language a traveller prefers most, from an ``Accept-Language`` value (RFC 9110 12.5.4).

    Each range's quality (``q``, 1 when not given) ranks it; among equal qualities the first listed wins; ``q=0``
    means "not this one" and a malformed quality drops its range. ``*`` and unsupported languages give ``default``
    (also the answer for an empty or missing value).

    >>> preferred_language("fr-CH, fr;q=0.9, en;q=0.8, vi;q=0.85")
    <Language.VI: 'vi'>
    """
    best: tuple[float, int, Language] | None = None
    for position, item in enumerate((accept_language or "").split(",")):
        tag, *options = (part.strip() for part in item.split(";"))
        quality = 1.0
        for option in options:
            name, _, value = option.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = -1.0
        if not 0.0 < quality <= 1.0:
            continue
        language = default if tag == "*" else Language.from_tag(tag)
        if language is None:
            continue
        if best is None or (quality, -position) > (best[0], -best[1]):
            best = (quality, position, language)
    return best[2] if best is not None else default


class Text(str):
    """A text shown to the traveller: as a ``str`` it is the English text; :meth:`render` gives any language."""

    __slots__ = ()

    def render(self, lang: Language) -> str:
        """The text in ``lang``, as a plain ``str``."""
        raise NotImplementedError


class Name(Text):
    """A name known in both languages (a place's ``name_en`` and ``name_vi``)."""

    __slots__ = ("vi",)
    vi: str

    def __new__(cls, en: str, vi: str | None = None) -> Name:
        """The name ``en`` in English and ``vi`` in Vietnamese (the English one when there is none)."""
        name = super().__new__(cls, en)
        name.vi = vi or en
        return name

    def render(self, lang: Language) -> str:
        """The name in ``lang``."""
        return self.vi if lang is Language.VI else str.__str__(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Name, (str.__str__(self), self.vi))


class Message(Text):
    """A message of :data:`MESSAGES`: its ``code`` and ``params``; the ``str`` is its English text.

    Raises
    ------
    KeyError
        If ``code`` is not in the table or a parameter its templates use is missing.
    """

    __slots__ = ("code", "params")
    code: str
    params: Mapping[str, Any]

    def __new__(cls, code: str, /, **params: Any) -> Message:
        """The message ``code`` with ``params`` (numbers, clock strings, dates, or other :class:`Text`)."""
        message = super().__new__(cls, _format(code, params, Language.EN))
        message.code = code
        message.params = params
        return message

    def render(self, lang: Language) -> str:
        """The message in ``lang``."""
        return _format(self.code, self.params, lang)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_message, (self.code, dict(self.params)))

    def __repr__(self) -> str:
        return f"Message({self.code!r}, {dict(self.params)!r})"


def _rebuild_message(code: str, params: dict[str, Any]) -> Message:
    return Message(code, **params)


def term(code: str) -> Message:
    """A parameterless message used as a word inside others (``meal.lunch``, ``category.museum``, ``pace.relaxed``)."""
    return Message(code)


def render(text: str, lang: Language) -> str:
    """``text`` in ``lang`` when it is a :class:`Text`; any other string as it is."""
    return text.render(lang) if isinstance(text, Text) else str(text)


def localise(payload: Any, lang: Language, *, skip: frozenset[str] = frozenset({"geometry"})) -> Any:
    """A copy of a JSON value with every :class:`Text` in it rendered in ``lang`` (keys in ``skip`` copied as is).

    The value itself is not changed; lines (``geometry``) are not walked, as they hold no text.
    """
    if isinstance(payload, Text):
        return payload.render(lang)
    if isinstance(payload, Mapping):
        return {key: value if key in skip else localise(value, lang, skip=skip) for key, value in payload.items()}
    if isinstance(payload, list | tuple):
        return [localise(value, lang, skip=skip) for value in payload]
    return payload


class _Formatter(string.Formatter):
    """Fills a template: texts in the language, dates and decimal numbers as that language writes them."""

    def __init__(self, lang: Language) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Text):
            return format(value.render(self.lang), format_spec)
        if isinstance(value, dt.date):
            return value.strftime("%d/%m/%Y") if self.lang is Language.VI else value.isoformat()
        text = format(value, format_spec)
        if self.lang is Language.VI and isinstance(value, float):
            text = text.replace(".", ",")
        return text


_FORMATTERS: Final[dict[Language, _Formatter]] = {language: _Formatter(language) for language in Language}


def _format(code: str, params: Mapping[str, Any], lang: Language) -> str:
    return _FORMATTERS[lang].vformat(MESSAGES[code][lang], (), params)


def _terms(prefix: str, words: Mapping[str, tuple[str, str]]) -> dict[str, dict[Language, str]]:
    return {f"{prefix}.{key}": {Language.EN: en, Language.VI: vi} for key, (en, vi) in words.items()}


MESSAGES: Final[dict[str, dict[Language, str]]] = {
    # Words used inside other messages.
    **_terms("meal", {"lunch": ("lunch", "bữa trưa"), "dinner": ("dinner", "bữa tối")}),
    **_terms("meal_time", {"lunch": ("lunch time", "giờ ăn trưa"), "dinner": ("dinner time", "giờ ăn tối")}),
    **_terms(
        "pace",
        {"relaxed": ("relaxed", "thong thả"), "normal": ("normal", "bình thường"), "packed": ("packed", "kín lịch")},
    ),
    **_terms(
        "category",
        {
            "heritage": ("heritage site", "di tích lịch sử"),
            "spiritual": ("temple or pagoda", "đền, chùa"),
            "museum": ("museum", "bảo tàng"),
            "architecture": ("landmark building", "công trình kiến trúc tiêu biểu"),
            "craft_village": ("craft village", "làng nghề"),
            "cuisine": ("food place", "quán ăn"),
            "market": ("market", "chợ"),
            "ci_centre": ("creative and cultural centre", "trung tâm văn hóa sáng tạo"),
            "performing_arts": ("performance venue", "nơi biểu diễn nghệ thuật"),
            "nature": ("green space", "không gian xanh"),
            "nightlife": ("night spot", "điểm vui chơi về đêm"),
        },
    ),
    **_terms("place", {"unknown": ("a stop", "một điểm dừng")}),
    # Why a place is in the plan (a visit's reasons).
    "reason.asked": {Language.EN: "{category} you asked for", Language.VI: "{category}, đúng sở thích của bạn"},
    "reason.also": {Language.EN: "also a {category}", Language.VI: "cũng là {category}"},
    "reason.well_known": {
        Language.EN: "one of the city's well-known places, to fill the day",
        Language.VI: "một trong những địa danh nổi tiếng của thành phố, để lịch trong ngày thêm trọn vẹn",
    },
    "reason.very_popular": {Language.EN: "very popular with visitors", Language.VI: "rất được du khách yêu thích"},
    "reason.popular": {Language.EN: "popular with visitors", Language.VI: "được nhiều du khách yêu thích"},
    "reason.rain_indoor": {Language.EN: "indoors, good on a rainy day", Language.VI: "trong nhà, hợp với ngày mưa"},
    "reason.rain_outdoor": {Language.EN: "outdoors despite the rain", Language.VI: "ở ngoài trời dù trời mưa"},
    "reason.children": {Language.EN: "good with children", Language.VI: "phù hợp với trẻ em"},
    "reason.liked_by_similar": {
        Language.EN: "liked by visitors with tastes like yours",
        Language.VI: "được những du khách có sở thích giống bạn yêu thích",
    },
    "reason.short_visit": {
        Language.EN: "a short visit: {minutes:.0f} of its {full_minutes:.0f} minutes",
        Language.VI: "ghé thăm ngắn: {minutes:.0f} trong số {full_minutes:.0f} phút",
    },
    "reason.meal_break": {
        Language.EN: "a break for {meal} at a food place on the way",
        Language.VI: "dừng chân dùng {meal} tại một quán ăn trên đường đi",
    },
    "reason.meal_for_you": {
        Language.EN: "{meal} at a food place for you",
        Language.VI: "{meal} tại một quán ăn hợp với bạn",
    },
    # What a plan owes the traveller an explanation for (its warnings).
    "day.empty.closed": {
        Language.EN: "day {day} has no visits: no place is open long enough for a visit in the window {window}",
        Language.VI: "Ngày {day} không có điểm tham quan nào: trong khung giờ {window} không nơi nào mở cửa đủ lâu "
        "để tham quan",
    },
    "day.empty.unreachable": {
        Language.EN: "day {day} has no visits: no place can be reached and visited within the window {window} and "
        "the walking limits ({hop_km:.1f} km a hop, {day_km:.1f} km a day)",
        Language.VI: "Ngày {day} không có điểm tham quan nào: không nơi nào có thể đến và tham quan trong khung giờ "
        "{window} với giới hạn đi bộ ({hop_km:.1f} km mỗi chặng, {day_km:.1f} km mỗi ngày)",
    },
    "day.meal.window": {
        Language.EN: "day {day}: no {meal}: the window {window} does not cover {meal_time} ({hours})",
        Language.VI: "Ngày {day} thiếu {meal}: khung giờ {window} không bao gồm {meal_time} ({hours})",
    },
    "day.meal.must_visit": {
        Language.EN: "day {day}: no {meal}: the must-visit {place} ({visit}) and the trip to it take the meal hours "
        "({hours})",
        Language.VI: "Ngày {day} thiếu {meal}: điểm bạn nhất định muốn đến, {place} ({visit}), cùng quãng đường tới "
        "đó đã chiếm hết giờ ăn ({hours})",
    },
    "day.meal.closed": {
        Language.EN: "day {day}: no {meal}: no food place in the catalogue is open then on {date} and within reach "
        "of the day's start and end",
        Language.VI: "Ngày {day} thiếu {meal}: vào giờ đó ngày {date}, không quán ăn nào trong danh mục vừa mở cửa "
        "vừa nằm trong tầm đi lại từ điểm xuất phát và điểm kết thúc của ngày",
    },
    "day.meal.far": {
        Language.EN: "day {day}: no {meal}: no food place in the catalogue is near enough to this day's stops to fit "
        "a {meal_minutes:.0f}-minute meal between {hours_start} and {hours_end}",
        Language.VI: "Ngày {day} thiếu {meal}: không quán ăn nào trong danh mục đủ gần các điểm dừng trong ngày để "
        "xếp một bữa ăn {meal_minutes:.0f} phút trong khoảng {hours_start} đến {hours_end}",
    },
    "day.meal.excursion": {
        Language.EN: "day {day}: no {meal}: the food places in the catalogue are all more than {minutes:.0f} minutes "
        "from this day's start and end, too far to go just to eat; eat near your stops or bring food",
        Language.VI: "Ngày {day} thiếu {meal}: các quán ăn trong danh mục đều cách điểm xuất phát và điểm kết thúc "
        "của ngày hơn {minutes:.0f} phút, quá xa để đi chỉ để ăn; hãy ăn gần các điểm dừng hoặc mang theo đồ ăn",
    },
    "day.walk_over_budget": {
        Language.EN: "day {day} walks {walk_km:.1f} km, more than the {budget_km:.1f} km budget of a {pace} day: "
        "no plan with less walking was found",
        Language.VI: "Ngày {day} phải đi bộ {walk_km:.1f} km, vượt mức {budget_km:.1f} km dành cho một ngày "
        "{pace}: không tìm được lịch trình nào đi bộ ít hơn",
    },
    "day.dropped": {
        Language.EN: "day {day}: dropped {place}: the real connections would miss its opening hours",
        Language.VI: "Ngày {day}: đã bỏ {place} vì với các chuyến xe và đường đi bộ thực tế sẽ không kịp giờ mở cửa",
    },
    # A walk's steps (the English is the router's own instruction).
    "step.street": {Language.EN: "Walk {length} along {street}", Language.VI: "Đi bộ {length} theo {street}"},
    "step.path": {
        Language.EN: "Walk {length} along an unnamed path",
        Language.VI: "Đi bộ {length} theo một lối đi không tên",
    },
    "step.unnamed_street": {
        Language.EN: "Walk {length} along an unnamed street",
        Language.VI: "Đi bộ {length} theo một con đường không tên",
    },
    "step.stairs": {Language.EN: "Take the steps ({length})", Language.VI: "Đi qua bậc thang ({length})"},
    # The CLI's summary of a plan.
    "summary.day": {
        Language.EN: "Day {day} {date} from {start}",
        Language.VI: "Ngày {day} ({date}), xuất phát từ {start}",
    },
    "summary.back": {
        Language.EN: "back at {end} {time}; walk {walk_km:.1f} km",
        Language.VI: "về tới {end} lúc {time}; đi bộ {walk_km:.1f} km",
    },
    "summary.warning": {Language.EN: "warning:", Language.VI: "lưu ý:"},
    **_terms(
        "kind",
        {"visit": ("visit", "tham quan"), "lunch": ("lunch", "ăn trưa"), "dinner": ("dinner", "ăn tối")},
    ),
}
"""Every message: its code, then its English and Vietnamese templates (``str.format`` fields, the same in both)."""


__all__ = [
    "DEFAULT_LANGUAGE",
    "MESSAGES",
    "Language",
    "Message",
    "Name",
    "Text",
    "localise",
    "preferred_language",
    "render",
    "term",
]
