"""Reminders: the policy, the outbox planned from the read models, the dispatcher and its channels, the clock."""
