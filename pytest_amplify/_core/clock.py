"""The clocks and the sleep of a wait, in one object so that tests inject simulated ones."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable


@dataclasses.dataclass
class WaitClock:
    """The clocks and the sleep of a wait; tests inject simulated ones."""

    monotonic: Callable[[], float] = time.monotonic
    wall: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep
