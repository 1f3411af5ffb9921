"""A real browser for the dashboard's and Swagger UI's tests: Debian's chromium
(``make browser``) driven by Playwright, which is pointed at it and never
downloads a browser. The session's one browser and each test's fresh page are
the fixtures ``browser`` and ``in_page`` (tests/conftest.py)."""

from __future__ import annotations

import asyncio
import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("EMULATOR_CHROMIUM", "/usr/bin/chromium"))
VIEWPORT = {"width": 1400, "height": 860}  # issue 23: the dashboard as read at 1400 px
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def unavailable(reason: str) -> None:
    """No browser: a failure in CI (CI=true), a skip on a developer's machine."""
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(f"the browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"no browser for the browser tests: {reason}")


def _launch():
    """(playwright, browser), or ``unavailable`` with the reason."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        unavailable(f"the playwright package is missing ({error}); `make install` installs the test extra")
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} does not exist; `make browser` installs Debian's chromium package")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=30_000)
    except Exception as error:
        playwright.stop()
        unavailable(f"{CHROMIUM} did not start: {error}")
    return playwright, browser


class BrowserThread:
    """One chromium for the whole session, driven from a thread of its own:
    Playwright's sync API runs an event loop in the thread that starts it, and
    the async tests that share the main thread need it free of loops. Test code
    runs there through ``run``; its outcome (a failed assert, a skip) comes back."""

    def __init__(self) -> None:
        self._jobs: queue.Queue = queue.Queue()
        started: Future = Future()
        self._thread = threading.Thread(target=self._serve, args=(started,), name="browser", daemon=True)
        self._thread.start()
        started.result(60)  # re-raises the skip or failure of an unavailable browser

    def _serve(self, started: Future) -> None:
        try:
            playwright, browser = _launch()
        except BaseException as error:
            started.set_exception(error)
            return
        started.set_result(None)
        try:
            while (job := self._jobs.get()) is not None:
                work, done = job
                try:
                    done.set_result(work(browser))
                except BaseException as error:
                    done.set_exception(error)
        finally:
            browser.close()
            playwright.stop()

    def run(self, work: Callable, timeout: float = 120):
        done: Future = Future()
        self._jobs.put((work, done))
        return done.result(timeout)

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join(30)


def in_fresh_page(browser: BrowserThread, steps: Callable) -> None:
    """Run ``steps(page)`` in the browser's thread, on a fresh page of a fresh
    context (fresh sessionStorage); a script error on the page fails the test."""

    def in_browser(chromium):
        context = chromium.new_context(viewport=VIEWPORT)
        context.set_default_timeout(8_000)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        try:
            steps(page)
        finally:
            context.close()
        assert not errors, f"the page's script failed: {errors}"

    browser.run(in_browser)


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


class ServedApp:
    """An aiohttp app served on an ephemeral port from its own loop thread (for an
    emulator whose configuration the shared fixtures do not have)."""

    def __init__(self, app) -> None:
        from aiohttp import web

        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="dashboard-test-server", daemon=True)
        self.thread.start()
        self.runner = web.AppRunner(app, access_log=None)

        async def start() -> str:
            await self.runner.setup()
            site = web.TCPSite(self.runner, "127.0.0.1", 0)
            await site.start()
            return f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"

        self.url = asyncio.run_coroutine_threadsafe(start(), self.loop).result(30)

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
