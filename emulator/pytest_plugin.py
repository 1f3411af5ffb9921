"""The ``emulator`` pytest fixture (registered through the ``pytest11`` entry point).

Scenarios load once per session; each test then gets its own emulator, forked from
that baseline (O(1) however big the scenario) and served in-process on a free port
by pytest-aiohttp. So every test starts from exactly the loaded scenario, and
requests go over a real socket.

    async def test_query_user(emulator):
        async with emulator.session() as http:
            response = await http.get(emulator.customerid_url("2.1") + "/users/" + USER_ID)
            assert response.status == 200

ini options: ``emulator_scenarios`` (scenario files, relative to the rootdir;
default: the project's scenarios/default.yaml).
"""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio

from .app import create_app, default_apis
from .config import DEFAULT_SCENARIO, EmulatorConfig
from .scenarios import Baseline, load_baseline
from .state import STATE, EmulatorState


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("emulator_scenarios", "scenario files the emulator fixture loads", type="linelist", default=[])


class EmulatorHandle:
    """What a test gets: URLs, ready auth, a client session and the state."""

    def __init__(self, app, server) -> None:
        self.app = app
        self.server = server
        self.url = str(server.make_url("")).rstrip("/")
        username, password = self.state.baseline.settings["customerid"].credentials[0]
        self.auth_headers = {"Authorization": aiohttp.encode_basic_auth(username, password)}

    @property
    def state(self) -> EmulatorState:
        return self.app[STATE]

    def customerid_url(self, version: str = "2.1") -> str:
        return self.url + self.state.apis["customerid"].endpoints.base_paths[version]

    def dfs_url(self, version: str = "1.0") -> str:
        """DFS paths start with their version segment: ``dfs_url("1.2") + "/identities"``."""
        return self.url + self.state.apis["dfs"].endpoints.base_paths[version]

    def dfs_token(self, tenant_uid: str | None = None, identity_id: str | None = "default",
                  client_id: str | None = None) -> str:
        """A Bearer JWT as POST /__emulator/dfs/token mints it (defaults: the scenario's
        tenant and identity; ``identity_id=None``: an app token without ``sub``)."""
        from .dfs.auth import mint

        world = self.state.world
        model, settings = world.models["dfs"], world.settings["dfs"]
        tenant = model.tenant_by_uid(tenant_uid) if tenant_uid else model.tenants.get(settings.default_tenant_id)
        identity = settings.default_identity_id if identity_id == "default" else identity_id
        return mint(settings, tenant, identity, client_id)

    @property
    def dfs_headers(self) -> dict[str, str]:
        """``Authorization: Bearer`` for the scenario's default DFS tenant and identity."""
        return {"Authorization": "Bearer " + self.dfs_token()}

    def session(self, **kwargs) -> aiohttp.ClientSession:
        """A client session sending the scenario's CustomerID credentials (HTTP Basic)."""
        kwargs["headers"] = {**self.auth_headers, **kwargs.get("headers", {})}
        return aiohttp.ClientSession(**kwargs)

    def model(self, api: str = "customerid"):
        return self.state.world.models[api]

    def id_of(self, kind: str, key: str) -> str:
        """The id a scenario key was given (e.g. ``id_of("user", "maija")``)."""
        return self.state.baseline.keys[(kind, key)]

    def reset(self) -> None:
        self.state.reset()


@pytest.fixture(scope="session")
def emulator_baseline(request: pytest.FixtureRequest) -> Baseline:
    configured = request.config.getini("emulator_scenarios")
    root = Path(str(request.config.rootpath))
    paths = [root / path for path in configured] or [DEFAULT_SCENARIO]
    return load_baseline(paths, default_apis())


@pytest_asyncio.fixture
async def emulator(emulator_baseline: Baseline, aiohttp_server) -> EmulatorHandle:
    app = create_app(EmulatorConfig(), baseline=emulator_baseline)
    server = await aiohttp_server(app)
    return EmulatorHandle(app, server)
