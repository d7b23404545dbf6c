"""Entry point for servers (gunicorn wsgi:app) and the flask command (flask --app wsgi ...)."""
from civic import create_app

app = create_app()
