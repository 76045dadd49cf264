"""Loaded by every Python process of the local cloud (lib/ is on their
PYTHONPATH): Nova's services stop without a traceback (see
localcloud_nova_shutdown); on SQLite (LOCALCLOUD_DB=sqlite), see
localcloud_sqlite."""
import os

import localcloud_nova_shutdown

localcloud_nova_shutdown.install()

if os.environ.get('LOCALCLOUD_DB') == 'sqlite':
    import localcloud_sqlite

    localcloud_sqlite.install()
