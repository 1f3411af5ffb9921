"""emulator.testing.running / running_async outside pytest: the documented unittest
example (examples/unittest_embedded.py) run by ``python -m unittest``, with no pytest imported."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_context_managers_work_from_a_plain_unittest_run():
    probe = (
        "import sys, unittest; "
        "result = unittest.main(module='unittest_embedded', exit=False, argv=['x']).result; "
        "assert 'pytest' not in sys.modules, 'emulator.testing imported pytest'; "
        "sys.exit(0 if result.wasSuccessful() and result.testsRun == 2 else 1)"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "examples")])}
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, env=env, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_unknown_scenario_is_refused_before_anything_starts():
    import pytest

    from emulator.builtin_scenarios import ScenarioNotFound
    from emulator.testing import running

    with pytest.raises(ScenarioNotFound):
        with running(scenarios=["no-such-scenario"]):
            pass
