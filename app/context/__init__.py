"""Context windows: a token budget of one request, attention cost by length, and how chat history grows."""
