"""LLM Interview Lab: an offline web app for learning LLM fundamentals."""
