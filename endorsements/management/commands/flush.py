"""Django's flush, able to empty the append-only tables on SQLite.

On PostgreSQL flush uses TRUNCATE, which the row triggers that protect signed
endorsements do not see. SQLite empties tables with DELETE, which they do see;
this marks the connection as flushing (a temporary table, visible only to this
connection) so the delete triggers stand aside for the flush alone.
"""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import DEFAULT_DB_ALIAS, connections

MARK = "keepitlocal_flushing"


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {MARK} (x integer)")
        try:
            return super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS temp.{MARK}")
