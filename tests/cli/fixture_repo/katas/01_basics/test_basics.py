import pytest


@pytest.mark.task("1.1")
@pytest.mark.timeout(10)
def test_add(kata):
    assert kata.add(2, 40) == 42, "add(2, 40) should be 42: return a + b"


@pytest.mark.task("1.2")
@pytest.mark.timeout(10)
def test_shout(kata):
    assert kata.shout("hi there") == "HI THERE", "shout should upper-case the text"
