"""staffcast simulation package."""
