"""The resolved record layout model and its builder."""
