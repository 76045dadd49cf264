"""Create Neutron's SQLite database (first start of the local cloud).

Neutron's alembic migrations alter tables in ways SQLite cannot (no
batch mode), so ``neutron-db-manage upgrade heads`` fails on SQLite.
Neutron's own tests make their SQLite schema from the models instead;
so does this: every model (``neutron.db.migration.models.head``, which
imports the plugins' and service plugins' models too) ``create_all``,
then ``neutron-db-manage stamp heads`` (run by ``localcloud``) records
the schema as the current release's.

    python localcloud_neutron_db.py SQLALCHEMY_URL
"""
import sys


def main(url):
    import sqlalchemy

    from neutron.db.migration.models import head

    engine = sqlalchemy.create_engine(url)
    head.get_metadata().create_all(engine)
    engine.dispose()
    print('neutron: %d tables created' % len(head.get_metadata().tables))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
