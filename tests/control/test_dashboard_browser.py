"""The dashboard in a real browser (Debian's chromium, driven by Playwright): it
reads the counts, sees a request appear in the journal, adds a fault and sees it
fire, resets, drives snapshots, clock and scenarios, and works with the control
token. One browser for the whole session (tests/conftest.py); each test gets a
fresh browser context (fresh sessionStorage).

EMULATOR_UPDATE_SCREENSHOT=1 writes the screenshot docs/dashboard.md shows."""

from __future__ import annotations

import json
import os
import struct
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from emulator.app import create_app
from emulator.config import EmulatorConfig
from tests.support.browser import VIEWPORT, ServedApp, expect
from tests.support.customerid import MAIJA
from tests.support.dfs import SARAH

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "dashboard.png"


def open_dashboard(page, emulator) -> None:
    page.goto(emulator.url + "/__emulator/")
    if emulator.namespace:  # against an external emulator each test has its own namespace
        page.fill("#namespace", emulator.namespace)
        page.dispatch_event("#namespace", "change")
    expect(page.locator("#health")).to_contain_text("ok")


def get_user(emulator, user_id: str) -> int:
    """GET105 Query User, as a client of the emulated API would send it."""
    request = urllib.request.Request(f"{emulator.customerid_url()}/users/{user_id}", headers=emulator.auth_headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def count_of(page, api: str, kind: str):
    return page.locator(f"[data-testid=count-{api}-{kind}] .count")


def test_counts_journal_fault_reset_and_screenshot(emulator_sync, in_page, tmp_path):
    def steps(page):
        shot = SCREENSHOT if os.environ.get("EMULATOR_UPDATE_SCREENSHOT") else tmp_path / "dashboard.png"
        open_dashboard(page, emulator_sync)
        counts = emulator_sync.control("GET", "/records")["apis"]
        expect(count_of(page, "customerid", "users")).to_have_text(str(counts["customerid"]["users"]["count"]))
        expect(count_of(page, "dfs", "identities")).to_have_text(str(counts["dfs"]["identities"]["count"]))
        expect(page.locator("#counts")).to_contain_text("by status: Enabled 4")

        # the records of a kind, searched; a record's document one click away
        page.click("[data-testid=count-customerid-users]")
        expect(page.locator("#browser-range")).to_have_text("1–9 of 9")
        expect(page.locator("#records-table tbody tr")).to_have_count(9)
        page.screenshot(path=str(shot), full_page=True)
        page.fill("#browser-search", "maija")
        page.press("#browser-search", "Enter")
        expect(page.locator("#records-table tbody tr")).to_have_count(1)
        page.click("a[data-by=status][data-value=Locked]")  # one bucket of users by status
        expect(page.locator("#browser-title")).to_have_text("customerid · users with status Locked")
        expect(page.locator("#records-table tbody tr")).to_have_count(1)
        expect(page.locator("#records-table tbody")).to_contain_text("pekka.korhonen")
        page.fill("#browser-search", "maija")
        page.press("#browser-search", "Enter")
        expect(page.locator("#records-table tbody tr")).to_have_count(0)  # Maija is not locked
        page.click("[data-testid=count-customerid-users]")
        page.fill("#browser-search", "maija")
        page.press("#browser-search", "Enter")
        page.click(f"#records-table tbody tr[data-id='{MAIJA}']")
        expect(page.locator("#detail-body")).to_contain_text("GET105")
        expect(page.locator("#detail-body")).to_contain_text('<Attribute name="login">')
        page.click("#detail .dialog-head button")

        # the journal, live: a request made now shows up without reloading
        page.click("a[data-tab=journal]")
        assert get_user(emulator_sync, MAIJA) == 200
        row = page.locator("#journal-table tbody tr[data-operation=GET105]")
        expect(row).to_have_count(1)
        row.click()
        expect(page.locator("#detail-body")).to_contain_text("response headers")
        expect(page.locator("#detail-body")).to_contain_text("Content-Type: application/xml")
        expect(page.locator("#detail-body")).to_contain_text("maija.virtanen")
        page.click("#detail .dialog-head button")

        # a fault added through the form fires on the next request
        page.click("a[data-tab=faults]")
        page.fill("[name='match.operation']", "GET105")
        page.fill("[name='action.status']", "503")
        page.fill("[name='times']", "1")
        page.click("#fault-form button[type=submit]")
        expect(page.locator("#faults-table tbody tr[data-id]")).to_have_count(1)
        assert get_user(emulator_sync, MAIJA) == 503
        assert get_user(emulator_sync, MAIJA) == 200  # times: 1
        page.click("a[data-tab=journal]")
        page.select_option("#journal-fault", "true")
        expect(page.locator("#journal-table tbody tr.faulted")).to_have_count(1)
        expect(page.locator("#journal-table tbody tr")).to_have_count(1)
        page.select_option("#journal-fault", "")
        expect(page.locator("#journal-table tbody tr")).to_have_count(3)
        page.screenshot(path=str(shot.with_name("dashboard-journal.png")))

        # reset: journal and faults gone, state back to the scenarios
        emulator_sync.control("POST", "/faults", {"match": {"operation": "DEL102"}, "action": {"status": 500}})
        page.click("a[data-tab=state]")
        page.click("#reset")
        expect(page.locator("#message")).to_contain_text("reset")
        assert emulator_sync.control("GET", "/faults")["faults"] == []
        assert emulator_sync.control("GET", "/requests")["size"] == 0
        png = shot.read_bytes()
        width, height = struct.unpack(">II", png[16:24])
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and width == VIEWPORT["width"] and height >= VIEWPORT["height"]

    in_page(steps)


def test_fault_list_counts_and_remove(emulator_sync, in_page):
    def steps(page):
        emulator_sync.control(
            "POST",
            "/faults",
            {"id": "slow", "match": {"operation": "GET105"}, "action": {"kind": "delay", "delay_ms": 1}},
        )
        open_dashboard(page, emulator_sync)
        page.click("a[data-tab=faults]")
        fault = page.locator("#faults-table tbody tr[data-id=slow]")
        expect(fault.locator(".fired")).to_have_text("0")
        get_user(emulator_sync, MAIJA)
        expect(fault.locator(".fired")).to_have_text("1")  # polled, no reload
        expect(fault.locator(".matched")).to_have_text("1")
        page.fill("[name='action.headers']", "{not json")
        page.click("#fault-form button[type=submit]")
        expect(page.locator("#message.error")).to_contain_text("action.headers is not valid JSON")
        page.fill("[name='action.headers']", "")
        page.fill("[name='match.header']", '["X-Test"]')
        page.click("#fault-form button[type=submit]")
        expect(page.locator("#message.error")).to_contain_text("(match.header)")  # the control API's own 400
        fault.get_by_role("button", name="Remove").click()
        expect(fault).to_have_count(0)
        assert emulator_sync.control("GET", "/faults")["faults"] == []

    in_page(steps)


def test_snapshots_clock_scenarios_and_endpoints(emulator_sync, in_page):
    def steps(page):
        open_dashboard(page, emulator_sync)
        page.click("a[data-tab=state]")
        page.fill("#snapshot-id", "before")
        page.click("#snapshot-form button[type=submit]")
        expect(page.locator("#snapshots-table tbody tr[data-id=before]")).to_have_count(1)
        emulator_sync.control("POST", f"/customerid/users/{MAIJA}/lock")
        page.locator("#snapshots-table tbody tr[data-id=before]").get_by_role("button", name="Restore").click()
        expect(page.locator("#message")).to_contain_text("snapshot before restored")
        assert emulator_sync.control("GET", f"/records/customerid/users/{MAIJA}")["row"]["statusName"] == "Enabled"
        page.locator("#snapshots-table tbody tr[data-id=before]").get_by_role("button", name="Delete").click()
        expect(page.locator("#snapshots-table tbody tr[data-id]")).to_have_count(0)

        page.fill("#clock-value", "2030-05-01T12:00:00Z")
        page.check("#clock-freeze")
        page.click("#clock-set button[type=submit]")
        expect(page.locator("#clock-now")).to_have_text("2030-05-01T12:00:00.000Z · frozen")
        page.click("[data-advance='3600']")
        expect(page.locator("#clock-now")).to_have_text("2030-05-01T13:00:00.000Z · frozen")
        page.click("#clock-toggle")
        expect(page.locator("#clock-now")).to_contain_text("running")

        loaded = emulator_sync.control("GET", "/scenarios")["loaded"]
        expect(page.locator("#scenarios-loaded li")).to_have_count(len(loaded))
        page.select_option("#scenario-name", "default")
        page.check("#scenario-replace")
        page.click("#scenario-form button[type=submit]")
        expect(page.locator("#message")).to_contain_text("loaded default")

        get_user(emulator_sync, MAIJA)
        page.click("a[data-tab=endpoints]")
        expect(page.locator("#endpoints-summary")).to_contain_text("customerid 2.1")
        page.select_option("#endpoints-api", "customerid")
        page.fill("#endpoints-filter", "GET105")
        expect(page.locator("#endpoints-table tbody tr")).to_have_count(2)  # 2.0 and 2.1
        page.check("#endpoints-unused")
        expect(page.locator("#endpoints-table tbody tr")).to_have_count(1)
        expect(page.locator("#endpoints-table tbody tr")).to_contain_text("2.0")

    in_page(steps)


@pytest.fixture
def guarded_emulator(emulator_baseline):
    served = ServedApp(create_app(EmulatorConfig(control_token="dash-token"), baseline=emulator_baseline))
    yield served
    served.close()


def test_control_token_typed_into_the_page(guarded_emulator, in_page):
    def steps(page):
        page.goto(guarded_emulator.url + "/__emulator/")
        expect(page.locator("#message.error")).to_contain_text("control token")
        page.fill("#token", "dash-token")
        page.click("#token-form button[type=submit]")
        expect(count_of(page, "customerid", "users")).to_have_text("9")
        page.reload()  # kept in sessionStorage for this tab
        expect(count_of(page, "customerid", "users")).to_have_text("9")
        assert page.evaluate("sessionStorage.getItem('emulator.token')") == "dash-token"
        page.fill("#namespace", "dash-other")
        page.dispatch_event("#namespace", "change")
        expect(page.locator("#health")).to_contain_text("2 namespace(s)")

    in_page(steps)


def open_journal_streaming(page, emulator) -> None:
    open_dashboard(page, emulator)
    page.click("a[data-tab=journal]")
    expect(page.locator("#journal-summary")).to_contain_text("live (stream)")


def dfs_get_with_bearer(emulator) -> tuple[int, str]:
    """get /v1.0/access-policies with a DFS Bearer token; (status, token)."""
    token = emulator.dfs_token()
    request = urllib.request.Request(
        f"{emulator.dfs_url()}/access-policies", headers={"Authorization": "Bearer " + token, **emulator.headers}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, token


def test_the_stream_marks_errors_and_decodes_bearer_tokens(emulator_sync, in_page, tmp_path):
    def steps(page):
        open_journal_streaming(page, emulator_sync)
        # Polling is off while the stream is open: rows appearing came by the stream.
        assert get_user(emulator_sync, "99999999-9999-4999-8999-999999999999") == 404
        missing = page.locator("#journal-table tbody tr[data-operation=GET105]")
        expect(missing).to_have_class("clickable client-error")
        expect(missing.locator("td.status")).to_have_text("404")
        status, token = dfs_get_with_bearer(emulator_sync)
        assert status == 200
        row = page.locator("#journal-table tbody tr").first
        expect(row).not_to_have_class("client-error")
        row.click()
        detail = page.locator("#detail-body")
        expect(detail).to_contain_text("bearer token, decoded (not verified)")
        expect(detail).to_contain_text('"alg": "RS256"')
        expect(detail).to_contain_text('"client_id"')
        assert token not in detail.inner_text()  # shortened, not eleven lines of base64
        page.screenshot(path=str(tmp_path / "bearer.png"))
        page.click("#detail .dialog-head button")

        with page.expect_download() as download:
            page.click("#journal-har")
        har = json.loads(Path(download.value.path()).read_text("utf-8"))
        assert download.value.suggested_filename == f"emulator-{emulator_sync.namespace or 'default'}.har"
        assert har["log"]["version"] == "1.2"
        assert [entry["response"]["status"] for entry in har["log"]["entries"]] == [404, 200]

    in_page(steps)


def test_the_journal_polls_when_the_stream_is_refused(emulator_sync, in_page):
    def steps(page):
        page.route("**/__emulator/requests/stream*", lambda route: route.fulfill(status=503, body="{}"))
        open_dashboard(page, emulator_sync)
        page.click("a[data-tab=journal]")
        expect(page.locator("#journal-summary")).to_contain_text("live (polling)")
        emulator_sync.control("POST", "/faults", {"match": {"operation": "GET105"}, "action": {"status": 503}})
        assert get_user(emulator_sync, MAIJA) == 503
        row = page.locator("#journal-table tbody tr[data-operation=GET105]")
        expect(row).to_have_class("clickable faulted server-error")

    in_page(steps)


def test_records_view_shows_the_api_answer_and_bookkeeping_apart(emulator_sync, in_page, tmp_path):
    def steps(page):
        open_dashboard(page, emulator_sync)
        expect(page.locator("#internal")).to_be_visible()
        expect(page.locator("#internal-counts")).to_contain_text("dfs · internal")
        expect(page.locator("#internal-counts [data-testid=count-dfs-sequences]")).to_have_count(1)
        expect(page.locator("#counts [data-testid=count-dfs-sequences]")).to_have_count(0)
        expect(page.locator("#counts [data-testid=count-customerid-users]")).to_have_count(1)
        page.click("[data-testid=count-customerid-users]")
        page.click(f"#records-table tbody tr[data-id='{MAIJA}']")
        detail = page.locator("#detail-body")  # GET105's XML, one element a line
        expect(detail).to_contain_text(f"GET /customerid-rest/services/2.1/users/{MAIJA}")
        expect(detail).to_contain_text('  <Attribute name="login">\n    <Value>maija.virtanen</Value>')
        assert "Secret123!" not in detail.inner_text() and "password" not in detail.inner_text()
        page.click("#detail .dialog-head button")
        page.click("[data-testid=count-dfs-identities]")
        page.click(f"#records-table tbody tr[data-id='{SARAH}']")
        expect(detail).to_contain_text("tenant GlobexWealth")  # one answer per tenant
        expect(detail).to_contain_text('"UserName": "sconnor"')
        assert "Sarah.Password1" not in detail.inner_text()
        page.click("#detail .dialog-head button")
        page.click("[data-testid=count-dfs-sequences]")  # bookkeeping: the stored fields
        page.locator("#records-table tbody tr").first.click()
        expect(detail).to_contain_text("stored record (emulator bookkeeping)")
        page.click("#detail .dialog-head button")
        page.click("a[data-tab=endpoints]")
        expect(page.locator("#endpoints-table tbody tr").first).to_be_visible()
        # the hit counts fit the page: nothing wider than the 1400 px viewport
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]
        hits = page.locator("#endpoints-table tbody tr td:nth-child(7)").first.bounding_box()
        assert hits["x"] + hits["width"] <= VIEWPORT["width"]
        page.screenshot(path=str(tmp_path / "endpoints.png"), full_page=True)

    in_page(steps)


def test_sessions_tab_lists_a_login_and_ends_it(emulator_sync, in_page):
    """A login through the SSO's page in the browser shows up under Sessions (get
    /__emulator/customerid/sessions); End (delete .../sessions/{id}) logs the user out:
    the next authorization shows the login page again instead of going straight back."""
    authorize = (
        f"{emulator_sync.url}/uas/oauth2/authorization?response_type=code&client_id=web-client"
        "&redirect_uri=http://localhost:8000/callback&scope=openid"
    )

    def steps(page):
        if emulator_sync.namespace:
            page.set_extra_http_headers({"X-Emulator-Namespace": emulator_sync.namespace})
        page.route("http://localhost:8000/**", lambda route: route.fulfill(body="the app's callback"))
        page.goto(authorize)
        page.locator('button[name="login_as"][value="api-user"]').click()
        expect(page.locator("body")).to_contain_text("the app's callback")
        open_dashboard(page, emulator_sync)
        page.click("a[data-tab=sessions]")
        row = page.locator("#sessions-table tbody tr[data-api=customerid]")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("api-user")
        expect(row).to_contain_text("web-client")
        row.get_by_role("button", name="End").click()
        expect(row).to_have_count(0)
        expect(page.locator("#sessions-table tbody")).to_contain_text("no login sessions")
        page.goto(authorize)  # with the session alive this would go straight back to the callback
        expect(page.locator('button[name="login_as"][value="api-user"]')).to_be_visible()

    in_page(steps)
