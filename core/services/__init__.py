"""Use cases. The API and the workers call these; neither holds business rules."""
