"""The yardstick of scripts/bench/throughput.py: a bare Flask app that renders 20 rows of Civic's
database (BASELINE_DATABASE_URL, the same SQLite file or PostgreSQL database the app is measured
on) into a small HTML page. No sessions, no log-in, no translations, no hooks: what any Flask page
costs at least, so that the ratio of Civic's req/s to this one says what Civic adds.

    BASELINE_DATABASE_URL=sqlite:///instance/civic.sqlite3 gunicorn --workers 2 scripts.bench.baseline:app
"""
import os

from flask import Flask
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

engine = create_engine(os.environ["BASELINE_DATABASE_URL"])
app = Flask(__name__)
# Compiled once, as Flask's render_template keeps a template file compiled: the yardstick must not pay
# for a compilation on each request that no real page pays for.
template = app.jinja_env.from_string(PAGE)


@app.route("/")
def rows():
    with engine.connect() as connection:
        found = connection.execute(text("SELECT id, title, created_at FROM proposal ORDER BY id DESC LIMIT 20")).all()
    return template.render(rows=found)
