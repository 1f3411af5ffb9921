"""The ``emulator_scenario``, ``emulator_fault`` and ``emulator_login`` markers, and async tests that
use the ``emulator`` fixture running on asyncio without a mark of their own."""

from __future__ import annotations

import inspect

import pytest

MARKERS = ("emulator_scenario", "emulator_fault", "emulator_login")
FIXTURES = ("emulator", "emulator_sync", "emulator_compare")
ASYNC_FIXTURES = frozenset(("emulator", "emulator_compare"))  # what makes an async def test ours


def register_markers(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "emulator_scenario(*files, replace=False): load these scenario files "
        "(relative to the test file, the rootdir, or a built-in scenario name) "
        "into the test's emulator before it runs",
    )
    config.addinivalue_line(
        "markers",
        "emulator_fault(**spec): inject a fault for the whole test, e.g. "
        "operation='GET105', status=503, times=2 (see EmulatorHandle.fault)",
    )

    config.addinivalue_line(
        "markers",
        "emulator_login(username): the test's first authorization request at the SSO logs this user "
        "in without showing the login page (see EmulatorHandle.login_as)",
    )


def mark_asyncio(collector, name, obj) -> None:
    """An ``async def`` test using the ``emulator`` (or ``emulator_compare``) fixture runs on asyncio even in
    pytest-asyncio's strict mode: it gets the asyncio mark before pytest-asyncio looks."""
    if inspect.iscoroutinefunction(obj) and collector.funcnamefilter(name):
        try:
            parameters = inspect.signature(obj).parameters
        except (TypeError, ValueError):
            return
        marks = getattr(obj, "pytestmark", [])
        if ASYNC_FIXTURES.intersection(parameters) and not any(mark.name == "asyncio" for mark in marks):
            pytest.mark.asyncio(obj)


def check_marker_use(item: pytest.Item) -> None:
    """A marker on a test that takes neither fixture would do nothing: say so."""
    used = [marker.name for marker in item.iter_markers() if marker.name in MARKERS]
    if used and not set(FIXTURES) & set(getattr(item, "fixturenames", ())):
        pytest.fail(
            f"@pytest.mark.{used[0]} on {item.name} does nothing: the test takes neither the emulator "
            f"nor the emulator_sync fixture; add one of them to its arguments",
            pytrace=False,
        )


async def apply_markers(handle, request: pytest.FixtureRequest) -> None:
    """The test's scenario markers (closest last), then its fault markers."""
    for marker in reversed(list(request.node.iter_markers("emulator_scenario"))):
        for index, source in enumerate(marker.args):
            await handle.load_scenario(source, replace=bool(marker.kwargs.get("replace")) and index == 0)
    for marker in reversed(list(request.node.iter_markers("emulator_fault"))):
        await handle.fault(**marker.kwargs)
    login = request.node.get_closest_marker("emulator_login")
    if login is not None:
        await handle.login_as(*login.args, **login.kwargs)
