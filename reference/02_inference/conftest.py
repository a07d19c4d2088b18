"""The fixtures of katas/02_inference, for the benchmarks in this folder."""

from hfkatas.kata_fixtures import kata_fixtures

globals().update(kata_fixtures("02_inference"))
