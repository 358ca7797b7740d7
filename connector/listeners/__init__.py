"""Bolt listeners by Slack surface; each module has `register(app, ...)`."""
