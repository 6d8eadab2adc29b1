"""Small distribution objects for handle times and patience in the simulator.

Every distribution describes a non-negative duration in **seconds** and is parameterised by its mean
(``mean_s``) and, where it has one, its coefficient of variation ``cv`` = standard deviation / mean
(dimensionless). They are immutable, picklable (so they travel to worker processes and Dask workers)
and draw with a caller-supplied :class:`numpy.random.Generator`, so the simulator controls every
random stream.

- :class:`Exponential` (``mean_s``): cv = 1, memoryless; the Erlang C / A assumption.
- :class:`LogNormal` (``mean_s``, ``cv``): right-skewed; typical of measured handle times.
- :class:`Gamma` (``mean_s``, ``cv``): cv < 1 is more regular than exponential, cv > 1 less.
- :class:`Empirical` (``samples_s``): resamples the given durations with replacement (bootstrap).

``cv = 0`` gives a constant duration for :class:`LogNormal` and :class:`Gamma`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Distribution", "Exponential", "LogNormal", "Gamma", "Empirical"]


def _check_mean(mean_s: float, name: str = "mean_s") -> float:
    try:
        value = float(mean_s)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number of seconds, got {mean_s!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number of seconds > 0, got {mean_s!r}")
    return value


def _check_cv(cv: float) -> float:
    try:
        value = float(cv)
    except (TypeError, ValueError):
        raise ValueError(f"cv must be a number >= 0, got {cv!r}") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"cv (coefficient of variation) must be finite and >= 0, got {cv!r}")
    return value


class Distribution:
    """Base class: a non-negative duration in seconds with ``mean_s`` and ``cv``."""

    mean_s: float

    @property
    def cv(self) -> float:  # pragma: no cover - overridden
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` independent durations (seconds) as a float64 array."""
        raise NotImplementedError  # pragma: no cover


@dataclass(frozen=True)
class Exponential(Distribution):
    """Exponential duration with mean ``mean_s`` seconds (cv = 1)."""

    mean_s: float

    def __post_init__(self):
        object.__setattr__(self, "mean_s", _check_mean(self.mean_s))

    @property
    def cv(self) -> float:
        return 1.0

    def sample(self, rng, size):
        return rng.exponential(self.mean_s, size)


@dataclass(frozen=True)
class _MeanCV(Distribution):
    """A duration given by its mean ``mean_s`` (seconds) and coefficient of variation ``cv``;
    cv = 0 is the constant ``mean_s``."""

    mean_s: float
    cv: float = 1.0

    def __post_init__(self):
        object.__setattr__(self, "mean_s", _check_mean(self.mean_s))
        object.__setattr__(self, "cv", _check_cv(self.cv))

    def sample(self, rng, size):
        if self.cv == 0:
            return np.full(size, self.mean_s)
        return self._sample(rng, size)


@dataclass(frozen=True)
class LogNormal(_MeanCV):
    """Lognormal duration with mean ``mean_s`` seconds and coefficient of variation ``cv``.

    Underlying normal: sigma^2 = ln(1 + cv^2), mu = ln(mean_s) - sigma^2 / 2.
    """

    def _sample(self, rng, size):
        sigma2 = math.log1p(self.cv**2)
        return rng.lognormal(math.log(self.mean_s) - sigma2 / 2, math.sqrt(sigma2), size)


@dataclass(frozen=True)
class Gamma(_MeanCV):
    """Gamma duration with mean ``mean_s`` seconds and coefficient of variation ``cv``.

    Shape = 1 / cv^2, scale = mean_s * cv^2; cv = 1 is the exponential.
    """

    def _sample(self, rng, size):
        return rng.gamma(1.0 / self.cv**2, self.mean_s * self.cv**2, size)


@dataclass(frozen=True, eq=False)
class Empirical(Distribution):
    """Resamples the given durations ``samples_s`` (seconds, >= 0) with replacement."""

    samples_s: np.ndarray = field(repr=False)

    def __post_init__(self):
        try:
            values = np.asarray(self.samples_s, dtype=float).ravel()
        except (TypeError, ValueError):
            raise ValueError("samples_s must be a sequence of durations in seconds") from None
        if values.size == 0:
            raise ValueError("samples_s must hold at least one duration")
        if not np.all(np.isfinite(values)) or np.any(values < 0):
            raise ValueError("samples_s must be finite durations >= 0 seconds")
        if values.mean() <= 0:
            raise ValueError("samples_s must have a mean > 0 seconds")
        values = values.copy()
        values.flags.writeable = False
        object.__setattr__(self, "samples_s", values)

    @property
    def mean_s(self) -> float:
        return float(self.samples_s.mean())

    @property
    def cv(self) -> float:
        return float(self.samples_s.std() / self.samples_s.mean())

    def sample(self, rng, size):
        return self.samples_s[rng.integers(0, self.samples_s.size, size)]

    def __repr__(self):
        return f"Empirical(n={self.samples_s.size}, mean_s={self.mean_s:.6g}, cv={self.cv:.3g})"

