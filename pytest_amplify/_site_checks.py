"""The settings a check of a job's site runs with, as the session hands them to it."""

from __future__ import annotations

import dataclasses

from ._clock import WaitClock
from ._setting_parsers import DEFAULT_DOMAIN_URL


@dataclasses.dataclass(frozen=True)
class SiteChecks:
    """How a job's site is checked (``assert_serves_build``): the bound of the wait,
    where custom domains are reached (``{domain}`` is the host name), and the clock."""

    timeout: float
    domain_url: str = DEFAULT_DOMAIN_URL
    clock: WaitClock = dataclasses.field(default_factory=WaitClock)
    timeout_source: str = "default"
