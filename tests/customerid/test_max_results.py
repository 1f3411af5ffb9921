"""GET104/GET113 with maxResults: the first N of the same id order the full list
has, whether they come from walking the ids in order (few results of many
matches), from selection, or (an id that is not lower case) from sorting."""

import pytest

from tests.customerid.test_users import user_ids

ACME_SALES = "acme-sales"
MANY = {
    "customerid": {
        "generate": [
            {
                "organization": ACME_SALES,
                "users": 300,
                "statuses": {"Enabled": 80, "Disabled": 20},
                "attributes": {"department": ["Sales", "Support"]},
            }
        ]
    }
}
UPPER_CASE_ID = {
    "customerid": {
        "users": {
            "upper": {"id": "0AAAAAAA-0000-4000-8000-0000000000FF", "organization": ACME_SALES, "login": "upper.case"}
        }
    }
}

QUESTIONS = [
    {},
    {"status": "Enabled"},
    {"status": "Disabled"},
    {"department": "Sales", "status": "Enabled"},
    {"login": "a"},
]


@pytest.mark.parametrize("extra", [[MANY], [MANY, UPPER_CASE_ID]], ids=["lower-case ids", "an upper-case id"])
async def test_max_results_is_a_prefix_of_the_full_list(cid, control, extra):
    for document in extra:
        await control.post("/scenarios", document)
    for question in QUESTIONS:
        everything = await user_ids(cid, question)
        for limit in (1, 3, 10, len(everything) + 1):
            assert await user_ids(cid, {**question, "maxResults": str(limit)}) == everything[:limit], (question, limit)
