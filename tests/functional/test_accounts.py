"""Accounts: register, sign in (and its throttling), sign out, change password."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shop.accounts.models import User
from tests import factories
from tests.functional.helpers import PASSWORD, sign_in, sign_out


def _register(client, **overrides):
    data = {"name": "Li Lei", "email": "li.lei@example.com", "password": "long enough", "confirm": "long enough"}
    data.update(overrides)
    return client.post("/account/register", data=data)


def _signed_in(client) -> bool:
    return client.get("/account/").status_code == 200


def _user(session, **kw) -> User:
    user = factories.user(session, **kw)
    session.commit()
    return user


# --- register ---------------------------------------------------------------------------------------


def test_register_page(english, session):
    response = english.get("/account/register")
    assert response.status_code == 200
    assert "Create an account" in response.text


def test_register_creates_the_account_and_signs_in(english, session):
    response = _register(english, email="Li.Lei@Example.com")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Welcome to GlobalBuy! Your account is ready." in english.get("/").text
    user = session.scalar(select(User).where(User.email == "li.lei@example.com"))
    assert user is not None and user.name == "Li Lei"
    assert _signed_in(english)


def test_register_goes_to_a_local_next_page(client, session):
    response = client.post("/account/register?next=/cart/", data={
        "name": "Li Lei", "email": "li.lei@example.com", "password": "long enough", "confirm": "long enough"})
    assert response.headers["Location"] == "/cart/"


def test_register_stores_the_password_hashed_with_scrypt(client, session):
    _register(client, password="long enough", confirm="long enough")

    stored = session.scalar(select(User.password_hash).where(User.email == "li.lei@example.com"))

    assert stored.startswith("scrypt:")
    assert "long enough" not in stored


@pytest.mark.parametrize(("overrides", "message"), [
    ({"email": "not-an-email"}, "Please enter a valid email address."),
    ({"password": "short", "confirm": "short"}, "Please use between 8 and 128 characters."),
    ({"confirm": "something else"}, "The two passwords do not match."),
    ({"name": ""}, "This field is required."),
])
def test_register_refuses_bad_input_with_the_fields_message(english, session, overrides, message):
    response = _register(english, **overrides)

    assert response.status_code == 400
    assert message in response.text
    assert session.scalar(select(User.id)) is None


def test_register_keeps_what_was_typed_except_passwords(english, session):
    response = _register(english, email="not-an-email")

    assert 'value="not-an-email"' in response.text
    assert 'value="Li Lei"' in response.text
    assert "long enough" not in response.text


def test_register_refuses_an_email_already_in_use(english, session):
    _user(session, email="li.lei@example.com")

    response = _register(english, email="LI.LEI@example.com")

    assert response.status_code == 400
    assert "An account with this email address already exists." in response.text
    assert len(session.scalars(select(User)).all()) == 1


# --- sign in ----------------------------------------------------------------------------------------


def test_sign_in_page(english, session):
    response = english.get("/account/login")
    assert response.status_code == 200
    assert "Keep me signed in" in response.text


def test_sign_in_with_the_right_password(english, session):
    user = _user(session)

    response = sign_in(english, user.email)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "You are signed in." in english.get("/").text
    assert _signed_in(english)


def test_sign_in_ignores_email_case_and_spaces(client, session):
    _user(session, email="mei@example.com")

    assert sign_in(client, "  MEI@Example.com ").status_code == 302


def test_sign_in_with_a_wrong_password_says_so(english, session):
    email = _user(session).email

    response = sign_in(english, email, "wrong password")

    assert response.status_code == 400
    assert "The email address or password is not correct." in response.text
    assert f'value="{email}"' in response.text
    assert not _signed_in(english)


def test_sign_in_with_an_unknown_email_gives_the_same_message(english, session):
    response = sign_in(english, "nobody@example.com", "whatever")

    assert response.status_code == 400
    assert "The email address or password is not correct." in response.text


def test_a_deactivated_account_cannot_sign_in(client, session):
    user = _user(session)
    user.active = False
    session.add(user)
    session.commit()

    assert sign_in(client, user.email).status_code == 400


def test_sign_in_follows_a_local_next_path(client, session):
    user = _user(session)

    response = sign_in(client, user.email, next_path="/cart/")

    assert response.headers["Location"] == "/cart/"


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "http://evil.example/cart/", "/\\evil.example", "javascript:alert(1)",
])
def test_sign_in_never_follows_next_off_site(client, session, target):
    user = _user(session)

    response = client.post("/account/login", query_string={"next": target},
                           data={"email": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_signed_in_user_visiting_sign_in_is_sent_on(client, session):
    user = _user(session)
    sign_in(client, user.email)

    response = client.get("/account/login?next=/cart/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/cart/"


def test_the_account_page_needs_signing_in(english, session):
    response = english.get("/account/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login?next=%2Faccount%2F"
    assert "Please sign in to continue." in english.get(response.headers["Location"]).text


def test_signing_in_from_the_account_redirect_goes_back_to_the_account(client, session):
    email = _user(session).email
    login_url = client.get("/account/").headers["Location"]

    response = client.post(login_url, data={"email": email, "password": PASSWORD})

    assert response.headers["Location"] == "/account/"


# --- throttling -------------------------------------------------------------------------------------


def test_the_sixth_failed_sign_in_within_a_minute_is_refused_with_429(english, session):
    email = _user(session).email
    for _ in range(5):
        assert sign_in(english, email, "wrong password").status_code == 400

    response = sign_in(english, email, "wrong password")

    assert response.status_code == 429
    assert "Too many attempts" in response.text
    assert "Please wait a minute and try again." in response.text


def test_while_throttled_even_the_right_password_is_refused(client, session):
    email = _user(session).email
    for _ in range(5):
        sign_in(client, email, "wrong password")

    assert sign_in(client, email).status_code == 429


def test_successful_sign_ins_do_not_count_towards_the_limit(client, session):
    email = _user(session).email
    for _ in range(8):
        assert sign_in(client, email).status_code == 302
    for _ in range(5):
        assert sign_in(client, email, "wrong password").status_code == 400

    assert sign_in(client, email, "wrong password").status_code == 429


def test_looking_at_the_sign_in_page_does_not_count(client, session):
    email = _user(session).email
    for _ in range(10):
        assert client.get("/account/login").status_code == 200

    assert sign_in(client, email, "wrong password").status_code == 400


# --- sign out ---------------------------------------------------------------------------------------


def test_sign_out(english, session):
    user = _user(session)
    sign_in(english, user.email)

    response = sign_out(english)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "You are signed out." in english.get("/").text
    assert not _signed_in(english)


def test_sign_out_is_post_only(client, session):
    user = _user(session)
    sign_in(client, user.email)

    assert client.get("/account/logout").status_code == 405
    assert _signed_in(client)


# --- change password --------------------------------------------------------------------------------


def _change_password(client, current, new, confirm=None):
    return client.post("/account/", data={"current": current, "password": new, "confirm": confirm or new})


def test_account_page_shows_the_user(english, session):
    user = _user(session, name="Han Meimei")
    sign_in(english, user.email)

    html = english.get("/account/").text

    assert "Han Meimei" in html and user.email in html
    assert "Shopper" in html


def test_change_password_with_a_wrong_current_password_says_so(english, session):
    email = _user(session).email
    sign_in(english, email)

    response = _change_password(english, "not my password", "brand new secret")

    assert response.status_code == 400
    assert "Your current password is not correct." in response.text
    sign_out(english)
    assert sign_in(english, email).status_code == 302  # the old password still works


def test_change_password_refuses_a_short_or_mismatched_new_password(english, session):
    user = _user(session)
    sign_in(english, user.email)

    short = _change_password(english, PASSWORD, "short")
    mismatch = _change_password(english, PASSWORD, "brand new secret", "brand new secreT")

    assert short.status_code == 400 and "Please use between 8 and 128 characters." in short.text
    assert mismatch.status_code == 400 and "The two passwords do not match." in mismatch.text


def test_changed_password_works_and_the_old_one_does_not(english, session):
    email = _user(session).email
    sign_in(english, email)

    response = _change_password(english, PASSWORD, "brand new secret")

    assert response.status_code == 302
    assert "Your password has been changed." in english.get("/account/").text
    sign_out(english)
    assert sign_in(english, email, PASSWORD).status_code == 400
    assert sign_in(english, email, "brand new secret").status_code == 302
    stored = session.scalar(select(User.password_hash).where(User.email == email))
    assert stored.startswith("scrypt:") and "brand new secret" not in stored
