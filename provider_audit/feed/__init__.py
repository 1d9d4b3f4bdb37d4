"""The rules feed: a published bundle of the rules, checked and installed into a local data directory.

Scans never touch the network: ``rules update`` is the one step that downloads (``update.py``), checks
(``bundle.py``) and installs (``store.py``) a bundle; ``data/resources.py`` then chooses the newest
valid rules (installed bundle or shipped rules) for every scan.
"""


class FeedError(Exception):
    """A bundle cannot be built, fetched, checked or installed; ``str()`` is one line for the user."""
