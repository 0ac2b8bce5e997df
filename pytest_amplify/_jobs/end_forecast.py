"""When a job is likely to end, from how long the branch's recent jobs took, and
where that makes polls worth adding.

Each earlier duration is one bump of a mixture (a kernel density estimate), as
wide as the distance to its k-th nearest neighbour among the durations, k being
the square root of their number (the usual choice for nearest-neighbour
estimates). So the forecast follows what the history shows: a tight history gives
narrow bumps, a spread one wide bumps, two clusters (cache hits and misses) two
peaks, and a lone outlier a low, wide bump that draws few polls.

Ages are seconds since the job's start, as ListJobs reports it.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
import statistics
from collections.abc import Sequence

MIN_HISTORY = 3
HISTORY_SIZE = 10
# A bump is cut off this many widths from its centre: beyond, its share is below 1e-4.
TAIL_WIDTHS = 4
# How finely, in bump widths, the plan tabulates the forecast.
STEPS_PER_WIDTH = 2
# How close an interval is computed, in seconds.
INTERVAL_PRECISION = 0.1
# Steps of the root search; it needs a handful.
MAX_STEPS = 50

_SQRT_2 = math.sqrt(2.0)
_SQRT_2PI = math.sqrt(2.0 * math.pi)


class EndForecast:
    """A mixture of one normal bump per earlier duration: ``centres[i]`` seconds
    after the job's start, ``widths[i]`` wide (standard deviation)."""

    __slots__ = ("_bumps", "centres", "widths")

    def __init__(self, centres: Sequence[float], widths: Sequence[float]) -> None:
        self.centres = tuple(centres)
        self.widths = tuple(widths)
        self._bumps = tuple(zip(self.centres, self.widths, strict=True))

    def __repr__(self) -> str:
        return f"EndForecast(centres={self.centres!r}, widths={self.widths!r})"

    @classmethod
    def from_durations(cls, durations: Sequence[float], min_width: float) -> EndForecast | None:
        """From the newest durations first; None with fewer than MIN_HISTORY.
        ``min_width`` keeps identical durations from making a bump of no width."""
        usable = sorted(d for d in list(durations)[:HISTORY_SIZE] if d > 0)
        if len(usable) < MIN_HISTORY:
            return None
        neighbour = math.ceil(math.sqrt(len(usable)))
        widths = []
        for centre in usable:
            # Distances to every duration, this one's own 0 first.
            distances = sorted(abs(centre - other) for other in usable)
            widths.append(max(min_width, distances[neighbour]))
        return cls(usable, widths)

    @property
    def typical_duration(self) -> float:
        return statistics.median(self.centres)

    def density(self, age: float) -> float:
        """Probability density (per second) of the end at ``age``."""
        total = 0.0
        for centre, width in self._bumps:
            z = (age - centre) / width
            if -2 * TAIL_WIDTHS < z < 2 * TAIL_WIDTHS:
                total += math.exp(-0.5 * z * z) / width
        return total / (_SQRT_2PI * len(self.centres))

    def cdf(self, age: float) -> float:
        """Probability that the job has ended by ``age``."""
        total = 0.0
        for centre, width in self._bumps:
            z = (age - centre) / (_SQRT_2 * width)
            # erf is +-1 to double precision beyond 6.
            total += math.erf(z) if -6 < z < 6 else math.copysign(1.0, z)
        return 0.5 + total / (2 * len(self.centres))

    def quantile(self, share: float) -> float:
        """The age by which the job has ended with probability ``share``."""
        low = min(c - 2 * TAIL_WIDTHS * w for c, w in self._bumps)
        high = max(c + 2 * TAIL_WIDTHS * w for c, w in self._bumps)
        for _ in range(MAX_STEPS):
            if high - low <= INTERVAL_PRECISION:
                break
            middle = (low + high) / 2
            if self.cdf(middle) < share:
                low = middle
            else:
                high = middle
        return high

    def plan(self, age: float, first: float, cap: float, extra_polls: float) -> PollPlan | None:
        """How the forecast shortens intervals from ``age`` on, adding about
        ``extra_polls`` polls to a poll every ``cap`` seconds; None when it adds none.

        Intervals that each carry the same expected lag (interval x chance of the
        end in it) minimise the total lag for a number of polls: near age ``t``
        an interval is then about sqrt(lag_per_poll / density(t)), between
        ``first`` and ``cap``.
        """
        if cap <= first or extra_polls <= 0:
            return None
        times = self._grid(age)
        if len(times) < 2:
            return None
        densities = [self.density(t) for t in times]
        lag_per_poll = _solve_lag_per_poll(times, densities, first, cap, extra_polls)
        if lag_per_poll == math.inf:
            return None
        # Where the density is below a quarter of what makes a capped interval
        # carry lag_per_poll, every interval is the cap: no need to compute it.
        quiet = lag_per_poll / (4 * cap * cap)
        busy = [index for index, density in enumerate(densities) if density > quiet]
        if not busy:
            return None
        return PollPlan(
            lag_per_poll=lag_per_poll,
            first=first,
            cap=cap,
            times=tuple(times),
            pieces=_hermite_pieces(times, [self.cdf(t) for t in times], densities),
            busy_from=times[max(0, busy[0] - 1)],
            busy_until=times[min(len(times) - 1, busy[-1] + 1)],
        )

    def _grid(self, age: float) -> list[float]:
        """Ages from ``age`` on, at most half a bump's width apart wherever that
        bump is, over every bump's range."""
        candidates = sorted(
            (centre + step * width / STEPS_PER_WIDTH, width / STEPS_PER_WIDTH)
            for centre, width in self._bumps
            for step in range(-TAIL_WIDTHS * STEPS_PER_WIDTH, TAIL_WIDTHS * STEPS_PER_WIDTH + 1)
        )
        times = [age]
        for time, spacing in candidates:
            # A point closer than its own bump's spacing to the last one adds nothing.
            if time - times[-1] >= spacing:
                times.append(time)
        return times


