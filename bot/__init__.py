"""The Rasa assistant's own code (runs in Rasa's Python 3.10 environment)."""
