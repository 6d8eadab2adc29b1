"""staffcast forecast package."""
