import pytest

from expert import Advisor


@pytest.fixture(scope="session")
def advisor():
    return Advisor()
