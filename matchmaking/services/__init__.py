"""Matchmaking state changes, by area: sourcing (requests, offers, shortlists), meetings, event meetings."""
