"""A local, Hub-compatible HTTP server that the real `huggingface_hub`, `transformers`, `peft` and
`datasets` clients talk to through `HF_ENDPOINT`.

Modules: `app` (the application and its 501 catch-all), `routes_repos` / `routes_refs` /
`routes_manage` / `routes_commit` / `routes_files` (the API), `schema` (type checks of JSON bodies),
`storage`/`blobs`/`atomic` (durable content-addressed repos), `auth` (tokens and access rules),
`lfs` (Git LFS basic upload), `cli` (`katas hub serve`), `testing` (fixtures: run a Hub in a
thread or a process and point the clients at it).
"""
