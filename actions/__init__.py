"""Rasa custom actions: thin entrypoints that read the tracker and call the services."""
