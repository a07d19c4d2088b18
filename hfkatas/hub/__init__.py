"""A local, Hub-compatible HTTP server that the real `huggingface_hub`, `transformers`, `peft` and
`datasets` clients talk to through `HF_ENDPOINT`.

Modules: `app` (routes), `storage`/`blobs`/`atomic` (durable content-addressed repos), `auth`
(tokens and access rules), `lfs` (Git LFS basic upload), `cli` (`katas hub serve`), `testing`
(fixtures: run a Hub in a thread or a process and point the clients at it).
"""
