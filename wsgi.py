"""Entry point for servers (gunicorn wsgi:app) and the flask command (flask --app wsgi ...).

CIVIC_ENV must say which settings to run (development, production): a server started
without it would otherwise run the development settings, insecure cookies included.
"""
import os
import sys

from civic import create_app

if not os.environ.get("CIVIC_ENV"):
    sys.exit("Civic: set CIVIC_ENV to development or production (for example CIVIC_ENV=production gunicorn wsgi:app).")

app = create_app()
