"""Stand-ins for the fixtures when the plugin's test dependencies are missing.

The ``pytest11`` entry point is loaded in every pytest run of an environment that
has identity-emulator installed, including ones that only serve with it. Without
the ``identity-emulator[pytest]`` extra the plugin stays quiet (this module is
registered instead of fixtures.py); a test that asks for a fixture gets one line
saying what to install.
"""

from __future__ import annotations

import pytest

INSTALL = "pip install 'identity-emulator[pytest]'"
missing = "pytest-asyncio"  # set by __init__.py to what is really missing


def _explain(request: pytest.FixtureRequest):
    pytest.fail(
        f"the {request.fixturename} fixture needs the emulator's pytest extra ({missing} is not installed): {INSTALL}",
        pytrace=False,
    )


@pytest.fixture
def emulator(request: pytest.FixtureRequest):
    _explain(request)


@pytest.fixture
def emulator_sync(request: pytest.FixtureRequest):
    _explain(request)


@pytest.fixture
def emulator_compare(request: pytest.FixtureRequest):
    _explain(request)
