"""The fixtures of katas/03_quantization, for the benchmarks in this folder."""

from hfkatas.kata_fixtures import kata_fixtures

globals().update(kata_fixtures("03_quantization"))
