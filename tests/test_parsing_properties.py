"""Property-based tests of reading GetJob and ListJobs answers.

Answers are generated from botocore's own Amplify model (shapes GetJobResult, Job,
JobSummary, Step, ListJobsResult): required members always present, optional ones
sometimes, unknown ones added. Any such answer must parse, whether it comes as
botocore returns it (datetimes) or as the wire carries it (epoch seconds, through
botocore's real parser). Whatever else the parser is given (wrong types, missing
members, extreme values), nothing but :class:`AmplifyResponseError` may escape.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable, Mapping
from typing import Any

import botocore.session
import pytest
from botocore.model import Shape
from botocore.parsers import create_parser
from dateutil.tz import tzlocal, tzutc
from hypothesis import HealthCheck, Phase, example, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from pytest_amplify import AmplifyJob, AmplifyResponseError

from .seam import ListedJob

MODEL = botocore.session.get_session().get_service_model("amplify")
GET_JOB = MODEL.operation_model("GetJob").output_shape
LIST_JOBS = MODEL.operation_model("ListJobs").output_shape
assert GET_JOB is not None and LIST_JOBS is not None
assert (GET_JOB.name, LIST_JOBS.name) == ("GetJobResult", "ListJobsResult")

# How many examples comes from the active profile (tests/conftest.py): a few dozen
# locally, 200 with --hypothesis-profile=ci.
PROPERTIES = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
UTC = dt.timezone.utc
# Datetimes whose conversion to UTC stays within datetime's range.
SAFE_MIN, SAFE_MAX = dt.datetime(1900, 1, 1), dt.datetime(9998, 12, 31)
EPOCH_MIN, EPOCH_MAX = -2_208_988_800, 253_370_764_800  # 1900-01-01 .. 9998-12-31
ZONES = st.sampled_from(
    [
        UTC,
        tzutc(),
        tzlocal(),
        dt.timezone(dt.timedelta(hours=5, minutes=30)),
        dt.timezone(-dt.timedelta(hours=8)),
    ]
)
STRING_LIMIT = 40  # model maxima run to 10,000 characters; a few dozen find the same bugs
FIELD_NAMES = sorted(
    {
        name
        for shape in ("GetJobResult", "Job", "JobSummary", "Step", "ListJobsResult")
        for name in MODEL.shape_for(shape).members
    }
)


# -- answers the model allows --------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


def botocore_timestamps() -> st.SearchStrategy[Any]:
    """As botocore returns them (aware datetimes), as the wire carries them (epoch
    seconds), and naive (read as UTC)."""
    return st.one_of(
        st.datetimes(min_value=SAFE_MIN, max_value=SAFE_MAX, timezones=ZONES),
        st.datetimes(min_value=SAFE_MIN, max_value=SAFE_MAX),
        st.integers(EPOCH_MIN, EPOCH_MAX),
        st.floats(EPOCH_MIN, EPOCH_MAX, allow_nan=False),
    )


def wire_timestamps() -> st.SearchStrategy[Any]:
    return st.integers(EPOCH_MIN, EPOCH_MAX) | st.floats(0, EPOCH_MAX, allow_nan=False)


def strings(shape: Shape) -> st.SearchStrategy[str]:
    meta = shape.metadata
    enum: list[str] = list(getattr(shape, "enum", None) or [])
    low = int(meta.get("min", 0))
    high = max(low, min(int(meta.get("max", STRING_LIMIT)), STRING_LIMIT))
    pattern = meta.get("pattern")
    if enum:
        # botocore does not check enums in answers, and Amplify adds statuses
        # without notice (CREATED, December 2024): unknown values must parse too.
        return st.sampled_from(enum) | st.text(min_size=1, max_size=20)
    if pattern == "[0-9]+":
        return st.from_regex(rf"[0-9]{{1,{high}}}", fullmatch=True)
    if pattern and pattern.startswith("^(s3|https|http)://"):
        return st.from_regex(rf"(s3|https|http)://[a-z0-9./-]{{0,{high - 8}}}", fullmatch=True)
    return st.text(min_size=low, max_size=high)


# One return per kind of shape in botocore's model: a table would hide the recursion.
def answers(  # noqa: PLR0911
    shape: Shape,
    timestamps: Callable[[], st.SearchStrategy[Any]],
    extra: st.SearchStrategy[Any] | None,
) -> st.SearchStrategy[Any]:
    """Values of ``shape``: required members always, optional ones sometimes, and
    (when ``extra`` is given) members the model does not know."""
    kind = shape.type_name
    if kind == "structure":
        members = shape.members  # type: ignore[attr-defined]
        required = set(shape.required_members)  # type: ignore[attr-defined]
        base = st.fixed_dictionaries(
            {
                name: answers(m, timestamps, extra)
                for name, m in members.items()
                if name in required
            },
            optional={
                name: answers(m, timestamps, extra)
                for name, m in members.items()
                if name not in required
            },
        )
        if extra is None:
            return base
        unknown = st.dictionaries(
            st.text(min_size=1, max_size=12).filter(lambda key: key not in members),
            extra,
            max_size=2,
        )
        return st.builds(lambda known, more: {**more, **known}, base, unknown)
    if kind == "list":
        return st.lists(answers(shape.member, timestamps, extra), max_size=4)  # type: ignore[attr-defined]
    if kind == "map":
        return st.dictionaries(
            answers(shape.key, timestamps, extra),  # type: ignore[attr-defined]
            answers(shape.value, timestamps, extra),  # type: ignore[attr-defined]
            max_size=3,
        )
    if kind == "string":
        return strings(shape)
    if kind == "timestamp":
        return timestamps()
    if kind in ("integer", "long"):
        return st.integers(0, 2**31 - 1)
    if kind == "boolean":
        return st.booleans()
    raise AssertionError(f"no strategy for {shape.name} ({kind})")


RESPONSE_METADATA = st.fixed_dictionaries(
    {
        "RequestId": st.uuids().map(str),
        "HTTPStatusCode": st.just(200),
        "HTTPHeaders": st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=2),
        "RetryAttempts": st.just(0),
    }
)


def with_metadata(answer: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """botocore adds ResponseMetadata to every answer."""
    return st.builds(lambda a, m: {**a, "ResponseMetadata": m}, answer, RESPONSE_METADATA)


get_job_answers = with_metadata(answers(GET_JOB, botocore_timestamps, json_values))
list_jobs_answers = with_metadata(answers(LIST_JOBS, botocore_timestamps, json_values))
get_job_wire = answers(GET_JOB, wire_timestamps, json_values)
list_jobs_wire = answers(LIST_JOBS, wire_timestamps, json_values)
job_summaries = answers(MODEL.shape_for("JobSummary"), botocore_timestamps, json_values)


def in_utc(value: Any) -> dt.datetime | None:
    """What a timestamp means, in UTC, computed independently of the parser."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return dt.datetime.fromtimestamp(value, tz=UTC)


