"""Scenarios as plain data (JSON), for the standalone service and for fixtures.

::

    {
      "apps": [{"app_id": "d1", "name": "shop"}],
      "jobs": [{"app_id": "d1", "branch": "main", "job_id": "1", "status": "PENDING",
                "steps": ["BUILD", {"name": "DEPLOY", "status": "FAILED", "reason": "..."}],
                "then": [{"status": "RUNNING", "after_seconds": 5, "running": "BUILD"},
                         {"status": "FAILED", "after_seconds": 60}]}],
      "sites": [{"app_id": "d1", "branch": "main", "pages": {"/": "<h1>Shop</h1>"}}],
      "domains": [{"app_id": "d1", "domain": "example.com", "subdomains": {"www": "main"}}]
    }
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any, Protocol

from .content import rendered_screenshot
from .scenario_schema import check_scenario
from .steps import FakeStep, typical_step
from .timeline import FakeJob


class ScenarioTarget(Protocol):
    """What a scenario is loaded into (``FakeAmplify``). A protocol, so that this
    module need not import the service that imports it."""

    def add_app(
        self,
        app_id: str,
        *,
        name: str | None = ...,
        default_domain: str | None = ...,
        platform: str | None = ...,
    ) -> object: ...

    def add_branch(
        self,
        app_id: str,
        branch: str,
        *,
        display_name: str | None = ...,
        created_after: float = ...,
        list_order: str = ...,
    ) -> object: ...

    # The job's fields come from the scenario as they are: add_job checks them.
    def add_job(self, *args: Any, **kwargs: Any) -> FakeJob: ...

    def serve_site(self, app_id: str, branch: str, pages: Mapping[str, str | bytes]) -> object: ...

    # The domain's fields come from the scenario as they are: add_domain checks them.
    def add_domain(self, *args: Any, **kwargs: Any) -> object: ...


def _screenshots(chosen: list[str] | Mapping[str, str]) -> dict[str, bytes]:
    """Device names (each the sign-in page's render), or device -> rendered page."""
    pages = chosen if isinstance(chosen, Mapping) else dict.fromkeys(chosen, "login")
    return {device: rendered_screenshot(page, device) for device, page in pages.items()}


def _step(data: str | Mapping[str, Any]) -> str | FakeStep:
    if isinstance(data, str):
        return data
    fields = dict(data)
    base = typical_step(fields["name"])
    if "screenshots" in fields:
        fields["screenshots"] = _screenshots(fields["screenshots"])
    for key in ("artifacts", "test_artifacts", "screenshots", "test_config"):
        fields.setdefault(key, getattr(base, key))
    return FakeStep(**fields)


@contextlib.contextmanager
def _at(where: str) -> Iterator[None]:
    """The service's own checks (a job id used twice, a branch a stage cannot run)
    name the scenario's object they came from."""
    try:
        yield
    except (ValueError, TypeError) as error:
        raise ValueError(f"scenario {where}: {error}") from error


def load_scenario(fake: ScenarioTarget, scenario: Mapping[str, Any]) -> list[FakeJob]:
    """Add what ``scenario`` describes to ``fake``; returns the jobs added.

    The scenario is checked against ``scenario.schema.json`` first: a mistake is a
    ValueError naming the field by its path (``scenario jobs[0].steps[1].status``)
    and nothing is added."""
    scenario = check_scenario(scenario)
    for index, app in enumerate(scenario.get("apps", [])):
        with _at(f"apps[{index}]"):
            fake.add_app(
                app["app_id"],
                name=app.get("name"),
                default_domain=app.get("default_domain"),
                platform=app.get("platform"),
            )
    for index, branch in enumerate(scenario.get("branches", [])):
        with _at(f"branches[{index}]"):
            fake.add_branch(
                branch["app_id"],
                branch["branch"],
                display_name=branch.get("display_name"),
                created_after=branch.get("created_after", 0.0),
                list_order=branch.get("list_order", "newest first"),
            )
    jobs = [_add_job(fake, job, f"jobs[{i}]") for i, job in enumerate(scenario.get("jobs", []))]
    for index, site in enumerate(scenario.get("sites", [])):
        with _at(f"sites[{index}]"):
            fake.serve_site(site["app_id"], site["branch"], site["pages"])
    for index, domain in enumerate(scenario.get("domains", [])):
        fields = dict(domain)
        with _at(f"domains[{index}]"):
            fake.add_domain(
                fields.pop("app_id"), fields.pop("domain"), fields.pop("subdomains"), **fields
            )
    return jobs


def _add_job(fake: ScenarioTarget, data: Mapping[str, Any], where: str) -> FakeJob:
    fields = dict(data)
    stages = fields.pop("then", [])
    if "steps" in fields:
        fields["steps"] = [_step(step) for step in fields["steps"]]
    with _at(where):
        job = fake.add_job(**fields)
    for number, stage_data in enumerate(stages):
        stage = dict(stage_data)
        if isinstance(stage.get("steps"), list):
            stage["steps"] = [_step(step) for step in stage["steps"]]
        with _at(f"{where}.then[{number}]"):
            job.then(stage.pop("status"), **stage)
    return job
