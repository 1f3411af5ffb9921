import pytest

from tests.support.customerid import CustomerIdClient


@pytest.fixture
async def cid(emulator):
    """A CustomerID 2.1 client on the per-test emulator, XSD-checking every answer."""
    async with emulator.session() as session:
        yield CustomerIdClient(emulator, session)
