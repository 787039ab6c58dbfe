"""``Results`` moved to ``ketensim.experiment.results`` (below the workflow and the front ends that use it);
this old import path is the same module object, so existing imports, private names and monkeypatches keep working."""
import sys

from .experiment import results as _moved
from .experiment.results import *  # noqa: F401,F403  (the names, for type checkers)

sys.modules[__name__] = _moved
