"""The Keras-style door (being built)."""
