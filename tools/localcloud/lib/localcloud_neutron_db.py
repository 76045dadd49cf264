"""Create Neutron's SQLite database (first start of the local cloud).

Neutron's alembic migrations alter tables in ways SQLite cannot (no
batch mode), so ``neutron-db-manage upgrade heads`` fails on SQLite.
Neutron's own tests make their SQLite schema from the models instead;
so does this: every model (``neutron.db.migration.models.head``, which
imports the plugins' and service plugins' models too) ``create_all``,
then ``neutron-db-manage stamp heads`` (in this process: one import of
Neutron) records the schema as the current release's.

    python localcloud_neutron_db.py SQLALCHEMY_URL NEUTRON_CONF
"""
import sys


def main(url, conf):
    from neutron.db.migration import cli
    from neutron.db.migration.models import head
    import sqlalchemy

    engine = sqlalchemy.create_engine(url)
    head.get_metadata().create_all(engine)
    engine.dispose()
    print('neutron: %d tables created' % len(head.get_metadata().tables))
    sys.argv = ['neutron-db-manage', '--config-file', conf, 'stamp', 'heads']
    cli.main()
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1], sys.argv[2]))
