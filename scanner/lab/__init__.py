"""The local lab: fictional providers served by real servers on loopback.

Used by ``vetscan demo``, the test suite and the benchmarks alike.
"""
