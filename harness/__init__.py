"""The composition root: starts fake ilert, fake Slack and the connector, seeds and drives them."""
