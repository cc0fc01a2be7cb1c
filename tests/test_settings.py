"""Settings: declared once, read from the environment, every one documented in the README."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.errors import InvalidInput
from checker.settings import Settings
from tests.conftest import REPO


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text()
    missing = [env for _, env, _, _ in Settings.describe() if f"`{env}`" not in readme]
    assert missing == []


def test_environment_then_overrides() -> None:
    settings = Settings.from_env(
        {"CHECKER_INDEX": "/srv/news", "CHECKER_K": "7", "CHECKER_MIN_CONFIDENCE": "0.6"},
        k=9,
        port=None,
    )
    assert settings.index == Path("/srv/news")
    assert settings.k == 9 and settings.min_confidence == 0.6 and settings.port == 8000


def test_a_bad_environment_value_names_the_variable() -> None:
    with pytest.raises(InvalidInput, match="CHECKER_PORT='http'"):
        Settings.from_env({"CHECKER_PORT": "http"})


@pytest.mark.parametrize(
    ("raw", "value"), [("1", True), ("Yes", True), ("off", False), ("", False)]
)
def test_a_boolean_setting_reads_the_usual_words(raw: str, value: bool) -> None:
    assert Settings.from_env({"CHECKER_OPEN_READS": raw}).open_reads is value


def test_a_bad_boolean_names_the_variable() -> None:
    with pytest.raises(InvalidInput, match="CHECKER_OPEN_READS='maybe' is not a valid bool"):
        Settings.from_env({"CHECKER_OPEN_READS": "maybe"})
