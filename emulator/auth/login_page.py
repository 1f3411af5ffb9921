"""The HTML the authorization engine (authorization.py) shows a browser: the login
page, the error page for a request that cannot go back to its client, the
``response_mode=form_post`` auto-submitting form, and the logged-out page.

Every value is escaped; the pages need no script except form_post's submit."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping

HEADERS = {"Cache-Control": "no-store", "Pragma": "no-cache", "X-Frame-Options": "DENY"}
STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1d2733}"
    "h1{font-size:1.4rem}form.users button{display:block;width:100%;margin:.3rem 0;padding:.6rem;"
    "text-align:left;font-size:1rem;cursor:pointer}label{display:block;margin:.6rem 0 .2rem}"
    "input[type=text],input[type=password]{width:100%;padding:.4rem;font-size:1rem;box-sizing:border-box}"
    ".error{color:#a40000;border:1px solid #a40000;padding:.5rem}.hint{color:#555;font-size:.9rem}"
)


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width"><style>{STYLE}</style></head>'
        f"<body>{body}</body></html>"
    )


def _hidden(fields: Mapping[str, str]) -> str:
    return "".join(
        f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">'
        for name, value in fields.items()
    )


def login_page(
    *,
    realm: str,
    action: str,
    request_fields: Mapping[str, str],
    accounts: Iterable[tuple[str, str]],
    client_name: str,
    login_hint: str | None = None,
    error: str | None = None,
) -> str:
    """The scenario's users one click away (``login_as``) and a user name and
    password form (``login_username``/``login_password``); both post the
    authorization request again (``request_fields``) to ``action``."""
    hidden = _hidden(request_fields)
    buttons = "".join(
        f'<button type="submit" name="login_as" value="{html.escape(username)}">'
        f"{html.escape(display)} <span class=hint>({html.escape(username)})</span></button>"
        for username, display in accounts
    )
    users = (
        f'<h2>Log in as</h2><form class="users" method="post" action="{html.escape(action)}">{hidden}{buttons}</form>'
        if buttons
        else ""
    )
    problem = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    body = (
        f"<h1>{html.escape(realm)}: log in</h1>"
        f"<p class=hint>Application <b>{html.escape(client_name)}</b> asks you to log in (identity emulator).</p>"
        f"{problem}{users}"
        f'<h2>User name and password</h2><form method="post" action="{html.escape(action)}">{hidden}'
        f'<label for="login_username">User name</label>'
        f'<input type="text" id="login_username" name="login_username" value="{html.escape(login_hint or "")}"'
        ' autocomplete="username">'
        f'<label for="login_password">Password</label>'
        f'<input type="password" id="login_password" name="login_password" autocomplete="current-password">'
        '<p><button type="submit">Log in</button></p></form>'
    )
    return _page(f"{realm}: log in", body)


def error_page(realm: str, error: str, description: str) -> str:
    """A request the server cannot send back to its client (unknown client,
    unregistered redirect URI: RFC 6749 section 4.1.2.1)."""
    body = (
        f"<h1>{html.escape(realm)}: the request cannot be completed</h1>"
        f'<p class="error" role="alert"><b id="error">{html.escape(error)}</b>: '
        f'<span id="error_description">{html.escape(description)}</span></p>'
    )
    return _page(f"{realm}: error", body)


def form_post_page(redirect_uri: str, fields: Mapping[str, str]) -> str:
    """OAuth 2.0 Form Post Response Mode: the answer as a form the browser submits."""
    body = (
        f'<form method="post" action="{html.escape(redirect_uri)}">{_hidden(fields)}'
        "<noscript><button type=submit>Continue</button></noscript></form>"
        "<script>document.forms[0].submit()</script>"
    )
    return _page("Submitting", body)


def logged_out_page(realm: str) -> str:
    return _page(f"{realm}: logged out", f"<h1>{html.escape(realm)}</h1><p id=logged-out>You are logged out.</p>")
