"""Binds every scenario under features/ to the step definitions in this folder's conftest."""

from pathlib import Path

from pytest_bdd import scenarios

scenarios(str(Path(__file__).resolve().parents[2] / "features"))
