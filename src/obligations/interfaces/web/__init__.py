"""The dashboard: server-rendered pages behind the API tokens."""
