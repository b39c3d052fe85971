"""The merchant's order system behind one small interface, and a local demo shop."""
