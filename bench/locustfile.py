"""The users of ``bench/load.py``: one class per role, each walking its journey one page a
second, signed in with the session ``load.py`` made for it.

``load.py`` writes the journeys and the sessions to the JSON file named by ``LOAD_SPEC``:
``{"roles": {role: {"weight": w, "cookie": "...", "pages": [[name, url], ...]}},
"max_requests": n}``. Each user asks one page per second (``constant_throughput(1)``), so
``--users 50`` offers 50 requests a second for as long as the answers take under a second; the
run stops at its time limit or after ``max_requests`` requests, whichever comes first.
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path
from typing import Any, ClassVar

from locust import HttpUser, constant_throughput, events, task

SPEC = json.loads(Path(os.environ["LOAD_SPEC"]).read_text())
SENT = itertools.count(1)


@events.request.add_listener
def bounded(**kwargs: Any) -> None:
    """Stop the run once it has sent ``max_requests`` requests."""
    if next(SENT) >= SPEC["max_requests"] and kwargs.get("context", {}).get("runner"):
        kwargs["context"]["runner"].quit()


class Journey(HttpUser):
    """A role's pages in turn, one a second, as that role's session."""

    abstract = True
    role: ClassVar[str] = ""
    wait_time = constant_throughput(1)

    def on_start(self) -> None:
        spec = SPEC["roles"][self.role]
        if spec["cookie"]:
            self.client.cookies.set("sessionid", spec["cookie"])
        offset = int(self.environment.runner.user_count) if self.environment.runner else 0
        pages = spec["pages"]
        self.pages = itertools.islice(itertools.cycle(pages), offset % len(pages), None)

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
