import os

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from psycopg import sql


class Command(BaseCommand):
    help = "Check that the database server answers and create the portal's database if it is missing."

    def handle(self, *args, **options):
        db = settings.DATABASES["default"]
        source = "DATABASE_URL" if os.environ.get("DATABASE_URL") else "the embedded PostgreSQL under var/pgdata"
        params = {
            "dbname": "postgres",
            "user": db.get("USER") or None,
            "password": db.get("PASSWORD") or None,
            "host": db.get("HOST") or None,
            "port": db.get("PORT") or None,
            "connect_timeout": 5,
        }
        try:
            connection = psycopg.connect(**params)
        except psycopg.Error as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise CommandError(f"Cannot connect to {source}: {reason}") from None
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
                if cursor.fetchone() is None:
                    cursor.execute(sql.SQL("CREATE DATABASE {} ENCODING 'UTF8'").format(sql.Identifier(db["NAME"])))
                    self.stdout.write(f"Created database {db['NAME']}.")
        except psycopg.Error as error:
            raise CommandError(f"{source}: cannot create database {db['NAME']}: {str(error).strip()}") from None
        finally:
            connection.close()
        self.stdout.write(f"Database {db['NAME']} is ready ({source}).")
