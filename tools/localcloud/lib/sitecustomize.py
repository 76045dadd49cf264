"""Loaded by every Python process of the local cloud (lib/ is on their
PYTHONPATH): on SQLite (LOCALCLOUD_DB=sqlite), see localcloud_sqlite."""
import os

if os.environ.get('LOCALCLOUD_DB') == 'sqlite':
    import localcloud_sqlite

    localcloud_sqlite.install()
