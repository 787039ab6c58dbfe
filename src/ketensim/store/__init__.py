"""The storage layer: the only code that opens result files (result folders and run stores,
file sets written as one, atomic writes, checksums). It imports only the model's inputs
(``scenario``), never analysis, report, experiment or the front ends (``make lint``)."""
