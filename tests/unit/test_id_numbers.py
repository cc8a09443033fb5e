"""Resident ID numbers (GB 11643-1999, CBEC-RULES §3) and the masking of personal data (§9)."""

from __future__ import annotations

from datetime import date

import pytest

from shop.customs.rules import InvalidIdNumber, check_id_number, mask_id_number, mask_phone

TODAY = date(2026, 11, 29)


def with_check_character(first17: str) -> str:
    """The full number for 17 digits, computed here independently of the code under test."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


def reason(value: str, today: date = TODAY) -> str:
    with pytest.raises(InvalidIdNumber) as caught:
        check_id_number(value, today)
    return caught.value.reason


@pytest.mark.parametrize("number", [
    "360426199101010071",
    "120103198806018241",
    "110101202311012176",
    "11010519491231002X",
])
def test_the_valid_test_numbers_pass_and_come_back_normalised(number):
    assert check_id_number(number, TODAY) == number


def test_a_lower_case_x_and_surrounding_spaces_are_accepted_and_normalised():
    assert check_id_number(" 11010519491231002x ", TODAY) == "11010519491231002X"


def test_the_helper_agrees_with_the_published_numbers():
    for number in ("360426199101010071", "120103198806018241", "110101202311012176", "11010519491231002X"):
        assert with_check_character(number[:17]) == number


@pytest.mark.parametrize("number", ["360426199101010072", "110101202311012171", "110105194912310023"])
def test_a_wrong_check_character_is_refused_as_a_checksum_error(number):
    assert reason(number) == "checksum"


def test_an_x_where_a_digit_is_due_is_a_checksum_error():
    assert reason("36042619910101007X") == "checksum"


def test_a_birth_date_in_the_future_is_refused():
    future = with_check_character("1101012099010100" + "7")
    assert reason(future) == "birth_date"


def test_a_birth_date_of_tomorrow_is_refused_and_today_is_accepted():
    tomorrow = with_check_character("110101" + "20261130" + "007")
    born_today = with_check_character("110101" + "20261129" + "007")
    assert reason(tomorrow) == "birth_date"
    assert check_id_number(born_today, TODAY) == born_today


@pytest.mark.parametrize("birth", ["19990230", "19991301", "19990001", "20230229", "18991231"])
def test_a_birth_date_that_is_not_a_real_date_is_refused(birth):
    number = with_check_character("110101" + birth + "007")  # the checksum is right: only the date is wrong
    assert reason(number) == "birth_date"


def test_a_leap_day_in_a_leap_year_is_a_real_date():
    number = with_check_character("110101" + "20000229" + "007")
    assert check_id_number(number, TODAY) == number


@pytest.mark.parametrize("number", [
    "",
    "36042619910101007",  # 17 characters
    "3604261991010100711",  # 19
    "360426910101007",  # the old 15-digit numbers are not accepted
    "36042619910101007１",  # a full-width digit
    "３60426199101010071",  # a full-width digit among the first 17 (its value would pass the checksum)
    "²60426199101010071",  # a superscript: str.isdigit() says yes, int() says no
    "3604261991O101007X",  # a letter O among the digits
    "ABCDEFGHIJKLMNOPQR",
    "36042619910101007-",
    "X60426199101010071",
])
def test_wrong_length_or_letters_are_a_format_error(number):
    assert reason(number) == "format"


def test_none_is_a_format_error_not_a_crash():
    assert reason(None) == "format"


def test_an_id_number_is_masked_to_its_first_and_last_four_characters():
    assert mask_id_number("11010519491231002X") == "1101**********002X"
    assert mask_id_number("220102199003071234") == "2201**********1234"
    assert len(mask_id_number("360426199101010071")) == 18


@pytest.mark.parametrize(("phone", "masked"), [
    ("13812345678", "138****5678"),
    (" 13812345678 ", "138****5678"),
    ("0431-8888777", "043*****8777"),
    ("123456", "******"),
])
def test_a_phone_number_keeps_only_its_first_three_and_last_four_digits(phone, masked):
    assert mask_phone(phone) == masked
