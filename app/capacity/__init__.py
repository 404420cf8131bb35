"""Capacity: how much model work the lab runs at once, and what it says when it cannot take more."""
