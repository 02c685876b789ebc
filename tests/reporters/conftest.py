"""Fixtures for the reporter tests: the sample result, fresh for each test (reporters must not mutate it)."""

from __future__ import annotations

import pytest

import reporter_sample
from apiscan.models.findings import ScanResult


@pytest.fixture
def result() -> ScanResult:
    return reporter_sample.build_result()


@pytest.fixture
def empty_result() -> ScanResult:
    return reporter_sample.empty_result()
