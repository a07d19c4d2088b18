"""The warm worker that runs kata tests for the `katas` command: `client.py` (the command's
side), `server.py` (the worker process), `protocol.py` (the messages between them) and
`events.py` (the pytest plugin that streams a run's progress as events)."""
