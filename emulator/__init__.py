"""Fake ilert and fake Slack: stateful emulators that speak the real services' HTTP protocols."""
