"""The emulator in a plain unittest suite, no pytest: ``python -m unittest examples/unittest_embedded.py``
(docs/embedding.md)."""

import threading
import time
import unittest
import urllib.request

from emulator.testing import running, running_async


class WithTheEmulator(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._running = running(scenarios=["default"])
        cls.emulator = cls._running.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls._running.__exit__(None, None, None)

    def setUp(self):
        self.emulator.reset()

    def test_a_background_job_is_waited_for(self):
        user = self.emulator.id_of("user", "maija")
        url = self.emulator.customerid_url() + f"/users/{user}"

        def job():
            time.sleep(0.2)
            urllib.request.urlopen(urllib.request.Request(url, headers=self.emulator.auth_headers)).read()

        threading.Thread(target=job).start()
        [request] = self.emulator.wait_for("GET105", timeout=10)
        self.assertEqual(request["status"], 200)


class WithTheEmulatorAsync(unittest.IsolatedAsyncioTestCase):
    async def test_on_this_loop(self):
        async with running_async(scenarios=["default"]) as emulator:
            async with emulator.session() as session:
                async with session.get(emulator.customerid_url() + "/users?login=maija.virtanen") as response:
                    self.assertEqual(response.status, 200)
            self.assertEqual(await emulator.count(operation="GET104"), 1)


if __name__ == "__main__":
    unittest.main()
