"""Swagger UI at /__emulator/docs in a real browser (Debian's chromium, driven by
Playwright; the session's one browser, tests/conftest.py): pick a document,
Authorize, "Try it out" and see the emulator's real answer in the page."""

from __future__ import annotations

import re

from tests.support.browser import expect

CUSTOMERID = "Ubisecure CustomerID REST API"
DFS = "DFS Admin Services API (latest)"


def open_document(page, emulator, title: str) -> None:
    """The docs page, then ``title`` picked in Swagger UI's document selector."""
    query = f"?namespace={emulator.namespace}" if emulator.namespace else ""
    page.goto(emulator.url + "/__emulator/docs" + query)
    expect(page.locator(".swagger-ui .info .title")).to_be_visible()
    page.select_option(".topbar select", label=title)
    expect(page.locator(".swagger-ui .info .title")).to_contain_text(title)


def authorize(page, scheme: str, fill) -> None:
    """Authorize: ``fill(container)`` types the credentials of ``scheme``'s form."""
    page.click(".auth-wrapper button.authorize")
    container = page.locator(".auth-container", has=page.locator("h4", has_text=re.compile(rf"^{scheme}\b")))
    fill(container)
    container.locator("button.authorize").click()
    expect(container.locator("h6")).to_have_text("Authorized")
    page.locator(".modal-ux button.btn-done").first.click()


def try_it_out(page, tag: str, operation_id: str):
    """Filter by ``tag`` (fewer operations to draw), expand the operation, "Try it
    out", Execute; the live response's locator."""
    page.fill(".operation-filter-input", tag)
    operation = page.locator(
        ".opblock",
        has=page.locator(".opblock-summary-operation-id", has_text=re.compile(rf"^{re.escape(operation_id)}$")),
    )
    operation.locator(".opblock-summary-control").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("button.execute").click()
    return operation.locator(".live-responses-table .response")


def test_customerid_with_basic_auth(emulator_sync, in_page):
    def steps(page):
        open_document(page, emulator_sync, CUSTOMERID)
        expect(page.locator(".opblock-tag-section h3", has_text="Ubisecure SSO (OAuth2)")).to_have_count(1)

        def basic(container):  # the default scenario's service account
            container.locator("input[name=username]").fill("restuser")
            container.locator("input[name=password]").fill("secret")

        authorize(page, "basic", basic)
        response = try_it_out(page, "CustomerID 2.1", "GET104_v2_1")  # GET104 List Users (2.1)
        expect(response.locator(".response-col_status")).to_have_text("200")
        body = response.locator(".response-col_description pre").first
        expect(body).to_contain_text("<Users")
        expect(body).to_contain_text("<Id>")
        # the curl line Swagger UI shows carries the credentials typed into Authorize
        expect(page.locator(".curl-command")).to_contain_text("Authorization: Basic")

        # the SSO beside it: a token from post /uas/oauth2/token, the form as pre-filled
        # (the default scenario's API user; the empty fields count as omitted, RFC 6749 3.1)
        def sso_client(container):
            container.locator("input[name=username]").fill("ci-client")
            container.locator("input[name=password]").fill("ci-client-secret")

        authorize(page, "ssoClient", sso_client)
        response = try_it_out(page, "Ubisecure SSO", "post_uas_oauth2_token")
        expect(response.locator(".response-col_status")).to_have_text("200")
        expect(response.locator(".response-col_description pre").first).to_contain_text('"access_token"')

    in_page(steps)


def test_dfs_with_a_bearer_token_from_the_control_api(emulator_sync, in_page):
    token = emulator_sync.control("POST", "/dfs/token", {})["access_token"]

    def steps(page):
        open_document(page, emulator_sync, DFS)
        authorize(page, "Bearer", lambda container: container.locator("input").first.fill(token))
        response = try_it_out(page, "RoleManagement", "list_roles")  # get /v2.0/roles
        expect(response.locator(".response-col_status")).to_have_text("200")
        expect(response.locator(".response-col_description pre").first).to_contain_text('"RoleKey": "sysadmin"')

    in_page(steps)
