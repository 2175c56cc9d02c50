"""obligations: an event-sourced tracker of what an employment agreement makes each side owe, and when."""

__version__ = "0.1.0"
