"""The fixtures of katas/04_lora, for the benchmarks in this folder."""

from hfkatas.kata_fixtures import kata_fixtures

globals().update(kata_fixtures("04_lora"))
