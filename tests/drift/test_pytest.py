"""The comparison in a user's test suite: the plugin's ``emulator_compare`` fixture."""

from tests.support.drift import write_cassette


def test_emulator_compare_passes_on_parity_and_fails_with_the_report_on_drift(pytester, tmp_path):
    clean = write_cassette(tmp_path / "clean.jsonl", status=404)
    drifted = write_cassette(tmp_path / "drifted.jsonl", status=401)
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(
        test_contract=f"""
async def test_parity(emulator_compare):
    report = await emulator_compare({str(clean)!r})
    assert [row.operation for row in report.rows()] == ["GET105"]

async def test_drift_returned_when_not_checked(emulator_compare):
    report = await emulator_compare({str(drifted)!r}, check=False)
    assert report.drift and report.results[0].differences[0].kind == "status"

async def test_drift(emulator_compare):
    await emulator_compare({str(drifted)!r})

def test_parity_from_a_plain_test(emulator_sync):
    import asyncio
    from emulator.drift.compare import compare_cassette

    asyncio.run(compare_cassette({str(clean)!r}, emulator_url=emulator_sync.url,
                                 credentials=emulator_sync.credentials)).assert_no_drift()
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    outcomes = result.parseoutcomes()
    assert (outcomes.get("passed"), outcomes.get("failed")) == (3, 1), result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: contract drift*",
            "*GET105 * 2.1 * 0 * 1*",
            "*first difference: #1 GET /customerid-rest/services/2.1/users/nobody: status: recorded 401, emulator 404*",
            "*DRIFT: 1 of 1 exchanges differ*",
        ]
    )
