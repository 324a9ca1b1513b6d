"""The report document: the canonical scan document plus what a reader needs beside it.

Everything here is a pure function of a scan (and, for "what changed", of an
earlier scan): the sections are computed once and stored in the JSON, so the
HTML, PDF and CSV renderers only show them.
"""
