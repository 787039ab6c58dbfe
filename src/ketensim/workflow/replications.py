"""The failed-replication policy moved to ``ketensim.experiment.replications`` (calibration, below the workflow, uses it too);
this old import path is the same module object, so existing imports, private names and monkeypatches keep working."""
import sys

from ..experiment import replications as _moved
from ..experiment.replications import *  # noqa: F401,F403  (the names, for type checkers)

sys.modules[__name__] = _moved
