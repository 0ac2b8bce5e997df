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

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from ._content import TYPICAL_DEVICES, make_png
from ._timeline import FakeJob, FakeStep, typical_step


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
    ) -> object: ...

    # The job's fields come from the scenario as they are: add_job checks them.
    def add_job(self, *args: Any, **kwargs: Any) -> FakeJob: ...

    def serve_site(self, app_id: str, branch: str, pages: Mapping[str, str | bytes]) -> object: ...

    # The domain's fields come from the scenario as they are: add_domain checks them.
    def add_domain(self, *args: Any, **kwargs: Any) -> object: ...


_SECTIONS = {"apps", "branches", "jobs", "sites", "domains"}
_APP_KEYS = {"app_id", "name", "default_domain", "platform"}
_BRANCH_KEYS = {"app_id", "branch", "display_name", "created_after"}
_JOB_KEYS = {
    "app_id",
    "branch",
    "job_id",
    "commit_id",
    "status",
    "steps",
    "job_type",
    "commit_message",
    "started_at",
    "duration",
    "listed_after",
    "then",
    "allow_unknown_status",
    "deployed_after",
}
_THEN_KEYS = {"status", "after_calls", "after_seconds", "running", "steps", "allow_unknown_status"}
_STEP_KEYS = {
    "name",
    "status",
    "reason",
    "context",
    "log",
    "with_log",
    "artifacts",
    "test_artifacts",
    "test_config",
    "screenshots",
    "allow_unknown_status",
}
_SITE_KEYS = {"app_id", "branch", "pages"}
_DOMAIN_KEYS = {"app_id", "domain", "subdomains", "status", "verified", "lag"}


def _check_keys(data: object, allowed: set[str], where: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise ValueError(f"scenario {where}: expected an object, got {type(data).__name__}")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValueError(
            f"scenario {where}: unknown key{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
            f"allowed: {', '.join(sorted(allowed))}"
        )
    return data


def _list(data: Mapping[str, Any], key: str, where: str) -> Sequence[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise ValueError(f"scenario {where}.{key}: expected a list")
    return value


def _screenshots(value: object, where: str) -> dict[str, bytes]:
    if isinstance(value, list) and all(isinstance(name, str) for name in value):
        images = {}
        for name in value:
            width, height, color = TYPICAL_DEVICES.get(name, (96, 64, (90, 90, 160)))
            images[name] = make_png(width, height, color)
        return images
    raise ValueError(f"scenario {where}.screenshots: expected a list of device names")


def _step(data: object, where: str) -> str | FakeStep:
    if isinstance(data, str):
        return data
    fields = dict(_check_keys(data, _STEP_KEYS, where))
    if "name" not in fields:
        raise ValueError(f"scenario {where}: a step needs a name")
    base = typical_step(fields["name"])
    if "screenshots" in fields:
        fields["screenshots"] = _screenshots(fields["screenshots"], where)
    for key in ("artifacts", "test_artifacts", "screenshots", "test_config"):
        fields.setdefault(key, getattr(base, key))
    return FakeStep(**fields)


def load_scenario(fake: ScenarioTarget, scenario: Mapping[str, Any]) -> list[FakeJob]:
    """Add what ``scenario`` describes to ``fake``; returns the jobs added."""
    scenario = _check_keys(scenario, _SECTIONS, "")
    for index, app in enumerate(_list(scenario, "apps", "")):
        app = _check_keys(app, _APP_KEYS, f"apps[{index}]")
        fake.add_app(
            app["app_id"],
            name=app.get("name"),
            default_domain=app.get("default_domain"),
            platform=app.get("platform"),
        )
    for index, branch in enumerate(_list(scenario, "branches", "")):
        branch = _check_keys(branch, _BRANCH_KEYS, f"branches[{index}]")
        fake.add_branch(
            branch["app_id"],
            branch["branch"],
            display_name=branch.get("display_name"),
            created_after=branch.get("created_after", 0.0),
        )
    jobs = []
    for index, job_data in enumerate(_list(scenario, "jobs", "")):
        where = f"jobs[{index}]"
        fields = dict(_check_keys(job_data, _JOB_KEYS, where))
        stages = _list(fields, "then", where)
        fields.pop("then", None)
        if "steps" in fields:
            fields["steps"] = [
                _step(s, f"{where}.steps[{i}]") for i, s in enumerate(_list(fields, "steps", where))
            ]
        job = fake.add_job(**fields)
        for number, stage in enumerate(stages):
            stage = dict(_check_keys(stage, _THEN_KEYS, f"{where}.then[{number}]"))
            job.then(stage.pop("status"), **stage)
        jobs.append(job)
    for index, site in enumerate(_list(scenario, "sites", "")):
        site = _check_keys(site, _SITE_KEYS, f"sites[{index}]")
        fake.serve_site(site["app_id"], site["branch"], site["pages"])
    for index, domain in enumerate(_list(scenario, "domains", "")):
        fields = dict(_check_keys(domain, _DOMAIN_KEYS, f"domains[{index}]"))
        fake.add_domain(
            fields.pop("app_id"), fields.pop("domain"), fields.pop("subdomains"), **fields
        )
    return jobs
