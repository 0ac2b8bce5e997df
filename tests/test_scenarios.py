"""The local service's scenario format: how FAILED and CANCELLED jobs end, the JSON
Schema shipped in the package against the loader, and the documentation's examples."""

from __future__ import annotations

import dataclasses
import inspect
import json
import re
import subprocess
import sys
import urllib.request
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from pytest_amplify import JobStatus
from pytest_amplify.testing import FakeAmplify, FakeJob, FakeStep, SimulatedClock

DOCS = Path(__file__).resolve().parent.parent / "docs"
SCHEMA: dict[str, Any] = json.loads(
    files("pytest_amplify.testing").joinpath("scenario.schema.json").read_text()
)


def validator() -> Any:
    jsonschema = pytest.importorskip(
        "jsonschema", reason="validates scenarios; in the dev extras: pip install -e '.[dev]'"
    )
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    return jsonschema.Draft202012Validator(SCHEMA)


def shown(fake: FakeAmplify, job_id: str) -> tuple[str, list[tuple[str, str, str | None]]]:
    job = fake.client().get_job(appId="d1", branchName="main", jobId=job_id)["job"]
    steps = [(s["stepName"], s["status"], s.get("statusReason")) for s in job["steps"]]
    return job["summary"]["status"], steps


def last_log_line(fake: FakeAmplify, job_id: str) -> str:
    job = fake.client().get_job(appId="d1", branchName="main", jobId=job_id)["job"]
    with urllib.request.urlopen(job["steps"][-1]["logUrl"], timeout=5) as answer:
        return str(answer.read().decode().rstrip().splitlines()[-2])


# -- how FAILED and CANCELLED jobs end -------------------------------------------------


def test_a_failed_job_without_steps_fails_at_build_with_a_reason_and_a_log(
    fake: FakeAmplify,
) -> None:
    fake.add_job("d1", "main", status="FAILED")
    assert shown(fake, "1") == (
        "FAILED",
        [("BUILD", "FAILED", "Build failed: npm ERR! missing script: build")],
    )
    assert last_log_line(fake, "1") == "[ERROR]: !!! Build failed: npm ERR! missing script: build"
    # The TEST step never ran: no end-to-end test artifacts are listed.
    listed = fake.client().list_artifacts(appId="d1", branchName="main", jobId="1")
    assert listed["artifacts"] == []


def test_a_cancelled_manual_deployment_cancels_its_first_step(fake: FakeAmplify) -> None:
    fake.add_job("d1", "main", status="CANCELLED", job_type="MANUAL")
    assert shown(fake, "1") == ("CANCELLED", [("DEPLOY", "CANCELLED", "Job was cancelled")])
    assert last_log_line(fake, "1") == "[WARNING]: !!! Job was cancelled"


def test_a_stage_that_fails_the_job_fails_the_step_in_progress(fake: FakeAmplify) -> None:
    fake.add_job("d1", "main", status="RUNNING").then(
        "RUNNING", after_calls=1, running="DEPLOY"
    ).then("FAILED", after_calls=1)
    assert shown(fake, "1")[1] == [("BUILD", "RUNNING", None)]
    assert shown(fake, "1")[1][-1] == ("DEPLOY", "RUNNING", None)
    assert shown(fake, "1") == (
        "FAILED",
        [
            ("BUILD", "SUCCEED", None),
            ("TEST", "SUCCEED", None),
            ("DEPLOY", "FAILED", "Deploy failed: the build output has no index.html"),
        ],
    )


def test_cancelling_then_cancelled_cancels_the_running_step(
    fake: FakeAmplify, clock: SimulatedClock
) -> None:
    fake.add_job("d1", "main", status="RUNNING").then("CANCELLING", after_seconds=5).then(
        "CANCELLED", after_seconds=5
    )
    clock.advance(5)
    assert shown(fake, "1") == ("CANCELLING", [("BUILD", "RUNNING", None)])
    clock.advance(5)
    assert shown(fake, "1") == ("CANCELLED", [("BUILD", "CANCELLED", "Job was cancelled")])


def test_finish_failed_ends_the_first_step_failed(fake: FakeAmplify) -> None:
    fake.add_job("d1", "main", status="PENDING").finish("FAILED")
    assert shown(fake, "1")[1] == [
        ("BUILD", "FAILED", "Build failed: npm ERR! missing script: build")
    ]


def test_steps_that_name_the_failure_are_served_as_given(fake: FakeAmplify) -> None:
    steps = ["BUILD", FakeStep("DEPLOY", status="FAILED", reason="quota"), "VERIFY"]
    fake.add_job("d1", "main", status="FAILED", steps=steps)
    assert shown(fake, "1")[1] == [
        ("BUILD", "SUCCEED", None),
        ("DEPLOY", "FAILED", "quota"),
        ("VERIFY", "SUCCEED", None),
    ]


def test_a_stage_with_steps_is_served_as_given(fake: FakeAmplify) -> None:
    fake.add_job("d1", "main", status="RUNNING").then(
        "FAILED", after_calls=1, steps={"BUILD": "SUCCEED"}
    )
    shown(fake, "1")
    assert shown(fake, "1") == ("FAILED", [("BUILD", "SUCCEED", None)])


