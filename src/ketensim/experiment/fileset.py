"""Writing a set of files as one set moved to ``ketensim.store.fileset`` (the storage layer);
this old import path is the same module object, so existing imports, private names and monkeypatches keep working."""
import sys

from ..store import fileset as _moved
from ..store.fileset import *  # noqa: F401,F403  (the names, for type checkers)

sys.modules[__name__] = _moved
