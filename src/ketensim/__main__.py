"""`python -m ketensim ...`, the same as the `ketensim` command."""
import sys

from .cli import main

sys.exit(main())
