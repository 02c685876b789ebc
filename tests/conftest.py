import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"

requires_shared = pytest.mark.skipif(not SHARED.exists(), reason="../shared is not present (a user's clone)")
