"""Fixed vocabularies of the place catalogue: categories, dishes, districts and the Hanoi bounding box.

Every value here is part of the catalogue's file format (``data/places/catalogue.csv``) and of the public API
(``--category``, ``--interests``), so values are only ever added, never renamed.
"""

from __future__ import annotations

from enum import StrEnum

from routing import BBox

__all__ = ["HANOI_BBOX", "Category", "Dish", "District"]


class Category(StrEnum):
    """What kind of visit a place offers; a place has one or more."""

    HERITAGE = "heritage"
    SPIRITUAL = "spiritual"
    MUSEUM = "museum"
    ARCHITECTURE = "architecture"
    CRAFT_VILLAGE = "craft_village"
    CUISINE = "cuisine"
    MARKET = "market"
    CI_CENTRE = "ci_centre"
    PERFORMING_ARTS = "performing_arts"
    NATURE = "nature"
    NIGHTLIFE = "nightlife"


class Dish(StrEnum):
    """What a food or drink place is known for (snake_case Vietnamese names where the dish is Vietnamese)."""

    # Noodles and noodle soups
    PHO = "pho"
    BUN_CHA = "bun_cha"
    BUN_RIEU = "bun_rieu"
    BUN_BO_NAM_BO = "bun_bo_nam_bo"
    BUN_BO_HUE = "bun_bo_hue"
    BUN_THANG = "bun_thang"
    BUN_NGAN = "bun_ngan"
    BUN_DAU = "bun_dau"
    BUN_CA = "bun_ca"
    BUN_OC = "bun_oc"
    MIEN_LUON = "mien_luon"
    # Rice, rolls and cakes
    BANH_MI = "banh_mi"
    BANH_CUON = "banh_cuon"
    BANH_XEO = "banh_xeo"
    BANH_CHUNG = "banh_chung"
    BANH_COM = "banh_com"
    CHA_CA = "cha_ca"
    NEM = "nem"
    GIO_CHA = "gio_cha"
    COM_BINH_DAN = "com_binh_dan"
    COM_TAM = "com_tam"
    COM_VONG = "com_vong"
    XOI = "xoi"
    CHAO = "chao"
    OC = "oc"
    NOM = "nom"
    VIETNAMESE = "vietnamese"
    STREET_FOOD = "street_food"
    # Sweets and bakery
    CHE = "che"
    KEM = "kem"
    SUA_CHUA = "sua_chua"
    BAKERY = "bakery"
    # Drinks
    EGG_COFFEE = "egg_coffee"
    COFFEE = "coffee"
    TEA = "tea"
    BIA_HOI = "bia_hoi"
    CRAFT_BEER = "craft_beer"
    COCKTAILS = "cocktails"
    # Other kinds of meal
    SEAFOOD = "seafood"
    HOTPOT = "hotpot"
    BBQ = "bbq"
    VEGETARIAN = "vegetarian"
    FINE_DINING = "fine_dining"
    INTERNATIONAL = "international"


class District(StrEnum):
    """The 30 district-level units of Hanoi before the 2025 reorganisation (names with diacritics)."""

    BA_DINH = "Ba Đình"
    HOAN_KIEM = "Hoàn Kiếm"
    TAY_HO = "Tây Hồ"
    LONG_BIEN = "Long Biên"
    CAU_GIAY = "Cầu Giấy"
    DONG_DA = "Đống Đa"
    HAI_BA_TRUNG = "Hai Bà Trưng"
    HOANG_MAI = "Hoàng Mai"
    THANH_XUAN = "Thanh Xuân"
    NAM_TU_LIEM = "Nam Từ Liêm"
    BAC_TU_LIEM = "Bắc Từ Liêm"
    HA_DONG = "Hà Đông"
    SON_TAY = "Sơn Tây"
    BA_VI = "Ba Vì"
    PHUC_THO = "Phúc Thọ"
    DAN_PHUONG = "Đan Phượng"
    HOAI_DUC = "Hoài Đức"
    QUOC_OAI = "Quốc Oai"
    THACH_THAT = "Thạch Thất"
    CHUONG_MY = "Chương Mỹ"
    THANH_OAI = "Thanh Oai"
    THUONG_TIN = "Thường Tín"
    PHU_XUYEN = "Phú Xuyên"
    UNG_HOA = "Ứng Hòa"
    MY_DUC = "Mỹ Đức"
    THANH_TRI = "Thanh Trì"
    GIA_LAM = "Gia Lâm"
    DONG_ANH = "Đông Anh"
    SOC_SON = "Sóc Sơn"
    ME_LINH = "Mê Linh"


HANOI_BBOX = BBox(south=20.53, west=105.28, north=21.39, east=106.03)
"""Everything a place in the catalogue may lie in: the whole of Hanoi's administrative area, with a small margin."""