def assert_time(parsed: dt.datetime | None, raw: Any) -> None:
    assert parsed == in_utc(raw)
    if parsed is not None:
        assert parsed.utcoffset() == dt.timedelta(0)


def assert_job_matches(job: AmplifyJob, answer: Mapping[str, Any]) -> None:
    summary = answer["job"]["summary"]
    assert (job.app_id, job.branch) == ("d1", "main")
    assert job.job_id == summary["jobId"]
    assert job.status == summary["status"]
    assert job.job_type == summary.get("jobType")
    assert job.commit_id == summary.get("commitId")
    assert job.commit_message == summary.get("commitMessage")
    assert job.job_arn == summary.get("jobArn")
    for name, value in (("commit_time", "commitTime"), ("start_time", "startTime")):
        assert_time(getattr(job, name), summary.get(value))
    assert_time(job.end_time, summary.get("endTime"))
    steps = answer["job"]["steps"]
    assert len(job.steps) == len(steps)
    for step, raw in zip(job.steps, steps, strict=True):
        assert (step.name, step.status) == (raw["stepName"], raw["status"])
        assert_time(step.start_time, raw.get("startTime"))
        assert_time(step.end_time, raw.get("endTime"))
        assert step.log_url == raw.get("logUrl")
        assert step.artifacts_url == raw.get("artifactsUrl")
        assert step.test_artifacts_url == raw.get("testArtifactsUrl")
        assert step.test_config_url == raw.get("testConfigUrl")
        assert dict(step.screenshots) == (raw.get("screenshots") or {})
        assert step.status_reason == raw.get("statusReason")
        assert step.context == raw.get("context")
    # A job is plain data: it survives JSON (pytest-xdist workers hand jobs over so).
    again = AmplifyJob.from_dict(json.loads(json.dumps(job.to_dict())))
    assert again == job
    assert repr(job).startswith("AmplifyJob(")


