"""The permissions the events app checks, each codename named once."""

# Staff who see the events the public does not: drafts and archived events.
VIEW_EVENTS = "events.view_event"
# Staff of the check-in desk: check registrations in, approve or decline pending ones.
MANAGE_REGISTRATIONS = "events.change_registration"
# Staff who record MoUs in the registry.
RECORD_MOUS = "events.add_mou"
# Staff who read every MoU of the registry, its value and signed document included.
VIEW_MOUS = "events.view_mou"
# Staff who follow any MoU up, as its parties do.
FOLLOW_UP_MOUS = "events.change_mou"
