"""A probabilistic text completer, made visible: the lab's model sampled many times on one prompt."""
