"""Accounts over the API: register, bearer tokens, the buyer's saved identities and addresses."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from pydantic import EmailStr, Field

from shop.accounts import divisions
from shop.accounts import services as accounts
from shop.accounts.identity import Address, BuyerIdentity
from shop.api.core import (
    SIGNED_IN,
    SIGNED_INT_MAX,
    ApiError,
    FieldError,
    Schema,
    current_token,
    issue_token,
    operation,
)
from shop.customs import rules
from shop.db import db, utcnow
from shop.orders.forms import MOBILE
from shop.orders.services import ID_MESSAGES

PHONE = MOBILE.pattern  # one rule for mobile numbers, on the pages and here


def _token_limit() -> str:
    return current_app.config["API_TOKEN_RATE_LIMIT"]


class RegisterRequest(Schema):
    name: str = Field(min_length=1, max_length=100)
    email: EmailStr = Field(max_length=254)
    password: str = Field(min_length=8, max_length=200)
    client: str = Field("", max_length=100, description="a label for the token, e.g. \"iPhone\"")


class TokenRequest(Schema):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=200)
    client: str = Field("", max_length=100)


class UserOut(Schema):
    id: int
    name: str
    email: str
    role: str
    locale: str | None


class TokenOut(Schema):
    access_token: str = Field(description="send it as `Authorization: Bearer …`; shown only once")
    token_type: str = "Bearer"
    expires_at: datetime
    user: UserOut


def _user(user) -> UserOut:
    return UserOut(id=user.id, name=user.name, email=user.email, role=user.role.value, locale=user.locale)


def _token(user, client: str) -> TokenOut:
    token, record = issue_token(db.session, user, days=current_app.config["API_TOKEN_DAYS"], name=client)
    return TokenOut(access_token=token, expires_at=record.expires_at, user=_user(user))


@operation("POST", "/auth/register", summary="Create a shopper account", tag="accounts", body=RegisterRequest,
           response=TokenOut, status=201, errors=("email_taken",), limit=_token_limit)
def register(body: RegisterRequest):
    """A new shopper account, signed in: the answer carries its first bearer token."""
    user = accounts.register(db.session, name=body.name, email=body.email, password=body.password)
    return _token(user, body.client)


@operation("POST", "/auth/token", summary="Sign in for a bearer token", tag="accounts", body=TokenRequest,
           response=TokenOut, status=201, errors=("invalid_credentials", "rate_limited"),
           limit=_token_limit)
def sign_in(body: TokenRequest):
    """Exchange an email address and password for a bearer token (it expires after `API_TOKEN_DAYS`)."""
    user = accounts.authenticate(db.session, body.email, body.password)
    if user is None:
        raise ApiError("invalid_credentials")
    return _token(user, body.client)


@operation("DELETE", "/auth/token", summary="Revoke the token in use", tag="accounts", auth=SIGNED_IN)
def revoke(user):
    """Sign out: the token sent with this request stops working at once."""
    current_token().revoked_at = utcnow()
    db.session.flush()


@operation("GET", "/me", summary="The signed-in account", tag="accounts", auth=SIGNED_IN, response=UserOut)
def me(user):
    return _user(user)


# --- Saved buyers ---------------------------------------------------------------------------------------


class IdentityIn(Schema):
    name: str = Field(min_length=1, max_length=50, description="the buyer's real name")
    id_number: str = Field(min_length=18, max_length=18, description="18-character resident ID number")
    phone: str = Field(pattern=PHONE, description="11-digit mainland mobile number")


class IdentityOut(Schema):
    id: int
    name: str
    id_number_masked: str
    phone_masked: str


class IdentityList(Schema):
    items: list[IdentityOut]


def _identity(i: BuyerIdentity) -> IdentityOut:
    return IdentityOut(id=i.id, name=i.name, id_number_masked=i.id_number_masked, phone_masked=i.phone_masked)


def checked_id_number(value: str) -> str:
    """The normalised ID number, or an `invalid_id_number` problem naming the field."""
    try:
        return rules.check_id_number(value, utcnow().date())
    except rules.InvalidIdNumber as exc:
        raise ApiError("invalid_id_number", ID_MESSAGES[exc.reason],
                       errors=[FieldError("id_number", ID_MESSAGES[exc.reason])]) from None


@operation("GET", "/me/identities", summary="Saved buyers", tag="accounts", auth=SIGNED_IN, response=IdentityList)
def identities(user):
    """The real-name buyers saved on the account (ID and phone masked)."""
    return IdentityList(items=[_identity(i) for i in accounts.identities_of(db.session, user.id)])


@operation("POST", "/me/identities", summary="Save a buyer", tag="accounts", auth=SIGNED_IN, body=IdentityIn,
           response=IdentityOut, status=201, errors=("invalid_id_number",))
def add_identity(user, body: IdentityIn):
    """Keep a real-name buyer (the same ID number is kept once, its name and phone updated)."""
    number = checked_id_number(body.id_number)
    return _identity(accounts.save_identity(db.session, user.id, name=body.name, id_number=number, phone=body.phone))


ITEM_ID = {"type": "integer", "minimum": 1, "maximum": SIGNED_INT_MAX}


@operation("DELETE", "/me/identities/{identity_id}", summary="Forget a saved buyer", tag="accounts",
           auth=SIGNED_IN, errors=("not_found",), path_params={"identity_id": ITEM_ID})
def delete_identity(user, identity_id: int):
    if not accounts.delete_saved(db.session, BuyerIdentity, user.id, identity_id):
        raise ApiError("not_found")


# --- Saved addresses ------------------------------------------------------------------------------------


class AddressIn(Schema):
    consignee: str = Field(min_length=1, max_length=50)
    phone: str = Field(pattern=PHONE)
    district_code: str = Field(pattern=r"^\d{6}$", description="GB/T 2260 code of the district, e.g. 220102")
    street: str = Field(min_length=1, max_length=200)


class AddressOut(Schema):
    id: int
    consignee: str
    phone_masked: str
    division_code: str
    province: str
    city: str
    district: str
    street: str


class AddressList(Schema):
    items: list[AddressOut]


def _address(a: Address) -> AddressOut:
    return AddressOut(id=a.id, consignee=a.consignee, phone_masked=a.phone_masked, division_code=a.division_code,
                      province=a.province, city=a.city, district=a.district, street=a.street)


def checked_district(code: str):
    place = divisions.district(code)
    if place is None:
        message = _l("Please choose the province, city and district.")
        raise ApiError("validation_error", message, errors=[FieldError("district_code", message)])
    return place


@operation("GET", "/me/addresses", summary="Saved addresses", tag="accounts", auth=SIGNED_IN,
           response=AddressList)
def addresses(user):
    return AddressList(items=[_address(a) for a in accounts.addresses_of(db.session, user.id)])


@operation("POST", "/me/addresses", summary="Save an address", tag="accounts", auth=SIGNED_IN, body=AddressIn,
           response=AddressOut, status=201)
def add_address(user, body: AddressIn):
    """Keep a delivery address; the district code decides province, city and district."""
    place = checked_district(body.district_code)
    return _address(accounts.save_address(
        db.session, user.id, consignee=body.consignee, phone=body.phone, division_code=place.code,
        province=place.province, city=place.city, district=place.district, street=body.street))


@operation("DELETE", "/me/addresses/{address_id}", summary="Forget a saved address", tag="accounts",
           auth=SIGNED_IN, errors=("not_found",), path_params={"address_id": ITEM_ID})
def delete_address(user, address_id: int):
    if not accounts.delete_saved(db.session, Address, user.id, address_id):
        raise ApiError("not_found")

