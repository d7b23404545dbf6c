"""Running Civic: the health endpoint monitoring asks (/healthz) and the backups (flask backup, flask restore)."""
