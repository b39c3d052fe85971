"""Rasa custom actions: thin entrypoints that read the tracker and call the services."""

from actions import guard

# rasa-sdk imports this package before it registers the actions: each one runs guarded.
guard.install()
