"""The analysis layer: statistics of weekly results, below the report and above the store.

Windows (``windows``, ``stats.Window``), window statistics and their 95% intervals
(``stats``, with ``stats.WindowFigure`` the one type of "a statistic of summed metrics over a
window"), summaries (``summary``), the letter's targets and their comparison (``targets``),
what binds (``binding``), differences between scenarios (``diff``), the weekly bands of the
plots (``weekly_bands``) and the registry's key figures (``registry``). It computes; it opens no
result file; ``report`` renders what it returns.
"""
