"""The yardstick of scripts/bench/throughput.py: a bare Flask app that renders 20 rows of Civic's
database (BASELINE_DATABASE_URL, the same SQLite file or PostgreSQL database the app is measured
on) into a small HTML page. No sessions, no log-in, no translations, no hooks: what any Flask page
costs at least, so that the ratio of Civic's req/s to this one says what Civic adds.

Two pages, that differ only in the template's compilation:
- ``/compiling`` compiles the template on every request (``render_template_string``): the
  baseline issue 11 was measured against (about 180 req/s, 1.9 ms in-process);
- ``/`` compiles it once, as Flask keeps a template file compiled: the stricter yardstick, a
  fraction of a millisecond, which no page with a layout, sessions and translations comes near.

    BASELINE_DATABASE_URL=sqlite:///instance/civic.sqlite3 gunicorn --workers 2 "scripts.bench.baseline:create_app()"

scripts/bench/profile_pages.py calls create_app(url) in its own process, to time it beside Civic's pages.
"""
import os

from flask import Flask, render_template_string
from sqlalchemy import create_engine, text

PAGE = """<!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><title>Propositions</title></head>
<body>
<main>
<h1>Propositions</h1>
<ul>
{% for row in rows %}
<li><a href="/proposals/{{ row.id }}">{{ row.title }}</a> ({{ row.created_at }})</li>
{% endfor %}
</ul>
</main>
</body>
</html>
"""



def create_app(database_url=None):
    engine = create_engine(database_url or os.environ["BASELINE_DATABASE_URL"])
    app = Flask(__name__)
    template = app.jinja_env.from_string(PAGE)

    def rows():
        with engine.connect() as connection:
            return connection.execute(text("SELECT id, title, created_at FROM proposal ORDER BY id DESC LIMIT 20")).all()

    @app.route("/")
    def compiled_once():
        return template.render(rows=rows())

    @app.route("/compiling")
    def compiling():
        return render_template_string(PAGE, rows=rows())

    return app
