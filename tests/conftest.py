import atexit
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
