"""Loaded by every Python process of the local cloud (lib/ is on their
PYTHONPATH): see localcloud_sqlite."""
import localcloud_sqlite

localcloud_sqlite.install()