def test_a_failed_scenario_job_answers_as_amplify_would(fake: FakeAmplify) -> None:
    fake.load_scenario(
        {
            "jobs": [
                {"app_id": "d1", "branch": "main", "status": "FAILED"},
                {"app_id": "d1", "branch": "main", "status": "CANCELLED"},
            ]
        }
    )
    assert shown(fake, "1")[1] == [
        ("BUILD", "FAILED", "Build failed: npm ERR! missing script: build")
    ]
    assert shown(fake, "2")[1] == [("BUILD", "CANCELLED", "Job was cancelled")]


# -- the schema and the loader ---------------------------------------------------------


def properties(section: str) -> set[str]:
    schema = SCHEMA["properties"][section]["items"]
    return set(schema["properties"])


def keywords(function: Any, *, leave_out: tuple[str, ...] = ("self",)) -> set[str]:
    return {name for name in inspect.signature(function).parameters if name not in leave_out}


def test_the_schema_describes_what_the_service_takes() -> None:
    """Each section's keys are the parameters of the call the loader makes with them."""
    assert properties("apps") == keywords(FakeAmplify.add_app)
    assert properties("branches") == keywords(FakeAmplify.add_branch)
    assert properties("jobs") == keywords(FakeAmplify.add_job) | {"then"}
    assert properties("sites") == keywords(FakeAmplify.serve_site)
    assert properties("domains") == (keywords(FakeAmplify.add_domain) - {"domain_name"}) | {
        "domain"
    }
    assert set(SCHEMA["$defs"]["step"]["properties"]) == {
        field.name for field in dataclasses.fields(FakeStep)
    }
    assert set(SCHEMA["$defs"]["stage"]["properties"]) == keywords(FakeJob.then)
    assert SCHEMA["$defs"]["status"]["enum"] == [
        value for name, value in vars(JobStatus).items() if name.isupper()
    ]


def allowed_by_the_loader(scenario: dict[str, Any]) -> set[str]:
    with pytest.raises(ValueError, match="unknown key") as raised:
        FakeAmplify().load_scenario(scenario)
    return set(str(raised.value).split("allowed: ")[1].split(", "))


def test_the_loader_accepts_the_schema_keys_and_no_others() -> None:
    job = {"app_id": "d1", "branch": "main"}
    assert allowed_by_the_loader({"nope": 1}) == set(SCHEMA["properties"])
    for section in ("apps", "branches", "jobs", "sites", "domains"):
        assert allowed_by_the_loader({section: [{"nope": 1}]}) == properties(section)
    step = {**job, "steps": [{"name": "BUILD", "nope": 1}]}
    assert allowed_by_the_loader({"jobs": [step]}) == set(SCHEMA["$defs"]["step"]["properties"])
    stage = {**job, "then": [{"status": "FAILED", "after_calls": 1, "nope": 1}]}
    assert allowed_by_the_loader({"jobs": [stage]}) == set(SCHEMA["$defs"]["stage"]["properties"])


JOB = {"app_id": "d1", "branch": "main"}
BAD_SCENARIOS = [
    ({"job": []}, "", "unknown key job"),
    ({"jobs": {}}, "jobs", "expected a list"),
    ({"jobs": [{**JOB, "stauts": "FAILED"}]}, "jobs[0]", "unknown key stauts"),
    ({"jobs": [{"app_id": "d1"}]}, "jobs[0]", "needs branch"),
    ({"jobs": [{**JOB, "app_id": "D1"}]}, "jobs[0].app_id", "'D1'"),
    ({"jobs": [{**JOB, "job_id": "7a"}]}, "jobs[0].job_id", "'7a'"),
    ({"jobs": [{**JOB, "status": "DONE"}]}, "jobs[0].status", "'DONE' is not a status; one of"),
    ({"jobs": [{**JOB, "job_type": "PUSH"}]}, "jobs[0].job_type", "'PUSH' is not a job type"),
    ({"jobs": [{**JOB, "listed_after": True}]}, "jobs[0].listed_after", "expected an integer"),
    ({"jobs": [{**JOB, "duration": -1}]}, "jobs[0].duration", "0 or more"),
    (
        {"jobs": [{**JOB, "steps": ["BUILD", {"name": "TEST", "status": "DONE"}]}]},
        "jobs[0].steps[1].status",
        "'DONE' is not a status",
    ),
    ({"jobs": [{**JOB, "steps": [{"status": "FAILED"}]}]}, "jobs[0].steps[0]", "needs name"),
    (
        {"jobs": [{**JOB, "steps": [{"name": "VERIFY", "screenshots": "desktop"}]}]},
        "jobs[0].steps[0].screenshots",
        "expected a list or an object",
    ),
    (
        {"jobs": [{**JOB, "steps": [{"name": "VERIFY", "screenshots": ["ipad"]}]}]},
        "jobs[0].steps[0].screenshots[0]",
        "'ipad' is not a device of the rendered screenshots; one of desktop, iphone-14, pixel-7",
    ),
    (
        {"jobs": [{**JOB, "steps": [{"name": "VERIFY", "screenshots": {"ipad": "login"}}]}]},
        "jobs[0].steps[0].screenshots",
        "unknown key ipad; allowed: desktop, iphone-14, pixel-7",
    ),
    (
        {"jobs": [{**JOB, "steps": [{"name": "VERIFY", "screenshots": {"desktop": "home"}}]}]},
        "jobs[0].steps[0].screenshots.desktop",
        "'home' is not a rendered page; one of login, login-changed, blank, spinner",
    ),
    ({"jobs": [{**JOB, "then": [{"status": "SUCCEED"}]}]}, "jobs[0].then[0]", "exactly one of"),
    (
        {"jobs": [{**JOB, "then": [{"status": "SUCCEED", "after_calls": 0}]}]},
        "jobs[0].then[0].after_calls",
        "1 or more",
    ),
    (
        {"jobs": [{**JOB, "then": [{"status": "SUCCEED", "after_seconds": 0}]}]},
        "jobs[0].then[0].after_seconds",
        "more than 0",
    ),
    ({"apps": [{"app_id": "d1", "platform": "LAMBDA"}]}, "apps[0].platform", "not a platform"),
    ({"branches": [{**JOB, "created_after": -5}]}, "branches[0].created_after", "0 or more"),
    ({"sites": [{**JOB, "pages": {"/": 1}}]}, "sites[0].pages['/']", "expected a string"),
    (
        {"domains": [{"app_id": "d1", "domain": "example.com", "subdomains": {}}]},
        "domains[0].subdomains",
        "must not be empty",
    ),
    (
        {"domains": [{"app_id": "d1", "domain": "x.io", "subdomains": {"": "main"}, "lag": "1"}]},
        "domains[0].lag",
        "expected a number or null",
    ),
]


