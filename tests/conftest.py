import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
sys.path.insert(0, str(TESTS))


@pytest.fixture
def small_trace():
    """A short recorded run of the workshop's network (5 steps)."""
    from nnanim.runs import workshop_run
    return workshop_run(steps=5)
