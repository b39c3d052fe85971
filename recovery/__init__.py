"""The heart of Herstel: complaint cases and the recovery flow, free of web and Rasa code."""
