"""The kata-testing toolkit: what kata tests and benchmarks share.

- `plugin`: the pytest plugin with the canonical zoo-model fixtures (`tiny_llama`, `smollm2`,
  `minilm`, their `stand_in_*` GPU stand-ins) and `expect_error`.
- `models`: `ZooModel`, the one loader `load_causal_lm(repo_id, precision="fp32")`.
- `expect`: `expect_error(type, call, fix, mentions=())`, `value_error_naming`.
- `processes`: `run_process_group`, the one bounded subprocess runner (process group killed).
- `generation`: watchers of generate / forward, `greedy_continuation`, `count_new_tokens`.
- `stand_in`: the `meta`-device GPU stand-in and `check_inputs_on_the_model`.
- `quiet`: library-noise filters and process-wide settings, applied once per run.
- `quantization`, `production`: what kata 03 and kata 06 share with their benchmarks.

Nothing here imports torch or transformers at package import: the plugin loads before the kata
plugin has isolated the Hugging Face environment.
"""
