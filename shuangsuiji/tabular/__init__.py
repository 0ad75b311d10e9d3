"""Spreadsheets in and out, shared by every import of the system (registries, outside data).

``reader`` streams the cells of an uploaded .xlsx or .csv; ``importing`` turns them into checked rows:
columns with Chinese headers, cell parsers with clear messages, every problem collected by row and column
(``Errors`` / ``ImportRejected``), templates, and the ``Plan`` a valid file becomes; ``annotate`` gives a
rejected file back to its uploader with every problem marked on it, to fix in place.
"""
