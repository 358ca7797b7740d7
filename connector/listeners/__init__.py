"""Bolt listeners, one module per Slack surface: `commands`, `actions` (buttons, selects and
their options), `views` (modals), `events` (the Events API). Each has `register(app, …)`;
`connector.slack_app` calls them. What they share is in `common`; the channel menu's rules are
in `menu`."""
