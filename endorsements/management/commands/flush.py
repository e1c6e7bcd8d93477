"""Django's flush, able to empty the append-only tables on SQLite.

On PostgreSQL flush uses TRUNCATE, which the row triggers that protect signed
endorsements do not see. SQLite empties tables with DELETE, which they do see;
this puts a row in a marker table (migration 0002) for the length of the
flush, and the delete triggers stand aside while it is there.
"""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import DEFAULT_DB_ALIAS, connections

MARK = "endorsements_flushing"


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        if MARK not in connection.introspection.table_names():
            return super().handle(**options)
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {MARK} (started) VALUES (1)")  # noqa: S608
        try:
            return super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {MARK}")  # noqa: S608
