"""Roles: every back-office route checks the role, for every role (walked from the app's URL map)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shop.accounts.models import Role, User
from shop.admin.auth import ADMINS, BACK_OFFICE, CLERKS, STAFF
from shop.customs.models import Declaration
from shop.jobs.models import Job, JobStatus
from tests import factories, ordering
from tests.clients import OwnContextClient
from tests.functional.helpers import sign_in

ROLES = ("anonymous", Role.SHOPPER, Role.STAFF, Role.CLERK, Role.ADMIN)


def _admin_rules(app):
    return sorted((r for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.")), key=lambda r: r.rule)


def _methods(rule) -> set[str]:
    return set(rule.methods) - {"HEAD", "OPTIONS"}


@pytest.fixture
def objects(app, session, tmp_path, monkeypatch):
    """Real objects for every path argument of the admin routes."""
    monkeypatch.setitem(app.config, "CUSTOMS_OUTBOX", str(tmp_path))
    (tmp_path / "CEB621Message_roles.xml").write_bytes(b"<?xml version='1.0'?><x/>")
    product = factories.product(session)
    lot = factories.lot(session, product, 20)
    shopper = factories.user(session)
    order = ordering.place(session, shopper, [(product, 1)])
    declaration = Declaration(order_id=order.id, cop_no=order.number)
    session.add(declaration)
    jobs_dir = tmp_path / "jobs"
    jobs_dir.mkdir()
    monkeypatch.setitem(app.config, "JOBS_DIR", str(jobs_dir))
    (jobs_dir / "roles.csv").write_text("order_no\n")
    job = Job(id="f" * 32, kind="customs.declaration_export", params={"format": "csv"}, status=JobStatus.DONE,
              file_path="roles.csv", file_name="declarations.csv", file_type="text/csv")
    session.add(job)
    session.commit()
    return {"product_id": product.id, "lot_id": lot.id, "number": order.number, "user_id": shopper.id,
            "fmt": "csv", "declaration_id": declaration.id, "name": "CEB621Message_roles.xml", "job_id": job.id}


def _client_for(app, session, role):
    client = OwnContextClient(app, app.response_class, use_cookies=True)
    if role != "anonymous":
        user = factories.user(session, role=role)
        session.commit()
        assert sign_in(client, user.email).status_code == 302
    return client


def _url(rule, objects) -> str:
    missing = rule.arguments - set(objects)
    assert not missing, f"{rule.rule}: no test object for {missing} (add one to the `objects` fixture)"
    return rule.build({arg: objects[arg] for arg in rule.arguments})[1]


def test_every_admin_route_declares_its_roles(app):
    rules = _admin_rules(app)
    assert len(rules) > 20  # the walk below really walks something

    for rule in rules:
        view = app.view_functions[rule.endpoint]
        roles = getattr(view, "allowed_roles", None)
        assert roles, f"{rule.endpoint} is not wrapped in role_required"
        assert Role.SHOPPER not in roles, rule.endpoint
        assert roles <= set(BACK_OFFICE), rule.endpoint
        assert Role.ADMIN in roles, f"{rule.endpoint}: administrators can do everything"


def test_the_policy_of_the_issue(app):
    """Staff: catalogue, stock, fulfilment, refunds; clerks: the customs workspace only; admins: also users."""
    by_endpoint = {r.endpoint: app.view_functions[r.endpoint].allowed_roles for r in _admin_rules(app)}

    assert by_endpoint["admin.dashboard"] == set(BACK_OFFICE)
    for endpoint in ("admin.users", "admin.user_update", "admin.audit_log"):
        assert by_endpoint[endpoint] == set(ADMINS), endpoint
    staff_work = [e for e in by_endpoint if e.split(".")[1].startswith(
        ("product", "lot", "stock", "warehouse", "fulfilment", "pick", "packing", "ship", "deliver", "order",
         "label"))]
    assert len(staff_work) >= 20
    for endpoint in staff_work:
        assert by_endpoint[endpoint] == set(STAFF), endpoint
    for endpoint, roles in by_endpoint.items():
        assert roles in (set(BACK_OFFICE), set(STAFF), set(CLERKS), set(ADMINS)), endpoint
        if Role.CLERK in roles and endpoint != "admin.dashboard":
            assert "customs" in endpoint or "declaration" in endpoint, f"{endpoint} is open to customs clerks"


@pytest.mark.parametrize("role", ROLES, ids=str)
def test_each_role_opens_exactly_the_routes_it_is_allowed(app, session, objects, role):
    client = _client_for(app, session, role)
    wrong = []
    for rule in _admin_rules(app):
        allowed = role != "anonymous" and role in app.view_functions[rule.endpoint].allowed_roles
        url = _url(rule, objects)
        if "GET" in _methods(rule):
            response = client.get(url)
            response.close()  # file downloads hold their file open until closed
            if role == "anonymous":
                ok = response.status_code == 302 and response.headers["Location"].startswith("/account/login")
            else:
                ok = response.status_code == 200 if allowed else response.status_code == 403
        else:  # POST-only: an empty form; only the refusals are checked (an allowed POST would act)
            if allowed:
                continue
            response = client.post(url, data={})
            if role == "anonymous":
                ok = response.status_code == 302 and response.headers["Location"].startswith("/account/login")
            else:
                ok = response.status_code == 403
        if not ok:
            wrong.append((rule.rule, sorted(_methods(rule)), response.status_code))

    assert not wrong, f"{role}: {wrong}"


def test_the_sign_in_redirect_comes_back_to_the_page(client, session):
    response = client.get("/admin/products")

    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login?next=%2Fadmin%2Fproducts"


def test_a_refused_post_changes_nothing(client, session, objects):
    """A shopper posting to a staff form gets 403 and the product stays as it was."""
    user = factories.user(session)
    session.commit()
    sign_in(client, user.email)

    response = client.post(f"/admin/products/{objects['product_id']}/publish", data={"publish": "0"})

    assert response.status_code == 403
    from shop.catalog.models import Product

    assert session.scalar(select(Product.published).where(Product.id == objects["product_id"])) is True


@pytest.mark.parametrize("role", ROLES, ids=str)
def test_the_header_links_to_the_back_office_only_for_back_office_roles(app, session, role):
    client = _client_for(app, session, role)

    html = client.get("/").text

    assert ('href="/admin/"' in html) is (role in BACK_OFFICE)


def test_a_clerk_sees_the_customs_workspace_and_no_staff_menu(app, session, english):
    user = factories.user(session, role=Role.CLERK)
    session.commit()
    sign_in(english, user.email)

    html = english.get("/admin/").text

    assert "Customs declarations" in html
    assert 'href="/admin/products"' not in html and 'href="/admin/users"' not in html
    assert "released orders to ship" not in html


def test_staff_see_stock_tiles_and_no_admin_menu(app, session, english):
    user = factories.user(session, role=Role.STAFF)
    session.commit()
    sign_in(english, user.email)

    html = english.get("/admin/").text

    assert "released orders to ship" in html and 'href="/admin/products"' in html
    assert 'href="/admin/users"' not in html and 'href="/admin/audit"' not in html
    assert "Customs declarations" not in html


def test_a_role_change_takes_effect_on_the_next_request(app, session, client):
    user = factories.user(session, role=Role.STAFF)
    session.commit()
    sign_in(client, user.email)
    assert client.get("/admin/products").status_code == 200

    session.get(User, user.id).role = Role.SHOPPER
    session.commit()

    assert client.get("/admin/products").status_code == 403
