import aiohttp
import pytest

from emulator.app import create_app
from emulator.config import EmulatorConfig
from emulator.pytest_plugin import EmulatorHandle
from tests.support.control import ControlClient
from tests.support.customerid import CustomerIdClient

pytest_plugins = ["pytester"]


@pytest.fixture
async def cid(emulator):
    """A CustomerID 2.1 client on the per-test emulator, XSD-checking every answer."""
    async with emulator.session() as session:
        yield CustomerIdClient(emulator, session)


@pytest.fixture
async def dfs(emulator):
    """A DFS client (admin of the Additiv tenant) checking every answer against the OpenAPI document."""
    from tests.support.dfs import DfsClient

    async with aiohttp.ClientSession() as session:
        yield DfsClient(emulator, session)


@pytest.fixture
async def control(emulator):
    """The control API of the per-test emulator (default namespace)."""
    async with aiohttp.ClientSession() as session:
        yield ControlClient(emulator, session)


@pytest.fixture
def make_emulator(emulator_baseline, aiohttp_server):
    """An emulator with a non-default configuration (journal limit, fault bounds, token)."""

    async def make(**config) -> EmulatorHandle:
        app = create_app(EmulatorConfig(**config), baseline=emulator_baseline)
        server = await aiohttp_server(app)
        return EmulatorHandle(str(server.make_url("")), app=app, baseline=emulator_baseline)

    return make


@pytest.fixture(scope="session")
def browser():
    """One chromium for the whole session (the dashboard's and Swagger UI's browser tests)."""
    from tests.support.browser import BrowserThread

    browser = BrowserThread()
    yield browser
    browser.close()


@pytest.fixture
def in_page(browser):
    """``in_page(steps)`` runs ``steps(page)`` on a fresh page in the session's browser."""
    from tests.support.browser import in_fresh_page

    return lambda steps: in_fresh_page(browser, steps)
