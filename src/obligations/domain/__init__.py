"""The event log: facts, their data models and the aggregates (streams) that hold them."""
