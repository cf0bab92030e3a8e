"""The API host's generic behaviour, less common paths: query parameter checks by type and
bound, paging refusals, the three cursor listing shapes, HEAD, plain-text bodies, the control
API's refusals, and a fault on the login host that lets the request through."""
from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import pytest
import requests


def _bad_param(resp, field):
    assert resp.status_code == 400, resp.text
    body = resp.json()
    assert body["code"] == "bad.request" and body["details"][0]["fieldName"] == field
    return body["message"]


@pytest.mark.parametrize("path,params,field,fragment", [
    ("/api/v2/flows", {"deleted": "maybe"}, "deleted", "true or false"),
    ("/api/v2/learning/assignments", {"minPercentageScore": "high"}, "minPercentageScore", "must be a number"),
    ("/api/v2/billing/contracts", {"pageSize": "ten"}, "pageSize", "must be a number"),
    ("/api/v2/billing/contracts", {"pageSize": "0"}, "pageSize", "at least 1"),
    ("/api/v2/billing/contracts", {"pageSize": "11"}, "pageSize", "at most 10"),
    ("/api/v2/casemanagement/caseplans", {"pageSize": "201"}, "pageSize", "at most 200"),
    ("/api/v2/conversations/summaries/settings", {"pageNumber": "0"}, "pageNumber", "at least 1"),
])
def test_query_parameters_checked_against_the_definition(api, path, params, field, fragment):
    assert fragment in _bad_param(api.get(path, params=params), field)


@pytest.mark.parametrize("path,params", [
    ("/api/v2/flows", {"deleted": "TRUE"}),
    ("/api/v2/learning/assignments", {"minPercentageScore": "12.5"}),
    ("/api/v2/billing/contracts", {"pageSize": "10"}),
    ("/api/v2/casemanagement/caseplans", {"pageSize": "200"}),
])
def test_query_parameters_within_bounds_are_accepted(api, path, params):
    assert api.get(path, params=params).status_code == 200


def test_paging_refusals_and_descending_order(api, emulator):
    emulator.seed("/api/v2/routing/queues", [{"name": f"Order {i}"} for i in range(3)])
    _bad_param(api.get("/api/v2/routing/queues", params={"pageSize": "0"}), "pageSize")
    _bad_param(api.get("/api/v2/routing/queues", params={"pageNumber": "0"}), "pageNumber")
    _bad_param(api.get("/api/v2/routing/queues", params={"pageNumber": "two"}), "pageNumber")
    names = [q["name"] for q in api.get("/api/v2/routing/queues").json()["entities"]]
    desc = [q["name"] for q in api.get("/api/v2/routing/queues", params={"sortOrder": "desc"}).json()["entities"]]
    assert desc == names[::-1] and len(names) == 3


@pytest.mark.parametrize("cursor", [base64.urlsafe_b64encode(b"x:1").decode(), "%%%", "o:"])
def test_invalid_cursor_is_400(api, cursor):
    _bad_param(api.get("/api/v2/teams", params={"after": cursor}), "cursor")


def _walk(api, path, param, shape, key="id"):
    seen, params = [], {"pageSize": 2}
    while True:
        page = api.get(path, params=params).json()
        seen.extend(e[key] for e in page["entities"])
        token = shape(page)
        if token is None:
            return seen, page
        params = {"pageSize": 2, param: token}


def test_cursor_listing_by_next_uri_only(api, emulator):
    emulator.seed("/api/v2/teams", [{"id": f"t{i}", "name": f"Team {i}"} for i in range(5)])

    def next_after(page):
        if "nextUri" not in page:
            return None
        assert "cursor" not in page and "after" not in page  # Teams list only has nextUri
        return parse_qs(urlsplit(page["nextUri"]).query)["after"][0]
    seen, last = _walk(api, "/api/v2/teams", "after", next_after)
    assert seen == [f"t{i}" for i in range(5)] and last["selfUri"].startswith("/api/v2/teams?")


def test_cursor_listing_by_cursors_after(api, emulator):
    emulator.seed("/api/v2/externalcontacts/scan/notes", [{"id": f"n{i}"} for i in range(3)])
    seen, _ = _walk(api, "/api/v2/externalcontacts/scan/notes", "cursor",
                    lambda page: (page.get("cursors") or {}).get("after"))
    assert seen == ["n0", "n1", "n2"]


