"""The reports' reads: an event's report, the statistics and dashboard figures, the catalogue and register as files."""
