"""Matchmaking forms, by area: sourcing (profile, shortlist, requests, offers), meetings, event meetings."""
