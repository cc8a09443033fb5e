"""The customs code tables shipped in shop/customs/data (see SOURCES.md there)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class HSCode:
    code: str
    name: str
    unit1: str
    unit2: str | None


@dataclass(frozen=True)
class Country:
    code: str
    name_en: str
    name_zh: str

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en


def _rows(filename: str):
    with (DATA_DIR / filename).open(encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


@cache
def hs_codes() -> dict[str, HSCode]:
    """11,929 ten-digit HS codes (2019 tariff) with their legal units."""
    return {
        row["code"]: HSCode(row["code"], row["name"], row["unit1"], row["unit2"] or None)
        for row in _rows("hs_codes_2019.csv")
    }


def hs_code(code: str) -> HSCode | None:
    return hs_codes().get((code or "").strip())


@cache
def positive_list() -> frozenset[str]:
    """The HS codes of the positive-list sample (10 digits)."""
    return frozenset(row["hs10"] for row in _rows("positive_list_sample.csv"))


# The code table's English names are terse or misspelt in places; shoppers see these instead.
ENGLISH_NAME_FIXES = {"102": "Bahrain", "133": "South Korea", "143": "Taiwan, China"}


@cache
def countries() -> dict[str, Country]:
    return {
        row["code"]: Country(row["code"], ENGLISH_NAME_FIXES.get(row["code"], row["code_en"]), row["name"])
        for row in _rows("code_country.csv")
    }


def country(code: str) -> Country | None:
    return countries().get(code)


@cache
def units() -> dict[str, str]:
    """JGS-20 unit codes -> Chinese name (007 个, 035 千克, 142 瓶 …)."""
    return {row["code"]: row["name"] for row in _rows("code_unit.csv")}
