"""`python -m ketensim.cli ...`."""
import sys

from . import main

sys.exit(main())
