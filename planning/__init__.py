"""staffcast planning package."""
