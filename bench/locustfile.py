"""The users of ``bench/load.py``: one class per role, each walking its journey one page a
second, signed in with the session ``load.py`` made for it.

The offered load is open-loop: each user asks on their own one-second beat, at a random point
of the second (seeded, so that runs compare), whatever the answers take (``on_beat``; an answer
that takes longer than a second makes the next request leave at once). So 50 users send 50
requests spread over each second, as 50 people would, not 50 at the same instant. Locust
creates its users together and its ``constant_throughput`` paces each from its creation: their
beats would coincide, and every second would begin with a burst of all of them, which measures
the queue the burst makes rather than the pages.

``load.py`` writes the journeys and the sessions to the JSON file named by ``LOAD_SPEC``:
``{"roles": {role: {"weight": w, "cookie": "...", "pages": [[name, url], ...]}},
"max_requests": n}``. Each user asks one page per second (``on_beat``), so
``--users 50`` offers 50 requests a second for as long as the answers take under a second; the
run stops at its time limit or after ``max_requests`` requests, whichever comes first.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from pathlib import Path
from typing import Any, ClassVar

from locust import HttpUser, events, task

SPEC = json.loads(Path(os.environ["LOAD_SPEC"]).read_text())
SENT = itertools.count(1)
PHASES = random.Random(20261203)  # each user's start within the first second


@events.request.add_listener
def bounded(**kwargs: Any) -> None:
    """Stop the run once it has sent ``max_requests`` requests."""
    if next(SENT) >= SPEC["max_requests"] and kwargs.get("context", {}).get("runner"):
        kwargs["context"]["runner"].quit()


class Journey(HttpUser):
    """A role's pages in turn, one a second, as that role's session."""

    abstract = True
    role: ClassVar[str] = ""

    def wait_time(self) -> float:
        return self.on_beat()

    def on_beat(self) -> float:
        """The seconds to this user's next beat: its start, plus its phase, plus a second for
        every request made."""
        self.beats += 1
        return max(0.0, self.started + self.beats - time.perf_counter())

    def on_start(self) -> None:
        spec = SPEC["roles"][self.role]
        if spec["cookie"]:
            self.client.cookies.set("sessionid", spec["cookie"])
        offset = int(self.environment.runner.user_count) if self.environment.runner else 0
        pages = spec["pages"]
        self.pages = itertools.islice(itertools.cycle(pages), offset % len(pages), None)
        self.started = time.perf_counter() + PHASES.random()
        self.beats = -1
        self.wait()  # until the first beat: the user's phase

    @task
    def next_page(self) -> None:
        name, url = next(self.pages)
        with self.client.get(
            url,
            name=f"{self.role}: {name}",
            allow_redirects=False,
            catch_response=True,
            context={"runner": self.environment.runner},
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {url}")


def journey(role: str) -> type[Journey]:
    return type(
        f"{role.title()}Journey",
        (Journey,),
        {"role": role, "weight": SPEC["roles"][role]["weight"], "__module__": __name__},
    )


for _role in SPEC["roles"]:
    globals()[f"{_role.title()}Journey"] = journey(_role)
