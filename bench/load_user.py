"""The locust user of `python -m bench.load`: posts claims to /v1/check as fast as it can.

This is a locustfile, run by `locust -f bench/load_user.py --headless ...` in its own process
(importing locust monkey-patches the standard library with gevent); nothing else imports it.
The claims come from the JSON file named by BENCH_LOAD_CLAIMS. A response counts as a
failure unless it is a 200 with the three passage lists of the documented shape.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

from locust import FastHttpUser, constant, task

CLAIMS: list[str] = json.loads(Path(os.environ["BENCH_LOAD_CLAIMS"]).read_text(encoding="utf-8"))


class CheckUser(FastHttpUser):
    wait_time = constant(0)  # closed loop: the next request as soon as the answer is in

    @task
    def check(self) -> None:
        claim = random.choice(CLAIMS)
        with self.client.post(
            "/v1/check", json={"claim": claim}, name="/v1/check", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}: {response.text[:200]}")
                return
            body = response.json()
            if not all(isinstance(body.get(key), list) for key in _LISTS):
                response.failure(f"not a check result: {response.text[:200]}")


_LISTS = ("supporting", "contradicting", "related")