@dataclasses.dataclass(frozen=True)
class PollPlan:
    """The forecast tabulated from the wait's start (its distribution at
    ``times``, interpolated between them), and the expected lag each interval may
    carry. Between ``busy_from`` and ``busy_until`` an interval may be shorter
    than the cap."""

    lag_per_poll: float
    first: float
    cap: float
    times: tuple[float, ...]
    # Per interval between two times: the distribution as a cubic in the share
    # of the interval passed, lowest power first.
    pieces: tuple[tuple[float, float, float, float], ...]
    busy_from: float
    busy_until: float

    def ended_by(self, age: float) -> float:
        """The forecast's distribution at ``age``, interpolated."""
        times = self.times
        index = bisect.bisect_right(times, age) - 1
        if index < 0:
            return self.pieces[0][0]
        if index >= len(self.pieces):
            last = self.pieces[-1]
            return last[0] + last[1] + last[2] + last[3]
        start = times[index]
        s = (age - start) / (times[index + 1] - start)
        c0, c1, c2, c3 = self.pieces[index]
        return c0 + s * (c1 + s * (c2 + s * c3))

    def interval(self, age: float) -> float:
        """The longest interval from ``age``, between ``first`` and the cap, that
        carries at most ``lag_per_poll`` of expected lag."""
        first, cap, target = self.first, self.cap, self.lag_per_poll
        if age + cap <= self.busy_from or age >= self.busy_until:
            return cap
        ended = self.ended_by(age)

        def excess(interval: float) -> float:
            return interval * (self.ended_by(age + interval) - ended) - target

        long_excess = excess(cap)
        if long_excess <= 0:
            return cap
        short_excess = excess(first)
        if short_excess >= 0:
            return first
        # The lag carried grows with the interval: regula falsi (the Illinois
        # variant) between the two bounds, ending on the secant's root so that the
        # interval moves smoothly with the history.
        short, long = first, cap
        side = 0
        for _ in range(MAX_STEPS):
            if long - short <= INTERVAL_PRECISION:
                break
            middle = (short * long_excess - long * short_excess) / (long_excess - short_excess)
            if not short < middle < long:
                middle = (short + long) / 2  # rounding stalled the secant
            value = excess(middle)
            if value > 0:
                long, long_excess = middle, value
                if side == -1:
                    short_excess /= 2
                side = -1
            else:
                short, short_excess = middle, value
                if side == 1:
                    long_excess /= 2
                side = 1
        return (short * long_excess - long * short_excess) / (long_excess - short_excess)


