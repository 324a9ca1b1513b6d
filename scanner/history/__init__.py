"""History of scans: the SQLite store and the diff between two runs."""
