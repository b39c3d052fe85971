"""Helpers shared by tests: throwaway servers and database fixtures."""
