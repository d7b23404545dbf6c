"""What the processes are to the other packages: their pages in sitemap.xml."""
from sqlalchemy import select

from ..opendata import sitemap
from .models import Process

# Every process's page: anybody may open each of them (rules.py).
sitemap.register(sitemap.RecordPages("processes", "processes.detail", "process_id", order=30,
                                     query=lambda: select(Process.id)))