def test_cursor_listing_by_after_field(api, emulator):
    workbin = api.post("/api/v2/taskmanagement/workbins", json={"name": "History"}).json()
    path = f"/api/v2/taskmanagement/workbins/{workbin['id']}/history"
    emulator.seed(path, [{"id": f"h{i}", "version": i} for i in range(3)])  # WorkitemsChangeWorkbinDelta: no id
    seen, _ = _walk(api, path, "after", lambda page: page.get("after"), key="version")
    assert seen == [0, 1, 2]
    assert api.get("/api/v2/taskmanagement/workbins/no-such/history").status_code == 404


def test_head_answers_without_body(api, emulator):
    emulator.add_queue("Head")
    listing = api.request("HEAD", "/api/v2/routing/queues")
    assert listing.status_code == 200 and listing.content == b""
    tokens = api.request("HEAD", "/api/v2/tokens/me")
    assert tokens.status_code == 200 and tokens.content == b""


def test_expand_on_a_generic_entity_keeps_it(api, emulator):
    queue = emulator.add_queue("Expand me")
    plain = api.get(f"/api/v2/routing/queues/{queue['id']}").json()
    expanded = api.get(f"/api/v2/routing/queues/{queue['id']}", params={"expand": "nothing"}).json()
    assert expanded == plain


def test_plain_text_body_where_the_definition_says_string(api):
    resp = api.post("/api/v2/processautomation/triggers/topics/v2.users.x/test", data="not json",
                    headers={"Content-Type": "application/json"})
    assert resp.status_code == 200, resp.text
    # Where the body is an object, text that is not JSON is a 400.
    bad = api.post("/api/v2/routing/queues", data="not json", headers={"Content-Type": "application/json"})
    assert bad.status_code == 400


def test_swagger_is_served_the_same_twice(api):
    first = api.get("/api/v2/docs/swagger")
    second = api.get("/api/v2/docs/swagger")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and first.content.startswith(b"{") and b'"paths"' in first.content


def test_control_api_refusals(emulator):
    headers = emulator.control_headers
    get = requests.get(f"{emulator.control_url}/info", headers=headers, timeout=10)
    assert get.status_code == 404
    other = requests.post(f"{emulator.root_url}/__emulator/other", headers=headers, json={}, timeout=10)
    assert other.status_code == 404
    not_object = requests.post(f"{emulator.control_url}/info", headers=headers, data="[1]", timeout=10)
    assert not_object.status_code == 400 and "JSON object" in not_object.json()["message"]
    unknown = requests.post(f"{emulator.control_url}/no_such_call", headers=headers, json={}, timeout=10)
    assert unknown.status_code == 400 and "unknown admin call" in unknown.json()["message"]
    empty = requests.post(f"{emulator.control_url}/info", headers=headers, data="", timeout=10)
    assert empty.status_code == 200 and empty.json()["result"]["client_id"] == emulator.client_id


def test_latency_fault_on_the_login_host_lets_the_request_through(emulator):
    emulator.add_fault("latency", "/oauth/token", delay=0.01, times=1)
    resp = requests.post(emulator.login_url + "/oauth/token", data={"grant_type": "client_credentials"},
                         auth=(emulator.client_id, emulator.client_secret), timeout=10)
    assert resp.status_code == 200 and resp.json()["access_token"]
    assert emulator.faults() == []  # used up


@pytest.mark.parametrize("host", ["[::1", "[::1]:80", "localhost:80"])
def test_host_header_forms(api, host):
    resp = api.get("/api/v2/users", headers={"Host": host})
    assert resp.status_code == (403 if host == "[::1" else 200)


def test_cursor_listing_by_cursor_field_without_next_uri(api, emulator):
    query = api.post("/api/v2/audits/query", json={"interval": "2020-01-01T00:00:00Z/2020-01-02T00:00:00Z",
                                                   "serviceName": "Architect"})
    assert query.status_code == 200, query.text
    path = f"/api/v2/audits/query/{query.json()['id']}/results"
    emulator.seed(path, [{"id": f"a{i}"} for i in range(3)])
    first = api.get(path, params={"pageSize": 2}).json()
    assert "nextUri" not in first and first["cursor"] and first["pageSize"] == 2
    seen, _ = _walk(api, path, "cursor", lambda page: page.get("cursor"))
    assert seen == ["a0", "a1", "a2"]
