"""Reading and writing result stores moved to ``ketensim.store.files`` (the storage layer, below report and analysis);
this old import path is the same module object, so existing imports, private names and monkeypatches keep working."""
import sys

from ..store import files as _moved
from ..store.files import *  # noqa: F401,F403  (the names, for type checkers)

sys.modules[__name__] = _moved
