"""The course's definition: each kata's manifest (`curriculum.py`), the static checks every kata
must pass (`contract.py`), and the shipped learner mistakes and alternatives (`variants.py`)."""
