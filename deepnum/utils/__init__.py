"""Utilities shared by the command line and the examples (images)."""
