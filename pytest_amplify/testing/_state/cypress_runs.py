"""What a TEST step produces, from runs of the real tools: mochawesome reports written
by mocha, mochawesome and mochawesome-merge, the step's log around them, and the
screenshots and videos Cypress would have saved (``cypress_runs/``, made by
``tests/data/e2e/make-reports.js``; its README says how, and where Cypress's own
shapes come from).

Two runs: ``failing`` (a retried test, two failed tests, a pending one, a failing
``before all`` hook that keeps two tests from running) and ``passing`` (three
tests). Screenshots are real PNGs; videos are only an MP4 file's first box, not a
playable video.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .content import make_png

RUNS = Path(__file__).resolve().parent.parent / "cypress_runs"
RUN_NAMES = ("failing", "passing")
# Where the user guide's postTest writes the merged report, and Cypress its files.
MERGED_REPORT = "cypress/report/mochawesome.json"
PER_SPEC_FOLDER = "cypress/report/mochawesome-report"
# The console's message for a TEST step whose tests failed (aws-amplify/amplify-hosting#3235).
TESTS_FAILED_REASON = "One or more tests have failed"

# The test phase where the user guide puts it: a top-level `test:` section of amplify.yml.
TEST_PHASE_CONFIG = """\
test:
  phases:
    preTest:
      commands:
        - npm ci
        - npm install -g pm2 wait-on
        - npm install mocha mochawesome mochawesome-merge mochawesome-report-generator
        - pm2 start npm -- start
        - wait-on http://localhost:3000
    test:
      commands:
        - 'npx cypress run --reporter mochawesome --reporter-options "reportDir=cypress/report/mochawesome-report,overwrite=false,html=false,json=true,timestamp=mmddyyyy_HHMMss"'
    postTest:
      commands:
        - npx mochawesome-merge cypress/report/mochawesome-report/mochawesome*.json > cypress/report/mochawesome.json
        - pm2 kill
  artifacts:
    baseDirectory: cypress
    configFilePath: '**/mochawesome.json'
    files:
      - '**/*.png'
      - '**/*.mp4'
"""

# An MP4 file's first box (ftyp, brand isom): enough to be recognised as one.
MP4_START = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2avc1mp41"


@dataclasses.dataclass(frozen=True)
class CypressRun:
    """One generated run: its files by name, its log, and what it made."""

    name: str
    status: str
    log: str
    merged_report: bytes
    per_spec_reports: Mapping[str, bytes]
    specs: tuple[Mapping[str, Any], ...]

    def test_artifacts(self, *, merged: bool = True) -> dict[str, bytes]:
        """The files the test phase uploads: the report (merged, or each spec's when
        the merge did not run), a failure screenshot per failed attempt and hook, and
        each spec's video."""
        files: dict[str, bytes] = {}
        if merged:
            files[MERGED_REPORT] = self.merged_report
        else:
            files.update(
                {f"{PER_SPEC_FOLDER}/{n}": data for n, data in self.per_spec_reports.items()}
            )
        for index, spec in enumerate(self.specs):
            for shot in spec["screenshots"]:
                files[shot] = _screenshot(index)
            files[spec["video"]] = MP4_START
        return files


@functools.cache
def _screenshot(index: int) -> bytes:
    colors = ((200, 60, 60), (60, 90, 200), (60, 160, 90))
    return make_png(320, 180, colors[index % len(colors)])


@functools.cache
def cypress_run(name: str) -> CypressRun:
    """The generated run ``name`` (``failing`` or ``passing``)."""
    if name not in RUN_NAMES:
        raise ValueError(f"no Cypress run {name!r}; there are: {', '.join(RUN_NAMES)}")
    folder = RUNS / name
    made = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    per_spec = folder / "report" / "mochawesome-report"
    return CypressRun(
        name=name,
        status=made["status"],
        log=(folder / "test-log.txt").read_text(encoding="utf-8"),
        merged_report=(folder / "report" / "mochawesome.json").read_bytes(),
        per_spec_reports={p.name: p.read_bytes() for p in sorted(per_spec.glob("*.json"))},
        specs=tuple(made["specs"]),
    )