def assert_listed_matches(listed: ListedJob, summary: Mapping[str, Any]) -> None:
    assert listed.job_id == summary["jobId"]
    assert listed.number == int(summary["jobId"])
    assert listed.status == summary["status"]
    assert listed.commit_id == summary.get("commitId")
    assert_time(listed.start_time, summary.get("startTime"))
    assert_time(listed.end_time, summary.get("endTime"))


@PROPERTIES
@given(answer=get_job_answers)
def test_any_get_job_answer_the_model_allows_parses(answer: dict[str, Any]) -> None:
    job = AmplifyJob.from_api(answer, app_id="d1", branch="main")
    assert_job_matches(job, answer)


@PROPERTIES
@given(answer=list_jobs_answers)
def test_any_list_jobs_answer_the_model_allows_parses(answer: dict[str, Any]) -> None:
    for index, summary in enumerate(answer["jobSummaries"]):
        assert_listed_matches(ListedJob.from_api(summary, f"jobSummaries[{index}]"), summary)


def through_botocore(shape: Shape, wire: Mapping[str, Any]) -> dict[str, Any]:
    """The answer as boto3 hands it over: the JSON body through botocore's parser."""
    response = {
        "status_code": 200,
        "headers": {"content-type": "application/json", "x-amzn-requestid": "r-1"},
        "body": json.dumps(wire).encode(),
    }
    parsed: dict[str, Any] = create_parser("rest-json").parse(response, shape)
    return parsed


@PROPERTIES
@given(wire=get_job_wire)
def test_get_job_answers_from_the_wire_parse_as_botocore_reads_them(wire: dict[str, Any]) -> None:
    answer = through_botocore(GET_JOB, wire)
    job = AmplifyJob.from_api(answer, app_id="d1", branch="main")
    assert_job_matches(job, wire)  # epoch seconds on the wire, the same instants parsed


@PROPERTIES
@given(wire=list_jobs_wire)
def test_list_jobs_answers_from_the_wire_parse_as_botocore_reads_them(
    wire: dict[str, Any],
) -> None:
    answer = through_botocore(LIST_JOBS, wire)
    assert len(answer["jobSummaries"]) == len(wire["jobSummaries"])
    for parsed, sent in zip(answer["jobSummaries"], wire["jobSummaries"], strict=True):
        assert_listed_matches(ListedJob.from_api(parsed), sent)


@PROPERTIES
@given(answer=get_job_answers)
def test_the_generated_answers_always_hold_the_required_members(answer: dict[str, Any]) -> None:
    summary = answer["job"]["summary"]
    assert set(MODEL.shape_for("JobSummary").required_members) <= set(summary)
    for step in answer["job"]["steps"]:
        assert set(MODEL.shape_for("Step").required_members) <= set(step)


def members_of(answer: dict[str, Any], shape: str) -> list[set[str]]:
    """The member names of each ``shape`` ("JobSummary" or "Step") in a GetJob answer."""
    job = answer["job"]
    return [set(job["summary"])] if shape == "JobSummary" else [set(s) for s in job["steps"]]


