"""Matchmaking views, by area: sourcing, meetings, event meetings."""
