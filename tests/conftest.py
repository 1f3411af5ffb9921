import aiohttp
import pytest

from tests.support.customerid import CustomerIdClient


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