def test_the_generated_answers_cover_the_model() -> None:
    """The strategies above are only as good as their coverage: every member of the
    shapes is generated, and members the model does not know are added. Hypothesis
    generates answers until all have been seen (``find``, without shrinking) rather
    than hoping that a fixed number of random examples shows them all."""
    wanted = {shape: set(MODEL.shape_for(shape).members) for shape in ("JobSummary", "Step")}
    seen: dict[str, set[str]] = {shape: set() for shape in wanted}

    def covered(answer: dict[str, Any]) -> bool:
        for shape in wanted:
            for members in members_of(answer, shape):
                seen[shape] |= members
        return all(known <= seen[shape] and seen[shape] - known for shape, known in wanted.items())

    search = settings(max_examples=1000, database=None, deadline=None, phases=[Phase.generate])
    try:
        find(get_job_answers, covered, settings=search)
    except NoSuchExample:
        missing = {shape: sorted(known - seen[shape]) for shape, known in wanted.items()}
        unknown_added = {shape: bool(seen[shape] - known) for shape, known in wanted.items()}
        pytest.fail(f"never generated: {missing}; unknown members added: {unknown_added}")


# -- anything else: only AmplifyResponseError ----------------------------------------

OFFSETS = st.sampled_from([dt.timezone(dt.timedelta(hours=h)) for h in (-12, -5, 5, 14)])
EXTREME_TIMES = st.one_of(
    st.datetimes(max_value=dt.datetime(1, 1, 2), timezones=OFFSETS),
    st.datetimes(min_value=dt.datetime(9999, 12, 30), timezones=OFFSETS),
)
junk_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**20) | st.integers(max_value=-(10**20)),
    st.floats(),  # nan and infinities included
    st.text(max_size=20),
    st.from_regex(r"[0-9]{1,20}", fullmatch=True),
    st.integers(4_301, 6_000).map(lambda n: "7" * n),  # past int()'s 4,300 digit limit
    st.datetimes(timezones=st.none() | ZONES | OFFSETS),
    EXTREME_TIMES,
    EXTREME_TIMES.map(lambda d: d.isoformat()),
    st.sampled_from(["", "nan", "inf", "-1e400", "2026-13-01T00:00:00Z", "SUCCEED"]),
)
junk = st.recursive(
    junk_scalars,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


@st.composite
def mutated(draw: st.DrawFn, valid: st.SearchStrategy[dict[str, Any]]) -> Any:
    """A valid answer with one part replaced by junk, deleted, or given a junk sibling."""
    answer = copy.deepcopy(draw(valid))
    path = draw(st.sampled_from(_paths(answer)))
    if not path:
        return draw(junk)
    parent = answer
    for key in path[:-1]:
        parent = parent[key]
    action = draw(st.sampled_from(["replace", "delete", "add"]))
    if action == "delete" and isinstance(parent, dict):
        del parent[path[-1]]
    elif action == "add" and isinstance(parent, dict):
        parent[draw(st.sampled_from(FIELD_NAMES))] = draw(junk)
    else:
        parent[path[-1]] = draw(junk)
    return answer


def parse_get_job(answer: Any) -> AmplifyJob | AmplifyResponseError:
    """The job, or the AmplifyResponseError; anything else escapes (and fails)."""
    try:
        return AmplifyJob.from_api(answer, app_id="d1", branch="main")
    except AmplifyResponseError as exc:
        return exc


def parse_listed(summary: Any) -> ListedJob | AmplifyResponseError:
    try:
        return ListedJob.from_api(summary, "jobSummaries[0]")
    except AmplifyResponseError as exc:
        return exc


def assert_parsed_or_explained(result: object) -> None:
    if isinstance(result, AmplifyResponseError):
        assert str(result), "an AmplifyResponseError says what was wrong"
    elif isinstance(result, ListedJob):
        assert result.number >= 0
    else:
        assert isinstance(result, AmplifyJob)


A_JOB = {"jobArn": "arn:aws:amplify:us-east-1:123456789012:apps/d1/branches/main/jobs/1"}
YEAR_ONE_EAST = dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5)))
YEAR_9999_WEST = dt.datetime(9999, 12, 31, 23, tzinfo=dt.timezone(-dt.timedelta(hours=5)))


