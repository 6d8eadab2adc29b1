"""Shift scheduling and rostering (WIP)."""
