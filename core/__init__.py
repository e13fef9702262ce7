"""Domain model, state machines, use cases and ports. Imports no infrastructure."""
