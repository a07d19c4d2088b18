import pytest

@pytest.mark.task("99.1")
def test_add(kata):
    assert kata.add(2, 3) == 5, "2 + 3 should be 5"

@pytest.mark.task("99.2")
def test_pad(kata, zoo):
    tok = kata.pad(zoo.repo_id("tiny-causal"))
    assert tok.pad_token is not None, "the tokenizer has no pad token: set it (for decoder-only models the usual choice is the EOS token)"

@pytest.mark.task("99.2")
def test_net(kata):
    import socket
    kata.add(1, 1)
    socket.create_connection(("8.8.8.8", 53), timeout=1)
