"""The reference ilert Slack app: Flask + Bolt between fake ilert and fake Slack."""
