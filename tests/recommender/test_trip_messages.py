"""The message table: every code in both languages, English as the planner always wrote it, Vietnamese on request."""

from __future__ import annotations

import datetime as dt
import pickle
import string

import orjson
import pytest

from recommender.catalogue import DEFAULT_CATALOGUE_PATH, load_catalogue
from recommender.messages import MESSAGES, Language, Message, Name, localise, preferred_language, render, term
from recommender.scoring import Context, Interests, Weather, score_place
from recommender.trip.itinerary import DayPlan, Itinerary, PlannedVisit, step_text

VIETNAMESE_LETTERS = set("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")


def _fields(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_code_has_both_languages_with_the_same_parameters(code: str) -> None:
    templates = MESSAGES[code]
    assert set(templates) == set(Language), code
    assert all(text.strip() for text in templates.values()), code
    assert _fields(templates[Language.EN]) == _fields(templates[Language.VI]), code


def test_vietnamese_sentences_are_written_with_diacritics() -> None:
    for code, templates in MESSAGES.items():
        words = string.Formatter().parse(templates[Language.VI])
        literal = "".join(text for text, *_ in words).lower()
        if len(literal.split()) >= 3:
            assert VIETNAMESE_LETTERS & set(literal), (code, literal)


def test_warnings_keep_their_english_text_and_read_naturally_in_vietnamese() -> None:
    window = Message(
        "day.meal.window",
        day=1,
        meal=term("meal.lunch"),
        meal_time=term("meal_time.lunch"),
        window="12:45-17:00",
        hours="11:30-13:30",
    )
    assert window == "day 1: no lunch: the window 12:45-17:00 does not cover lunch time (11:30-13:30)"
    assert window.render(Language.VI) == (
        "Ngày 1 thiếu bữa trưa: khung giờ 12:45-17:00 không bao gồm giờ ăn trưa (11:30-13:30)"
    )
    walk = Message("day.walk_over_budget", day=2, walk_km=7.46, budget_km=7.0, pace=term("pace.normal"))
    assert walk == (
        "day 2 walks 7.5 km, more than the 7.0 km budget of a normal day: no plan with less walking was found"
    )
    assert walk.render(Language.VI) == (
        "Ngày 2 phải đi bộ 7,5 km, vượt mức 7,0 km dành cho một ngày bình thường: "
        "không tìm được lịch trình nào đi bộ ít hơn"
    )
    closed = Message(
        "day.meal.closed", day=1, meal=term("meal.dinner"), hours="18:00-20:00", date=dt.date(2026, 12, 15)
    )
    assert "on 2026-12-15 and within reach" in closed
    assert "ngày 15/12/2026" in closed.render(Language.VI)
    dropped = Message("day.dropped", day=3, place=Name("Temple of Literature", "Văn Miếu – Quốc Tử Giám"))
    assert dropped == "day 3: dropped Temple of Literature: the real connections would miss its opening hours"
    assert dropped.render(Language.VI).startswith("Ngày 3: đã bỏ Văn Miếu – Quốc Tử Giám vì")


def test_reasons_are_messages_with_the_english_of_before() -> None:
    catalogue = load_catalogue(DEFAULT_CATALOGUE_PATH)
    lake = catalogue.get("hoan-kiem-lake")
    score = score_place(lake, Interests.parse({"heritage": 1.0}), Context(weather=Weather.RAIN, with_children=True))
    assert score.reasons[0] == "heritage site you asked for"
    assert all(isinstance(reason, Message) for reason in score.reasons)
    vietnamese = [render(reason, Language.VI) for reason in score.reasons]
    assert vietnamese[0] == "di tích lịch sử, đúng sở thích của bạn"
    assert "ở ngoài trời dù trời mưa" in vietnamese


def test_texts_are_english_in_json_survive_pickling_and_render_later() -> None:
    message = Message("reason.meal_break", meal=term("meal.lunch"))
    name = Name("Hoàn Kiếm Lake", "Hồ Hoàn Kiếm")
    payload = {"name": name, "why": {"reasons": [message]}, "geometry": "_p~iF~ps|U", "day": 1}
    assert orjson.loads(orjson.dumps(payload)) == {
        "name": "Hoàn Kiếm Lake",
        "why": {"reasons": ["a break for lunch at a food place on the way"]},
        "geometry": "_p~iF~ps|U",
        "day": 1,
    }
    copied = pickle.loads(pickle.dumps(payload))
    assert isinstance(copied["why"]["reasons"][0], Message)
    assert copied["why"]["reasons"][0].code == "reason.meal_break"
    vietnamese = localise(copied, Language.VI)
    assert vietnamese == {
        "name": "Hồ Hoàn Kiếm",
        "why": {"reasons": ["dừng chân dùng bữa trưa tại một quán ăn trên đường đi"]},
        "geometry": "_p~iF~ps|U",
        "day": 1,
    }
    assert type(vietnamese["name"]) is str
    assert payload["name"] is name  # the input is not changed


def test_an_itinerary_is_serialised_in_the_language_asked_for() -> None:
    catalogue = load_catalogue(DEFAULT_CATALOGUE_PATH)
    lake = catalogue.get("hoan-kiem-lake")
    score = score_place(lake, Interests.parse({"heritage": 1.0}), Context())
    visit = PlannedVisit(lake, "visit", 32410.0, 33400.0, 36100.0, 36100.0, score, score.reasons)
    day = DayPlan(0, dt.date(2026, 12, 15), (21.03, 105.85), (21.03, 105.85), "Hotel", "Hotel", 32400.0, 36300.0,
                  (visit,), ())  # fmt: skip
    warning = Message("day.empty.closed", day=2, window="09:00-09:10")
    itinerary = Itinerary((day,), "walk", "normal", {"heritage": 1.0}, 1.0, 0.1, 10, warnings=(warning,))
    english, vietnamese = itinerary.to_dict(), itinerary.to_dict(lang=Language.VI)
    assert english["days"][0]["visits"][0]["name"] == lake.name_en
    assert english["warnings"] == [str(warning)]
    visit_vi = vietnamese["days"][0]["visits"][0]
    assert visit_vi["name"] == visit_vi["name_vi"] == lake.name_vi
    assert visit_vi["why"]["reasons"][0] == "di tích lịch sử, đúng sở thích của bạn"
    assert vietnamese["warnings"] == [
        "Ngày 2 không có điểm tham quan nào: trong khung giờ 09:00-09:10 không nơi nào mở cửa đủ lâu để tham quan"
    ]
    assert {**localise(english, Language.VI), "lang": "vi"} == vietnamese  # the router sets `lang` (plans.py)


def test_walk_steps_keep_the_routers_english_and_gain_vietnamese() -> None:
    step = step_text({"street": "Phố Hàng Khay", "length_m": 1234.0, "instruction": "Walk 1.2 km along Phố Hàng Khay"})
    assert step == "Walk 1.2 km along Phố Hàng Khay"
    assert step.render(Language.VI) == "Đi bộ 1,2 km theo Phố Hàng Khay"
    stairs = step_text({"street": None, "length_m": 12.0, "instruction": "Take the steps (12 m)"})
    assert stairs.render(Language.VI) == "Đi qua bậc thang (12 m)"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("vi-VN,vi;q=0.9,en;q=0.5", Language.VI),
        ("en-GB,en;q=0.9,vi;q=0.8", Language.EN),
        ("en;q=0.2, vi;q=0.8", Language.VI),
        ("fr-CH, fr;q=0.9, vi;q=0.5", Language.VI),
        ("vi;q=0, en;q=0.1", Language.EN),
        ("fr, de", Language.EN),
        ("*", Language.EN),
        ("VI_vn", Language.VI),
        ("vi;q=abc, en", Language.EN),
        ("", Language.EN),
        (None, Language.EN),
    ],
)
def test_the_preferred_language_follows_the_q_values(header: str | None, expected: Language) -> None:
    assert preferred_language(header) is expected


def test_language_tags() -> None:
    assert Language.from_tag("vi-VN") is Language.VI
    assert Language.from_tag("EN") is Language.EN
    assert Language.from_tag("fr") is None
    assert Language.from_tag("") is None
