"""Scoring weights and thresholds: one config, with defaults in data/scoring.toml."""

from __future__ import annotations

import hashlib
import json
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import ConfigError
from ..labels import AntiPattern, Requirement


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MeetingConfig(_Frozen):
    min_turns: int = Field(ge=1)
    active_min_turns: int = Field(ge=1)
    evidence_turns: float = Field(gt=0)


class RequirementConfig(_Frozen):
    target_rate: float = Field(gt=0)
    breadth_target: int = Field(ge=1)
    volume_weight: float = Field(ge=0)
    breadth_weight: float = Field(ge=0)

    @model_validator(mode="after")
    def _weights_sum_to_one(self) -> RequirementConfig:
        if abs(self.volume_weight + self.breadth_weight - 1.0) > 1e-6:
            raise ValueError("volume_weight + breadth_weight must be 1")
        return self


class PenaltyConfig(_Frozen):
    label: AntiPattern
    requirement: Requirement
    weight: float = Field(ge=0, le=1)
    scale: float = Field(gt=0)


class OverallConfig(_Frozen):
    purpose: float = Field(ge=0)
    dissent: float = Field(ge=0)
    ownership: float = Field(ge=0)
    candor: float = Field(ge=0)
    balance: float = Field(ge=0)

    @model_validator(mode="after")
    def _weights_sum_to_one(self) -> OverallConfig:
        total = self.purpose + self.dissent + self.ownership + self.candor + self.balance
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"overall weights must sum to 1, not {total:g}")
        return self


class IndexConfig(_Frozen):
    """From the weighted mean to the index: anti-patterns, then the stretch."""

    tolerance: float = Field(ge=0)
    resignation: float = Field(ge=0)
    blame: float = Field(ge=0)
    silencing: float = Field(ge=0)
    floor: float = Field(ge=0, lt=100)
    ceiling: float = Field(gt=0, le=100)

    @model_validator(mode="after")
    def _floor_below_ceiling(self) -> IndexConfig:
        if self.floor >= self.ceiling:
            raise ValueError("index floor must be below its ceiling")
        return self


class BandConfig(_Frozen):
    name: str
    min: float = Field(ge=0, le=100)


class EvidenceConfig(_Frozen):
    show: int = Field(ge=0)


class JudgeConfig(_Frozen):
    """When there is enough of a meeting to judge (see ``scorecard.assess``)."""

    min_turns: int = Field(ge=1)
    min_words: int = Field(ge=0)
    unnamed_share: float = Field(ge=0, le=1)
    presentation_share: float = Field(gt=0, le=1)
    long_turn_words: int = Field(ge=1)
    long_turn_share: float = Field(ge=0, le=1)
    qa_presenter_share: float = Field(gt=0, le=1)
    qa_min_turns: int = Field(ge=1)
    qa_min_words: int = Field(ge=0)


class ScoringConfig(_Frozen):
    """Every weight the scorecard uses. Load with :func:`load_config`."""

    version: str
    meeting: MeetingConfig
    requirements: dict[Requirement, RequirementConfig]
    penalties: list[PenaltyConfig]
    overall: OverallConfig
    index: IndexConfig
    bands: list[BandConfig]
    evidence: EvidenceConfig
    judge: JudgeConfig

    @model_validator(mode="after")
    def _complete(self) -> ScoringConfig:
        missing = {"purpose", "dissent", "ownership", "candor"} - set(self.requirements)
        if missing:
            raise ValueError(f"requirements missing: {', '.join(sorted(missing))}")
        if not self.bands or self.bands[0].min != 0:
            raise ValueError("bands must start at min = 0")
        if [b.min for b in self.bands] != sorted(b.min for b in self.bands):
            raise ValueError("bands must be listed in increasing min")
        return self

    @property
    def digest(self) -> str:
        """A short hash of the effective config, so results name what made them."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:12]

    def band(self, score: float) -> str:
        name = self.bands[0].name
        for band in self.bands:
            if score >= band.min:
                name = band.name
        return name


def _defaults() -> dict[str, Any]:
    text = resources.files("transcript_lens").joinpath("data/scoring.toml").read_text("utf-8")
    return tomllib.loads(text)


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def read_toml(path: Path, *, what: str, option: str, hint: str | None = None) -> dict[str, Any]:
    """A user's TOML file (a ``--config``, a ``--speakers`` map), or a ConfigError.

    ``what`` names the file in the message ("config"), ``option`` the flag to
    check when it cannot be read, ``hint`` what to do when it is not TOML.
    """
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except OSError as error:
        raise ConfigError(
            f"cannot read {what}: {error.strerror or error}",
            path=path,
            hint=f"check the {option} path",
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"not valid TOML: {error}", path=path, hint=hint) from None


def load_config(path: str | Path | None = None) -> ScoringConfig:
    """Return the default config, with the tables in ``path`` (TOML) laid over it.

    Tables merge key by key; arrays (penalties, bands) replace the default array.
    """
    data = _defaults()
    if path is not None:
        path = Path(path)
        data = _merge(data, read_toml(path, what="config", option="--config"))
    try:
        return ScoringConfig.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ConfigError(
            f"invalid scoring config at {where}: {first['msg']}",
            path=path,
            hint="see docs/scoring.md for the keys and their ranges",
        ) from None


def builtin_config_for(scoring: str) -> ScoringConfig | None:
    """The built-in config, if it is the one a card's ``producer.scoring`` names
    (its version and digest, before any ``+people-`` or ``+corrected-`` mark);
    None for a card scored with another config or another version."""
    config = load_config()
    made = f"{config.version}/{config.digest}"
    return config if scoring == made or scoring.startswith(made + "+") else None
