"""The work behind the commands and the Python API, apart from parsing and printing:
running a scenario into a results folder (a resume store of finished replications,
cleanup, ``need.csv``), the failed-replication policy and the default targets file.
The CLI (``ketensim.cli``) and the API (``ketensim.api``) both call this layer, so they
behave the same. Submodules are imported where used: this package imports nothing."""
