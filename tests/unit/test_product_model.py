"""A product's HS code comes from the shipped tariff table, with its legal units."""

import pytest

from shop.catalog.models import Product, UnknownHSCode
from shop.customs import codes


def test_hs_code_sets_the_legal_units_from_the_table():
    product = Product(hs_code="2204210000")  # wine in small containers: litres, then kilograms
    assert (product.legal_unit1, product.legal_unit2) == ("095", "035")
    product.hs_code = "1901101000"  # infant formula: kilograms only
    assert (product.legal_unit1, product.legal_unit2) == ("035", None)


@pytest.mark.parametrize("code", ["0000000000", "19011010", "abc", ""])
def test_unknown_hs_code_is_refused(code):
    with pytest.raises(UnknownHSCode):
        Product(hs_code=code)


def test_shipped_tables_are_complete():
    assert len(codes.hs_codes()) == 11929
    assert codes.country("304").name_zh == "德国"
    assert codes.country("133").name_en == "South Korea"
    assert codes.units()["142"] == "瓶"
    assert codes.positive_list() <= set(codes.hs_codes())
