"""What the processes are to the other packages: their pages in sitemap.xml."""
from sqlalchemy import select

from ..opendata import sitemap
from .models import PUBLISHED, Process

# Every published process's page: anybody may open each of them (rules.py; a draft is the staff's).
sitemap.register(sitemap.RecordPages("processes", "processes.detail", "process_id", order=30,
                                     query=lambda: select(Process.id).where(PUBLISHED)))
