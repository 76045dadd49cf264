"""SQLite write transactions that wait instead of failing.

oslo.db opens every SQLite transaction with a plain (deferred) ``BEGIN``.
A transaction that reads and then writes (Nova's instance updates do)
holds a read snapshot; if another connection commits first, its write
fails at once with ``database is locked`` (SQLITE_BUSY_SNAPSHOT), whatever
the busy timeout: waiting cannot help a stale snapshot.  Under concurrent
server builds Nova's conductor failed such updates, and the server or
snapshot being built failed with them.

``BEGIN IMMEDIATE`` takes the write lock when the transaction starts, so a
second writer waits (up to the connection's ``timeout``) and then reads
fresh data.  With WAL journal mode, plain reads outside a transaction still
run beside the writer.  ``install()`` makes every ``sqlite3`` connection
of this process rewrite exactly ``BEGIN`` to ``BEGIN IMMEDIATE``; it is
called from ``sitecustomize`` (this directory is on the services'
PYTHONPATH).
"""
import sqlite3


class _Cursor(sqlite3.Cursor):
    def execute(self, sql, *args):
        if sql == 'BEGIN':
            sql = 'BEGIN IMMEDIATE'
        return super().execute(sql, *args)


class ImmediateConnection(sqlite3.Connection):
    def cursor(self, factory=_Cursor):
        return super().cursor(factory)

    def execute(self, sql, *args):
        return self.cursor().execute(sql, *args)


def install():
    if getattr(sqlite3.connect, '_localcloud', False):
        return
    real_connect = sqlite3.connect

    def connect(*args, **kwargs):
        kwargs.setdefault('factory', ImmediateConnection)
        return real_connect(*args, **kwargs)

    connect._localcloud = True
    sqlite3.connect = sqlite3.dbapi2.connect = connect
