"""Per-learner and per-address rate limits on the routes that run a model (the `limits` library)."""
