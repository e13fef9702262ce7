"""Topic names, event types and the envelope: named once, here only."""