def _hermite_pieces(
    times: Sequence[float], values: Sequence[float], slopes: Sequence[float]
) -> tuple[tuple[float, float, float, float], ...]:
    """Cubic Hermite interpolation of a rising function known with its slope at
    ``times``, as one cubic per interval; slopes too steep for the rise between
    two points are scaled down (Fritsch and Carlson), so that every cubic rises."""
    pieces = []
    for index in range(len(times) - 1):
        step = times[index + 1] - times[index]
        low, high = values[index], max(values[index], values[index + 1])
        rise = high - low
        low_slope, high_slope = slopes[index] * step, slopes[index + 1] * step
        if rise <= 0:
            low_slope = high_slope = 0.0
        else:
            alpha, beta = low_slope / rise, high_slope / rise
            if alpha * alpha + beta * beta > 9:
                tau = 3 / math.sqrt(alpha * alpha + beta * beta)
                low_slope, high_slope = tau * low_slope, tau * high_slope
        pieces.append(
            (
                low,
                low_slope,
                3 * rise - 2 * low_slope - high_slope,
                -2 * rise + low_slope + high_slope,
            )
        )
    return tuple(pieces)


def _solve_lag_per_poll(
    times: Sequence[float],
    densities: Sequence[float],
    first: float,
    cap: float,
    extra_polls: float,
) -> float:
    """The lag per poll that adds ``extra_polls`` polls over ``times``: 0 when
    polling every ``first`` wherever an end is possible stays within them.

    Near age t the polls per second are clamp(sqrt(density(t)) * u, 1/cap,
    1/first), u being 1/sqrt(lag_per_poll). Summed over the tabulated points (each
    standing for half the time to its neighbours) the added polls grow with u, and
    linearly between the values of u where a point reaches a bound: the answer is
    found among those values, then interpolated.
    """
    slow, fast = 1 / cap, 1 / first
    last = len(times) - 1
    cells = sorted(
        (
            math.sqrt(density),
            (times[min(last, index + 1)] - times[max(0, index - 1)]) / 2,
        )
        for index, density in enumerate(densities)
        if density > 0
    )
    if not cells:
        return math.inf
    if sum(weight for _, weight in cells) * (fast - slow) <= extra_polls:
        return 0.0
    roots = [root for root, _ in cells]
    # Sums of weights, and of root x weight, below each index of the ascending roots.
    weight_below = [0.0]
    root_weight_below = [0.0]
    for root, weight in cells:
        weight_below.append(weight_below[-1] + weight)
        root_weight_below.append(root_weight_below[-1] + root * weight)

    def added(u: float) -> float:
        quiet = bisect.bisect_right(roots, slow / u)  # these add nothing
        busy = bisect.bisect_left(roots, fast / u)  # from here on, poll every ``first``
        return (
            (weight_below[-1] - weight_below[busy]) * (fast - slow)
            + u * (root_weight_below[busy] - root_weight_below[quiet])
            - slow * (weight_below[busy] - weight_below[quiet])
        )

    breaks = sorted({slow / root for root in roots} | {fast / root for root in roots})
    low, high = 0, len(breaks) - 1
    # added() is 0 at the first break and the most at the last: bisect the breaks.
    while high - low > 1:
        middle = (low + high) // 2
        if added(breaks[middle]) < extra_polls:
            low = middle
        else:
            high = middle
    added_low, added_high = added(breaks[low]), added(breaks[high])
    u = breaks[low] + (breaks[high] - breaks[low]) * (extra_polls - added_low) / (
        added_high - added_low
    )
    return 1 / (u * u)
