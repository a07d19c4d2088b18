"""Real labelled data for the katas, fetched from PyPI with pip and cached under the toolkit home.

- `hfkatas.data.movie_reviews`: 10,605 movie-review snippets with mean human sentiment ratings
  (-4..+4) from the `vadersentiment==3.3.2` source distribution (MIT, Hutto & Gilbert, ICWSM 2014).
"""
