"""Load benchmark: simulated learners against real servers (`make bench-load`)."""
