"""Use cases on the eventsourcing Application: import, record, status, history, agreements."""
