"""Matchmaking reads, by area: sourcing, suggestions, listing readiness, meetings, event meetings."""
