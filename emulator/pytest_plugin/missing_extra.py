"""Stand-ins for the fixtures when the plugin's test dependencies are missing.

The ``pytest11`` entry point is loaded in every pytest run of an environment that
has identity-emulator installed, including ones that only serve with it. Without
the ``identity-emulator[pytest]`` extra the plugin stays quiet; a test that asks
for a fixture gets one line saying what to install.
"""

from __future__ import annotations

import pytest

INSTALL = "pip install 'identity-emulator[pytest]'"


def stand_ins(missing: str):
    """A plugin object whose ``emulator`` / ``emulator_sync`` fixtures explain the problem."""

    def explain(request: pytest.FixtureRequest):
        pytest.fail(f"the {request.fixturename} fixture needs the emulator's pytest extra ({missing} is not "
                    f"installed): {INSTALL}", pytrace=False)

    class MissingExtra:
        emulator = staticmethod(pytest.fixture(name="emulator")(explain))
        emulator_sync = staticmethod(pytest.fixture(name="emulator_sync")(explain))

    return MissingExtra()
