import atexit
import gc
import os
import shutil
import tempfile

import pytest

# The tests load many copies of the knowledge base; their caches go to a folder of this
# run (removed at exit), not to the user's ~/.cache. Subprocesses inherit it.
_CACHE = tempfile.mkdtemp(prefix="aanpakwijzer-test-cache-")
os.environ["AANPAKWIJZER_CACHE"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, True)

from expert import Advisor  # noqa: E402


@pytest.fixture(scope="session")
def advisor():
    return Advisor()


@pytest.fixture(autouse=True)
def _collector_restored():
    # a one-shot CLI command (expert/cli.py one_shot) turns the cyclic collector off for its
    # process; run in-process by a test, it must not leave it off for the tests after it
    enabled = gc.isenabled()
    yield
    if enabled:
        gc.enable()
