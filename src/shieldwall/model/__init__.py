"""Pure domain types and enums. Imports nothing of shieldwall and no framework."""