def loader_path(error: Any) -> str:
    """Where jsonschema says the error is, written as the loader writes paths
    (``jobs[0].steps[1].status``, ``sites[0].pages['/']``). Built from the path's
    parts: how ``json_path`` quotes keys differs between jsonschema versions."""
    path = ""
    for part in error.absolute_path:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part.isidentifier():
            path += f".{part}" if path else part
        else:
            path += f"[{part!r}]"
    return path


@pytest.mark.parametrize(("scenario", "path", "message"), BAD_SCENARIOS)
def test_a_bad_scenario_is_rejected_by_the_schema_and_the_loader_naming_the_field(
    scenario: dict[str, Any], path: str, message: str
) -> None:
    errors = list(validator().iter_errors(scenario))
    assert errors, "the schema accepts it"
    # jsonschema reports the deepest failing instance; a missing or unknown key is
    # reported on the object that holds it, as the loader does.
    assert path in {loader_path(error) for error in errors}
    with pytest.raises(ValueError, match=re.escape(f"scenario {path}".rstrip() + ":")) as raised:
        FakeAmplify().load_scenario(scenario)
    assert message in str(raised.value)


def test_an_unknown_status_needs_allow_unknown_status_in_both() -> None:
    scenario = {"jobs": [{**JOB, "status": "DEPLOYING", "allow_unknown_status": True}]}
    assert list(validator().iter_errors(scenario)) == []
    assert FakeAmplify().load_scenario(scenario)[0].status == "DEPLOYING"


def test_a_mistake_the_service_finds_names_the_scenario_object() -> None:
    twice = {"jobs": [{**JOB, "job_id": "1"}, {**JOB, "job_id": "1"}]}
    with pytest.raises(ValueError, match=r"^scenario jobs\[1\]: branch main of app d1 already"):
        FakeAmplify().load_scenario(twice)


# -- the documentation's scenarios -----------------------------------------------------


def documented_scenarios() -> list[Any]:
    found = []
    for page in sorted(DOCS.glob("*.md")):
        for number, block in enumerate(re.findall(r"```json\n(.*?)```", page.read_text(), re.S)):
            data = json.loads(block)
            if isinstance(data, dict) and {"jobs", "apps"} & set(data):
                found.append(pytest.param(data, id=f"{page.name}-{number}"))
    return found


def test_the_documentation_has_scenarios() -> None:
    assert len(documented_scenarios()) >= 3


@pytest.mark.parametrize("scenario", documented_scenarios())
def test_every_documented_scenario_is_valid_and_loads(scenario: dict[str, Any]) -> None:
    assert [error.message for error in validator().iter_errors(scenario)] == []
    with FakeAmplify(clock=SimulatedClock()) as fake:
        jobs = fake.load_scenario(scenario)
        assert len(jobs) == len(scenario.get("jobs", []))


# -- the command line ------------------------------------------------------------------


@pytest.mark.slow
def test_help_says_what_each_option_does() -> None:
    command = [sys.executable, "-m", "pytest_amplify.testing"]
    top = subprocess.run([*command, "--help"], capture_output=True, text=True, check=True)
    assert "serve" in top.stdout
    serve = subprocess.run(
        [*command, "serve", "--help"], capture_output=True, text=True, check=True
    )
    for option in ("--port", "--scenario", "--url-expires", "scenario.schema.json"):
        assert option in serve.stdout
