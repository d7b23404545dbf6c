"""Entry point for servers (gunicorn wsgi:app) and the flask command (flask --app wsgi ...).

CIVIC_ENV must say which settings to run (development, production): a server started
without it would otherwise run the development settings, insecure cookies included, and the
testing settings are the test suite's only.
"""
import os
import sys

from civic import create_app

# "testing" is for the test suite only: its secret key is published and its limits are out of reach.
if os.environ.get("CIVIC_ENV", "").strip().lower() not in ("development", "production"):
    sys.exit("Civic: set CIVIC_ENV to development or production (for example CIVIC_ENV=production gunicorn wsgi:app).")

app = create_app()
