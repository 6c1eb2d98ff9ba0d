"""The summary of one row's rounds, with the fields and quartile rule of pytest-benchmark's
``stats`` (so its tools read the JSON as their own): seconds per op, one sample per round."""

from __future__ import annotations

import statistics
from bisect import bisect_left, bisect_right
from dataclasses import dataclass


@dataclass(frozen=True)
class Stats:
    """Seconds per op over the rounds of one (op, implementation)."""

    data: tuple[float, ...]
    iterations: int
    """Ops per round (every round of a row has the same count)."""

    def __post_init__(self) -> None:
        if not self.data:
            raise ValueError("a row without rounds has no statistics")

    @property
    def rounds(self) -> int:
        return len(self.data)

    @property
    def sorted(self) -> list[float]:
        return sorted(self.data)

    @property
    def min(self) -> float:
        return min(self.data)

    @property
    def max(self) -> float:
        return max(self.data)

    @property
    def mean(self) -> float:
        return statistics.fmean(self.data)

    @property
    def median(self) -> float:
        return statistics.median(self.data)

    @property
    def stddev(self) -> float:
        return statistics.stdev(self.data) if self.rounds > 1 else 0.0

    @property
    def q1(self) -> float:
        return _quartile(self.sorted, lower=True)

    @property
    def q3(self) -> float:
        return _quartile(self.sorted, lower=False)

    @property
    def iqr(self) -> float:
        return self.q3 - self.q1

    @property
    def ld15iqr(self) -> float:
        """The lowest sample within 1.5 IQR below the first quartile."""
        data = self.sorted
        return data[bisect_left(data, self.q1 - 1.5 * self.iqr)]

    @property
    def hd15iqr(self) -> float:
        """The highest sample within 1.5 IQR above the third quartile."""
        data = self.sorted
        return data[bisect_right(data, self.q3 + 1.5 * self.iqr) - 1]

    @property
    def iqr_outliers(self) -> int:
        low, high = self.q1 - 1.5 * self.iqr, self.q3 + 1.5 * self.iqr
        return sum(1 for x in self.data if x < low or x > high)

    @property
    def stddev_outliers(self) -> int:
        low, high = self.mean - self.stddev, self.mean + self.stddev
        return sum(1 for x in self.data if x < low or x > high)

    @property
    def total(self) -> float:
        """Seconds spent in the timed rounds."""
        return sum(self.data) * self.iterations

    @property
    def ops(self) -> float:
        """Ops per second at the mean."""
        return 1.0 / self.mean if self.mean > 0 else 0.0

    def as_pytest_benchmark(self) -> dict[str, object]:
        """The ``stats`` object of a pytest-benchmark JSON benchmark."""
        return {
            "min": self.min,
            "max": self.max,
            "mean": self.mean,
            "stddev": self.stddev,
            "rounds": self.rounds,
            "median": self.median,
            "iqr": self.iqr,
            "q1": self.q1,
            "q3": self.q3,
            "iqr_outliers": self.iqr_outliers,
            "stddev_outliers": self.stddev_outliers,
            "outliers": f"{self.stddev_outliers};{self.iqr_outliers}",
            "ld15iqr": self.ld15iqr,
            "hd15iqr": self.hd15iqr,
            "ops": self.ops,
            "total": self.total,
            "iterations": self.iterations,
            "data": list(self.data),
        }


def _quartile(data: list[float], *, lower: bool) -> float:
    """The first or third quartile of sorted ``data``: with an even count the median of that
    half (Wikipedia's "Computing methods", method 2), with an odd count the weighted mean of the
    two samples around it (method 3), as pytest-benchmark computes them."""
    rounds = len(data)
    if rounds == 1:
        return data[0]
    if rounds % 2 == 0:
        half = rounds // 2
        return statistics.median(data[:half] if lower else data[half:])
    k, rest = divmod(rounds, 4)
    if rest == 1:
        if lower:
            return 0.25 * data[k - 1] + 0.75 * data[k]
        return 0.75 * data[3 * k] + 0.25 * data[3 * k + 1]
    if lower:
        return 0.75 * data[k] + 0.25 * data[k + 1]
    return 0.25 * data[3 * k + 1] + 0.75 * data[3 * k + 2]
