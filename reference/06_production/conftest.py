"""The fixtures of katas/06_production, for the benchmarks in this folder."""

from hfkatas.kata_fixtures import kata_fixtures

globals().update(kata_fixtures("06_production"))
