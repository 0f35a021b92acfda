"""Catalogue views: public pages (catalogue) and the producer's own workspace."""