@PROPERTIES
@given(answer=mutated(get_job_answers) | junk)
# A valid datetime that has no UTC equivalent (year 1 at UTC+5 is year 0 in UTC):
# botocore hands such a value over for a wire timestamp "0001-01-01T00:00:00+05:00".
@example(
    answer={
        "job": {
            "summary": {"jobId": "1", "status": "RUNNING", "startTime": YEAR_ONE_EAST},
            "steps": [],
        }
    }
)
@example(
    answer={
        "job": {
            "summary": {"jobId": "1", "status": "SUCCEED", **A_JOB},
            "steps": [{"stepName": "BUILD", "status": "SUCCEED", "endTime": YEAR_9999_WEST}],
        }
    }
)
@example(
    answer={
        "job": {"summary": {"jobId": "1", "status": "SUCCEED"}, "steps": []},
        "x": YEAR_ONE_EAST,
    }
)
def test_get_job_parsing_raises_nothing_but_amplify_response_error(answer: Any) -> None:
    assert_parsed_or_explained(parse_get_job(answer))


@PROPERTIES
@given(summary=mutated(job_summaries) | junk)
@example(summary={"jobId": "7" * 5_000, "status": "SUCCEED"})  # int() refuses 4,300+ digits
@example(summary={"jobId": "7", "status": "SUCCEED", "startTime": "0001-01-01T00:00:00+05:00"})
def test_list_jobs_parsing_raises_nothing_but_amplify_response_error(summary: Any) -> None:
    assert_parsed_or_explained(parse_listed(summary))


@PROPERTIES
@given(answer=junk, where=st.sampled_from(["response", "job", "summary", "steps", "step"]))
@example(answer={"jobId": "1", "status": "SUCCEED", "startTime": YEAR_ONE_EAST}, where="summary")
@example(answer={"jobId": "7" * 5_000, "status": "SUCCEED"}, where="summary")
def test_arbitrary_values_anywhere_raise_nothing_but_amplify_response_error(
    answer: Any, where: str
) -> None:
    summary = {"jobId": "1", "status": "SUCCEED"}
    wrapped = {
        "response": answer,
        "job": {"job": answer},
        "summary": {"job": {"summary": answer, "steps": []}},
        "steps": {"job": {"summary": summary, "steps": answer}},
        "step": {"job": {"summary": summary, "steps": [answer]}},
    }[where]
    assert_parsed_or_explained(parse_get_job(wrapped))
    assert_parsed_or_explained(parse_listed(answer))


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        ({"job": None}, "job is not an object"),
        ({"job": {"summary": {"status": "SUCCEED"}, "steps": []}}, "job.summary.jobId is missing"),
        (
            {"job": {"summary": {"jobId": 7, "status": "SUCCEED"}}},
            "job.summary.jobId is not a string",
        ),
        (
            {"job": {"summary": {"jobId": "7", "status": "SUCCEED"}, "steps": {"BUILD": {}}}},
            "job.steps is not a list",
        ),
        (
            {"job": {"summary": {"jobId": "7", "status": "SUCCEED"}, "steps": [{"status": "X"}]}},
            "job.steps[0].stepName is missing",
        ),
        (
            {"job": {"summary": {"jobId": "7", "status": "SUCCEED", "endTime": True}}},
            "job.summary.endTime is a boolean",
        ),
        (
            {"job": {"summary": {"jobId": "7", "status": "SUCCEED", "endTime": float("nan")}}},
            "job.summary.endTime is out of range",
        ),
    ],
)
def test_the_error_names_the_field(answer: dict[str, Any], says: str) -> None:
    with pytest.raises(
        AmplifyResponseError, match=r"^" + says.replace("[", r"\[").replace(".", r"\.")
    ):
        AmplifyJob.from_api(answer, app_id="d1", branch="main")
